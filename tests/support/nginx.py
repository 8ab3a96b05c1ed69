"""Debian's nginx in front of the test Keycloak, configured with the files we ship in deploy/nginx/.

The binary is the installed one, else unpacked from Debian's package (devstack/debian.py):
installing the package would also start the system nginx service, whose default site listens on
port 80 of every interface.

Only the wrapper differs from a deployment: 127.0.0.1 on a free port instead of TLS on 443, the
upstream pointing at the test Keycloak, APP_SERVER as the one portal-app server whose token requests
are not counted, and logs, pid and temporary files in a folder of the test's.

    with running_nginx(upstream_port=18080, directory=tmp_path) as url:   # http://127.0.0.1:PORT
        ...
"""

from __future__ import annotations

import contextlib
import subprocess
from pathlib import Path
from typing import Iterator

from devstack import processes
from devstack.settings import REPO_ROOT
from devstack.ports import free_ports
from devstack.debian import debian_program

SHIPPED = REPO_ROOT / "deploy" / "nginx"
# The address a test's "portal app server" sends from (the whole of 127.0.0.0/8 reaches 127.0.0.1 on Linux).
APP_SERVER = "127.0.0.3"

WRAPPER = """\
daemon off;
worker_processes 1;
pid {state}/nginx.pid;
error_log {state}/error.log warn;
events {{ worker_connections 128; }}
http {{
    access_log off;
    client_body_temp_path {state}/body;
    proxy_temp_path {state}/proxy;
    fastcgi_temp_path {state}/fastcgi;
    uwsgi_temp_path {state}/uwsgi;
    scgi_temp_path {state}/scgi;
    geo $woundwo_portal_app_server {{ default 0; {app_server} 1; }}
    include {shipped}/keycloak-rate-limit.conf;
    upstream keycloak {{ server 127.0.0.1:{upstream_port}; }}
    server {{
        listen 127.0.0.1:{port};
        include {shipped}/keycloak-server.conf;
    }}
}}
"""


@contextlib.contextmanager
def running_nginx(upstream_port: int, directory: Path,
                  ready_path: str = "/realms/woundwo/.well-known/openid-configuration") -> Iterator[str]:
    """nginx on a free 127.0.0.1 port in front of 127.0.0.1:`upstream_port`, once `ready_path` answers 200."""
    executable = str(debian_program("nginx", "/usr/sbin/nginx"))
    port = free_ports()[0]
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / "nginx.conf"
    config.write_text(WRAPPER.format(state=directory, shipped=SHIPPED, app_server=APP_SERVER,
                                      upstream_port=upstream_port, port=port))
    command = [executable, "-p", str(directory), "-c", str(config), "-e", str(directory / "error.log")]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True)
    if checked.returncode != 0:
        raise RuntimeError(f"nginx refused the configuration:\n{checked.stderr}")
    log = directory / "nginx.out"
    process = processes.spawn(command, {}, log, cwd=directory)
    url = f"http://127.0.0.1:{port}"
    try:
        processes.wait_http(f"{url}{ready_path}", 30, process, log)
        yield url
    finally:
        processes.stop(process)
