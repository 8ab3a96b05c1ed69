"""The reverse-proxy limit that replaces lockout (docs/security.md §2), with the nginx files we ship in
deploy/nginx/, in front of the real test Keycloak: form posts and token-endpoint posts are limited per client
address, page views, other addresses and the portal app's server are not, sign-in (with the code exchange and
refresh) works through the proxy, the 429 page speaks the three languages, forwarded-for headers come from the
proxy, never from the client, and only realm woundwo's paths are exposed.
"""

from __future__ import annotations

import http.client
import json
import re
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlencode, urlparse, urlunparse

import pytest
import requests
from requests.adapters import HTTPAdapter

from devstack.seed import PARTNER
from devstack.settings import TEST_PORTS
from tests.support.nginx import APP_SERVER, running_nginx
from tests.support.oidc import authorization_code, browser_session, forms, open_login_page

BURST = 30  # keycloak-server.conf: burst=30 nodelay, then 30 a minute (form posts and token posts alike)
FORM_POST = "/realms/woundwo/login-actions/authenticate"
TOKEN_ENDPOINT = "/realms/woundwo/protocol/openid-connect/token"


@pytest.fixture
def proxy(keycloak, tmp_path):
    """A fresh nginx (empty counters) in front of the test Keycloak."""
    try:
        with running_nginx(TEST_PORTS.keycloak, tmp_path / "nginx") as url:
            yield url
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)


class HeaderEcho(BaseHTTPRequestHandler):
    """An upstream that answers with the request headers it received, as JSON."""

    def do_GET(self):
        body = json.dumps(dict(self.headers.items())).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def proxy_to_echo(tmp_path):
    """The shipped configuration in front of HeaderEcho instead of Keycloak."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), HeaderEcho)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with running_nginx(server.server_address[1], tmp_path / "nginx", ready_path="/realms/woundwo/account") as url:
            yield url
    finally:
        server.shutdown()
        server.server_close()


def post_from(proxy: str, source: str, path: str = FORM_POST,
              body: str = "username=x&password=y") -> http.client.HTTPResponse:
    """A form-encoded POST sent from address `source`; by default a sign-in form post that Keycloak refuses."""
    address = urlparse(proxy)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10, source_address=(source, 0))
    connection.request("POST", path, body=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
    response = connection.getresponse()
    response.body = response.read().decode()
    connection.close()
    return response


def password_guess(proxy: str, source: str, attempt: int) -> http.client.HTTPResponse:
    """One wrong password for the demo partner at the token endpoint (password grant via admin-cli)."""
    return post_from(proxy, source, TOKEN_ENDPOINT, urlencode({
        "grant_type": "password", "client_id": "admin-cli", "username": PARTNER.email,
        "password": f"guess-{attempt:02d}"}))


class FromAddress(HTTPAdapter):
    """Sends a requests session's connections from one local address: another clinic, the portal's server."""

    def __init__(self, source: str):
        self.source = source
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, source_address=(self.source, 0), **kwargs)


def sessions_from(browser_address: str) -> tuple[requests.Session, requests.Session]:
    """A partner's browser at `browser_address` and the portal app's server at APP_SERVER."""
    browser, app_server = browser_session(), requests.Session()
    browser.mount("http://", FromAddress(browser_address))
    app_server.mount("http://", FromAddress(APP_SERVER))
    return browser, app_server


def sign_in_and_refresh_through(proxy: str, test_env: dict, browser: requests.Session,
                                app_server: requests.Session) -> list[int]:
    """The whole code flow through the proxy: the partner signs in in the browser, then the portal app's
    server exchanges the code (PKCE) and refreshes the tokens; returns the token endpoint's two statuses."""
    redirect_uri = test_env["PORTAL_URL"] + "/callback"
    verifier = secrets.token_urlsafe(48)
    page = open_login_page(browser, proxy, "b2b-portal", redirect_uri, verifier=verifier)
    assert page.url.startswith(proxy)
    # Keycloak writes its own hostname into the form (a deployment sets it to the proxy's name).
    action = urlparse(forms(page.text)["kc-form-login"]["action"])
    through_proxy = urlunparse(action._replace(scheme="http", netloc=urlparse(proxy).netloc))
    answer = browser.post(through_proxy, data={"username": PARTNER.email, "password": PARTNER.password,
                                               "credentialId": ""}, allow_redirects=False, timeout=10)
    code = authorization_code(answer, redirect_uri)
    assert code, answer.text[:300]
    client = {"client_id": "b2b-portal", "client_secret": test_env["PORTAL_CLIENT_SECRET"]}
    tokens = app_server.post(f"{proxy}{TOKEN_ENDPOINT}", timeout=10, data={
        **client, "grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
        "code_verifier": verifier})
    refreshed = app_server.post(f"{proxy}{TOKEN_ENDPOINT}", timeout=10, data={
        **client, "grant_type": "refresh_token", "refresh_token": tokens.json().get("refresh_token")})
    return [tokens.status_code, refreshed.status_code]


