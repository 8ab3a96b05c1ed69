#!/usr/bin/env bash
# The Firefox browser tests drive Debian's firefox-esr through geckodriver. Mozilla's download site is out
# of reach, so build geckodriver once from crates.io with cargo (153 s on 2 cores) and cache it
# outside the repository; print the binary's path. The tests find it in the same place.
set -euo pipefail
VERSION=0.37.1
cache="${WOUNDWO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/woundwo-b2b}"
root="$cache/geckodriver-$VERSION"
binary="$root/bin/geckodriver"
if [ ! -x "$binary" ]; then
    cargo=$(command -v cargo || echo "$HOME/.cargo/bin/cargo")
    [ -x "$cargo" ] || { echo "building geckodriver needs Rust's cargo (rustup or apt-get install cargo)" >&2; exit 1; }
    echo "building geckodriver $VERSION from crates.io (once)" >&2
    "$cargo" install geckodriver --version "$VERSION" --locked --root "$root" --quiet >&2
fi
echo "$binary"
