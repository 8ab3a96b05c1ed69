"""Programs from Debian packages that the tests and the local cluster run but must not install as services (nginx, Prometheus).

The installed program is used when there is one; otherwise the package is fetched once with
`apt-get download` (no root needed, no service started) and unpacked into the download cache,
~/.cache/woundwo-b2b/debian/<package>, beside the Keycloak distribution.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
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
        # Fetched and unpacked in a folder of this run's own, then renamed into place: a second test run
        # starting at the same moment never sees (or executes) a half-written program ("Text file busy").
        unpacked.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f"{package}-", dir=unpacked.parent))
        try:
            fetched = subprocess.run(["apt-get", "download", package], cwd=staging, capture_output=True, text=True)
            packages = sorted(staging.glob(f"{package}_*.deb"))
            if fetched.returncode != 0 or not packages:
                raise RuntimeError(f"could not fetch Debian's {package} package (apt-get download {package}): "
                                   f"{fetched.stderr.strip()}")
            subprocess.run(["dpkg-deb", "-x", str(packages[-1]), str(staging / "root")], check=True)
            try:
                os.rename(staging / "root", unpacked)
            except OSError:  # another run was first: its copy is complete
                pass
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return program
