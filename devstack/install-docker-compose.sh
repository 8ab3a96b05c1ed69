#!/usr/bin/env bash
# `docker compose config` is part of the tests. Where the Docker client has no compose plugin (and
# Docker's download site is out of reach), build the plugin once from the Go module proxy (about two
# minutes on 2 cores) and cache it outside the repository.
set -euo pipefail
VERSION=v5.6.0
docker compose version >/dev/null 2>&1 && exit 0
command -v docker >/dev/null || { echo "the docker client is not installed; install docker.io or docker-ce-cli"; exit 1; }
cache="${WOUNDWO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/woundwo-b2b}"
binary="$cache/docker-compose-$VERSION"
if [ ! -x "$binary" ]; then
    command -v go >/dev/null || { echo "building the docker compose plugin needs Go (golang) >= 1.26"; exit 1; }
    echo "building the docker compose plugin $VERSION from the Go module proxy (once)"
    module_dir=$(go mod download -json "github.com/docker/compose/v5@$VERSION" \
        | python3 -c 'import json, sys; print(json.load(sys.stdin)["Dir"])')
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    cp -r "$module_dir/." "$work"
    chmod -R u+w "$work"
    mkdir -p "$cache"
    (cd "$work" && go build -trimpath -o "$binary" ./cmd)
fi
mkdir -p "$HOME/.docker/cli-plugins"
ln -sf "$binary" "$HOME/.docker/cli-plugins/docker-compose"
docker compose version
