"""Drive Keycloak's login pages over plain HTTP, as a browser without JavaScript would."""

from __future__ import annotations

import base64
import hashlib
import secrets
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlencode, urljoin, urlparse

import requests

REALM = "woundwo"


class _Page(HTMLParser):
    """Collects the links and each form's action and input names (by form id)."""

    def __init__(self):
        super().__init__()
        self.forms: dict[str, dict] = {}
        self.links: list[str] = []
        self._current: dict | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        if tag == "form":
            self._current = {"action": attributes.get("action", ""), "inputs": []}
            self.forms[attributes.get("id", "")] = self._current
        elif tag in ("input", "button") and self._current is not None and attributes.get("name"):
            self._current["inputs"].append(attributes["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def forms(html: str) -> dict[str, dict]:
    """The page's forms by id: {"kc-form-login": {"action": ..., "inputs": [...]}}."""
    parser = _Page()
    parser.feed(html)
    return parser.forms


def links(html: str) -> list[str]:
    """Every href of the page's links, in order."""
    parser = _Page()
    parser.feed(html)
    return parser.links


class BrowserSession(requests.Session):
    """Keeps Keycloak's Secure cookies over http://localhost, as browsers do (localhost counts as secure there)."""

    def send(self, request, **kwargs):
        response = super().send(request, **kwargs)
        for cookie in self.cookies:
            cookie.secure = False
        return response


def browser_session() -> requests.Session:
    """A cookie-keeping session for Keycloak's pages on http://localhost."""
    return BrowserSession()


def authorization_url(keycloak_url: str, client_id: str, redirect_uri: str, locale: str | None = None,
                      verifier: str | None = None, realm: str = REALM) -> str:
    """An authorization-code request with PKCE S256, as our clients send it; pass `verifier` to exchange the code."""
    verifier = verifier or secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = {
        "client_id": client_id, "response_type": "code", "scope": "openid", "redirect_uri": redirect_uri,
        "state": secrets.token_urlsafe(8), "nonce": secrets.token_urlsafe(8),
        "code_challenge": challenge, "code_challenge_method": "S256",
    }
    if locale:
        query["ui_locales"] = locale
    return f"{keycloak_url}/realms/{realm}/protocol/openid-connect/auth?{urlencode(query)}"


def open_login_page(session: requests.Session, keycloak_url: str, client_id: str, redirect_uri: str,
                    locale: str | None = None, verifier: str | None = None, realm: str = REALM) -> requests.Response:
    """GET the login page of a fresh authorization request."""
    page = session.get(authorization_url(keycloak_url, client_id, redirect_uri, locale, verifier, realm), timeout=10)
    page.raise_for_status()
    return page


def submit_login(session: requests.Session, page: requests.Response, email: str, password: str) -> requests.Response:
    """POST the one-page login form (e-mail and password) without following the redirect."""
    form = forms(page.text)["kc-form-login"]
    action = urljoin(page.url, form["action"])
    return session.post(action, data={"username": email, "password": password, "credentialId": ""},
                        allow_redirects=False, timeout=10)


def authorization_code(response: requests.Response, redirect_uri: str) -> str | None:
    """The code from a successful login's redirect to the client, or None."""
    location = response.headers.get("Location", "")
    if response.status_code != 302 or not location.startswith(redirect_uri):
        return None
    return parse_qs(urlparse(location).query).get("code", [None])[0]


def request_password_reset(session: requests.Session, login_page: requests.Response, email: str) -> requests.Response:
    """Follow "Forgot password?" from the login page and submit the e-mail address."""
    reset_link = next(href for href in links(login_page.text) if "/login-actions/reset-credentials" in href)
    reset_page = session.get(urljoin(login_page.url, reset_link), timeout=10)
    form = forms(reset_page.text)["kc-reset-password-form"]
    return session.post(urljoin(reset_page.url, form["action"]), data={"username": email}, timeout=10)
