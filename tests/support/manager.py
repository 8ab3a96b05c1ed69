"""Signing a manager into the bridge's review UI, or a team admin into the team page, through the real Keycloak
login page (plain HTTP)."""

from __future__ import annotations

import re
from urllib.parse import urlparse

from tests.support.oidc import browser_session, submit_login


def sign_in(client, email: str, password: str, area: str = "/manage"):
    """Run the OIDC code flow: bridge → Keycloak login form → bridge callback; return the signed-in client."""
    start = client.get(f"{area}/login")
    assert start.status_code == 302, start.status_code
    keycloak = browser_session()
    page = keycloak.get(start.headers["Location"], timeout=10)
    answer = submit_login(keycloak, page, email, password)
    assert answer.status_code == 302 and f"{area}/callback" in answer.headers["Location"], answer.status_code
    callback = urlparse(answer.headers["Location"])
    finished = client.get(f"{callback.path}?{callback.query}")
    assert finished.status_code == 302, finished.get_data(as_text=True)[:300]
    return client


def csrf_token(client, path: str) -> str:
    """The CSRF token of a form on a page of the review UI."""
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
