"""`make activations-now`: run the 04:00 activation batch of the dev stack now, as of tomorrow 04:00."""

from __future__ import annotations

import os
import subprocess
import sys

from bridge.core.models import utcnow
from bridge.delivery.schedule import next_activation
from devstack.settings import DEV_PORTS, REPO_ROOT, stack_env


def main() -> None:
    """Send every activation due by the next 04:00 (company time), with the dev stack's settings."""
    env = stack_env(DEV_PORTS)
    moment = next_activation(utcnow(), env.get("BRIDGE_TIME_ZONE", "Europe/Paris"))
    command = [sys.executable, "-m", "flask", "--app", "bridge", "activations", "send-due", "--now", moment.isoformat()]
    sys.exit(subprocess.call(command, env={**os.environ, **env}, cwd=REPO_ROOT))


if __name__ == "__main__":
    main()
