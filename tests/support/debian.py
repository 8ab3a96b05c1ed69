"""Programs from Debian packages that the tests run but must not install as services (nginx, Prometheus).

The installed program is used when there is one; otherwise the package is fetched once with
`apt-get download` (no root needed, no service started) and unpacked into the download cache,
~/.cache/woundwo-b2b/debian/<package>, beside the Keycloak distribution.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from devstack.keycloak import cache_dir


def debian_program(package: str, path: str) -> Path:
    """The program at `path` (as the package installs it, e.g. /usr/sbin/nginx), installed or unpacked."""
    installed = shutil.which(Path(path).name)
    if installed:
        return Path(installed)
    if Path(path).exists():
        return Path(path)
    unpacked = cache_dir() / "debian" / package
    program = unpacked / path.lstrip("/")
    if not program.exists():
        download = cache_dir() / "debian" / "downloads"
        download.mkdir(parents=True, exist_ok=True)
        fetched = subprocess.run(["apt-get", "download", package], cwd=download, capture_output=True, text=True)
        packages = sorted(download.glob(f"{package}_*.deb"))
        if fetched.returncode != 0 or not packages:
            raise RuntimeError(f"could not fetch Debian's {package} package (apt-get download {package}): "
                               f"{fetched.stderr.strip()}")
        subprocess.run(["dpkg-deb", "-x", str(packages[-1]), str(unpacked)], check=True)
    return program
