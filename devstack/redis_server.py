"""A private Redis server for tests and benchmarks: Debian's `redis-server`, 127.0.0.1 only, nothing on disk.

    with running_redis(port) as url:      # redis://127.0.0.1:PORT/0
        ...
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import time
from typing import Iterator

import redis


@contextlib.contextmanager
def running_redis(port: int) -> Iterator[str]:
    executable = shutil.which("redis-server")
    if executable is None:
        raise RuntimeError("redis-server is not installed: run `make test` (installs it as root) "
                           "or `apt-get install -y redis-server`")
    process = subprocess.Popen(
        [executable, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        client = redis.Redis.from_url(url)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not start on port {port}")
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(10)
