"""Waiting for e-mails in the mail catcher (Mailpit's API)."""

from __future__ import annotations

import time


def wait_for_message(mailcatcher, recipient: str, timeout: float = 15) -> dict:
    """The newest message to `recipient`, in full (Mailpit's message shape); fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for summary in mailcatcher.messages():
            if any(to["Address"].lower() == recipient.lower() for to in summary["To"]):
                return mailcatcher.message(summary["ID"])
        time.sleep(0.3)
    raise AssertionError(f"no e-mail to {recipient} within {timeout} s")
