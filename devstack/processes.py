"""Start, watch and stop the local servers as process groups, each logging to its own file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

import requests


def spawn(command: list[str], env: dict[str, str], log_file: Path, cwd: Path | None = None) -> subprocess.Popen:
    """Start `command` in a new process group with stdout and stderr appended to `log_file`."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("ab") as log:
        return subprocess.Popen(
            command, cwd=cwd, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )


def wait_http(url: str, timeout: float, process: subprocess.Popen | None = None, log_file: Path | None = None) -> float:
    """Block until `url` answers 200; fail early if `process` dies. Return the seconds it took."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode}; see {log_file}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return time.monotonic() - started
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"{url} not ready after {timeout:.0f} s; see {log_file}")


def stop(process: subprocess.Popen | None, grace: float = 30) -> None:
    """Stop a whole process group: SIGTERM, then SIGKILL after `grace` seconds."""
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass


def kill(process: subprocess.Popen | None) -> None:
    """kill -9 a whole process group (a crash, not a shutdown); return once every member is gone.

    Reaping the leader is not enough: until its last child dies, a listening socket they share still
    completes connections (which then break), and a test would see a half-dead server.
    """
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(10)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)


def run_until_stopped(start: Callable[[], object], banner: Callable[[], str], stop: Callable[[], None],
                      say: Callable[[str], None]) -> None:
    """`make run` and `make cluster` in the foreground: start, print the banner, wait for Ctrl-C or SIGTERM, stop."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        start()
        print(banner(), flush=True)
        signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        say("stopping")
        stop()
