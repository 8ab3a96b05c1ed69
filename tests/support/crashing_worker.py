"""`flask --app bridge activations send-due` whose worker dies right after Keycloak sent the e-mail.

The crash-gap test runs this as a process of its own (python -m tests.support.crashing_worker --now ...):
it builds the bridge as the `flask` command would and wraps the worker's Keycloak so that the process
exits (status 70) the moment `send_set_password_email` returned, before anything is committed. The
product has no switch for this; the seam is the Keycloak interface itself.
"""

from __future__ import annotations

import os
import sys

from bridge import create_app
from bridge.delivery.handlers import WORKER_KEYCLOAK

CRASHED = 70


class DiesAfterSending:
    """The worker's Keycloak, except that the process dies just after a set-password e-mail went out."""

    def __init__(self, directory):
        self._directory = directory

    def __getattr__(self, name):
        return getattr(self._directory, name)

    def send_set_password_email(self, *args, **kwargs) -> None:
        self._directory.send_set_password_email(*args, **kwargs)
        os._exit(CRASHED)


def main(argv: list[str]) -> None:
    app = create_app()
    app.extensions[WORKER_KEYCLOAK] = DiesAfterSending(app.extensions[WORKER_KEYCLOAK])
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["activations", "send-due", *argv], catch_exceptions=False)
    print(result.output, end="")
    sys.exit(result.exit_code)


if __name__ == "__main__":
    main(sys.argv[1:])
