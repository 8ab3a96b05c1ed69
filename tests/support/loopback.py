"""HTTP clients that connect from another loopback address: another client IP as nginx and the bridge see it."""

from __future__ import annotations

import requests
from requests.adapters import HTTPAdapter


class FromAddress(HTTPAdapter):
    """Connect from `address` (any of 127.0.0.0/8 on Linux)."""

    def __init__(self, address: str):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **{**kwargs, "source_address": (self.address, 0)})


def client(address: str = "127.0.0.1") -> requests.Session:
    """A session whose connections come from `address`."""
    session = requests.Session()
    session.mount("http://", FromAddress(address))
    return session