def test_form_posts_past_the_burst_get_the_wait_page_while_pages_and_other_addresses_pass(proxy):
    statuses = [post_from(proxy, "127.0.0.1").status for _ in range(BURST + 10)]

    # The burst passes to Keycloak (tokens trickle back at 1 every 2 s, so one or two more may pass).
    assert 429 not in statuses[:BURST + 1], statuses
    assert statuses[BURST + 3:] == [429] * 7, statuses
    limited = post_from(proxy, "127.0.0.1")
    assert limited.status == 429
    assert limited.getheader("Retry-After") == "60"
    assert limited.getheader("Content-Type") == "text/html; charset=utf-8"
    for words in ("Merci de patienter une minute", "Bitte warten Sie eine Minute", "Please wait a minute",
                  "Votre compte n’est pas bloqué", "Ihr Konto ist nicht gesperrt", "Your account is not locked"):
        assert words in limited.body
    # Page views stay free for the same address, and another address (a different clinic) posts normally.
    page_view = requests.get(f"{proxy}{FORM_POST}", timeout=10)
    assert page_view.status_code != 429 and "patienter" not in page_view.text
    assert post_from(proxy, "127.0.0.2").status != 429


def test_a_partner_signs_in_through_the_proxy_and_the_portal_gets_and_refreshes_tokens(proxy, demo, test_env):
    assert sign_in_and_refresh_through(proxy, test_env, *sessions_from("127.0.0.1")) == [200, 200]


def test_password_guesses_at_the_token_endpoint_past_the_burst_are_refused_while_sign_ins_go_on(proxy, demo, test_env):
    statuses = [password_guess(proxy, "127.0.0.1", attempt).status for attempt in range(BURST + 10)]

    # As for the form posts: the burst reaches Keycloak (which refuses the grant), then 429.
    assert set(statuses[:BURST]) == {400}, statuses
    assert 429 not in statuses[:BURST + 1], statuses
    assert statuses[BURST + 3:] == [429] * 7, statuses
    limited = password_guess(proxy, "127.0.0.1", 99)
    assert limited.status == 429 and limited.getheader("Retry-After") == "60"
    assert limited.getheader("Content-Type") == "application/json"
    assert json.loads(limited.body)["error"] == "temporarily_unavailable"
    # Meanwhile a partner at another clinic signs in, and the portal app's server gets and refreshes tokens.
    assert sign_in_and_refresh_through(proxy, test_env, *sessions_from("127.0.0.2")) == [200, 200]


def test_the_portal_apps_server_is_not_counted_at_the_token_endpoint(proxy):
    # One server exchanges the codes and refreshes the tokens of every partner: far more than one clinic's burst.
    refresh = urlencode({"grant_type": "refresh_token", "client_id": "b2b-portal", "refresh_token": "expired"})
    statuses = {post_from(proxy, APP_SERVER, TOKEN_ENDPOINT, refresh).status for _ in range(2 * BURST + 10)}
    assert 429 not in statuses, statuses


def test_forwarded_headers_are_overwritten_never_passed_on_from_the_client(proxy_to_echo):
    # Keycloak trusts these headers from the proxy (--proxy-headers=xforwarded): a client must not choose them.
    seen = requests.get(f"{proxy_to_echo}/realms/woundwo/account", timeout=10, headers={
        "X-Forwarded-For": "203.0.113.7", "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"}).json()
    assert seen["X-Forwarded-For"] == "127.0.0.1"
    assert seen["X-Forwarded-Host"] == seen["Host"] == "127.0.0.1"
    assert seen["X-Forwarded-Proto"] == "http"


def test_only_the_partner_realm_and_its_resources_are_exposed(proxy):
    def status(path: str) -> int:
        return requests.get(f"{proxy}{path}", timeout=10, allow_redirects=False).status_code

    login_page = requests.get(f"{proxy}/realms/woundwo/account", timeout=10)
    stylesheets = [href for href in re.findall(r'<link[^>]*href="([^"]+)"', login_page.text) if "/resources/" in href]
    assert stylesheets, "the login page links no stylesheet under /resources/"
    assert status(urlparse(stylesheets[0]).path) == 200
    assert status("/realms/woundwo/.well-known/openid-configuration") == 200
    for hidden in ("/admin/", "/admin/master/console/", "/admin/realms/woundwo/users",
                   "/realms/master/.well-known/openid-configuration", "/realms/master/protocol/openid-connect/auth",
                   "/", "/metrics", "/health/ready"):
        assert status(hidden) == 404, hidden
