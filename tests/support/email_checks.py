"""Run in its own process: `python -m tests.support.email_checks N` builds the bridge app from BRIDGE_*
settings, sends N e-mail checks from one client address and prints their HTTP status codes as JSON.

Two of these processes stand for two gunicorn workers (or two hosts) sharing the rate-limit counters.
"""

from __future__ import annotations

import json
import sys

from bridge import create_app


def main() -> None:
    client = create_app().test_client()
    codes = [client.post("/api/v1/email-status", json={"email": "not an address"}).status_code
             for _ in range(int(sys.argv[1]))]
    print(json.dumps(codes))


if __name__ == "__main__":
    main()
