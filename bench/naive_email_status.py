"""Baseline app for bench/email_status.py: the e-mail check without any cache, as lean as it gets.

Every `POST /api/v1/email-status` makes exactly one Keycloak admin user search,
`GET /admin/realms/woundwo/users?email=<address>&exact=true`, with the b2b-bridge service
account's token (client credentials, fetched once and renewed shortly before it expires), over a
kept-alive connection per thread. "known" when an enabled user with that e-mail exists.

It deliberately skips what the real check adds (address validation, the realm-role lookup, rate
limits, CORS, metrics, logging), so it is the *cheapest* uncached check: the bridge's speed-up is
measured against a generous baseline. It is not part of the product.

`create_floor_app()` is the calibration point: the same route answering a constant without
looking anything up, i.e. what Flask + gunicorn alone cost per request on this machine.

The benchmark starts them under gunicorn like the bridge; by hand:

    NAIVE_KEYCLOAK_URL=http://localhost:28080 NAIVE_CLIENT_SECRET=dev-bridge-secret \\
        .venv/bin/python -m gunicorn --bind 127.0.0.1:28002 --workers 2 --threads 8 \\
        'bench.naive_email_status:create_app()'
"""

from __future__ import annotations

import os
import threading
import time

import requests
from flask import Flask, request


class ServiceAccount:
    """A client-credentials token shared by the threads of one process, renewed before it expires."""

    def __init__(self, token_url: str, client_id: str, secret: str):
        self._token_url, self._client_id, self._secret = token_url, client_id, secret
        self._lock = threading.Lock()
        self._token, self._expires = "", 0.0

    def token(self, force: bool = False) -> str:
        with self._lock:
            if force or time.monotonic() > self._expires - 30:
                response = requests.post(self._token_url, timeout=5, data={
                    "grant_type": "client_credentials", "client_id": self._client_id, "client_secret": self._secret})
                response.raise_for_status()
                body = response.json()
                self._token, self._expires = body["access_token"], time.monotonic() + body["expires_in"]
            return self._token


def create_app() -> Flask:
    keycloak = os.environ.get("NAIVE_KEYCLOAK_URL", "http://localhost:28080").rstrip("/")
    realm = os.environ.get("NAIVE_REALM", "woundwo")
    account = ServiceAccount(f"{keycloak}/realms/{realm}/protocol/openid-connect/token",
                             os.environ.get("NAIVE_CLIENT_ID", "b2b-bridge"), os.environ["NAIVE_CLIENT_SECRET"])
    users_url = f"{keycloak}/admin/realms/{realm}/users"
    local = threading.local()
    app = Flask(__name__)

    def search(email: str) -> list[dict]:
        if not hasattr(local, "session"):
            local.session = requests.Session()
        for attempt in range(2):
            response = local.session.get(users_url, params={"email": email, "exact": "true"}, timeout=5,
                                         headers={"Authorization": f"Bearer {account.token(force=attempt > 0)}"})
            if response.status_code != 401:
                break
        response.raise_for_status()
        return response.json()

    @app.post("/api/v1/email-status")
    def email_status():
        payload = request.get_json(silent=True)
        if not isinstance(payload, dict) or not isinstance(payload.get("email"), str):
            return {"error": "bad_request"}, 400
        email = payload["email"].strip().lower()
        if "@" not in email:
            return {"status": "invalid"}
        try:
            users = search(email)
        except requests.RequestException:
            return {"status": "unavailable"}, 503
        known = any((user.get("email") or "").lower() == email and user.get("enabled") for user in users)
        return {"status": "known" if known else "unknown"}

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    return app


def create_floor_app() -> Flask:
    """Parse the JSON body, answer a constant: the ceiling of any Flask view under the same gunicorn."""
    app = Flask(__name__)

    @app.post("/api/v1/email-status")
    def email_status():
        payload = request.get_json(silent=True)
        if not isinstance(payload, dict) or not isinstance(payload.get("email"), str):
            return {"error": "bad_request"}, 400
        return {"status": "known"}

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    return app
