"""The reverse-proxy limit that replaces lockout (docs/security.md §2), with the nginx files we ship in
deploy/nginx/, in front of the real test Keycloak: form posts are limited per client address, page views
and other addresses are not, sign-in works through the proxy, the 429 page speaks the three languages,
forwarded-for headers come from the proxy, never from the client, and only realm woundwo's paths are exposed.
"""

from __future__ import annotations

import http.client
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse, urlunparse

import pytest
import requests

from devstack.seed import PARTNER
from devstack.settings import TEST_PORTS
from tests.support.nginx import running_nginx
from tests.support.oidc import authorization_code, browser_session, forms, open_login_page

BURST = 30  # keycloak-server.conf: burst=30 nodelay, then 30 a minute
FORM_POST = "/realms/woundwo/login-actions/authenticate"


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


def post_from(proxy: str, source: str) -> http.client.HTTPResponse:
    """A form post with nothing in it (Keycloak answers it with an error page), sent from address `source`."""
    address = urlparse(proxy)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10, source_address=(source, 0))
    connection.request("POST", FORM_POST, body="username=x&password=y",
                       headers={"Content-Type": "application/x-www-form-urlencoded"})
    response = connection.getresponse()
    response.body = response.read().decode()
    connection.close()
    return response


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


def test_a_partner_signs_in_through_the_proxy(proxy, demo, test_env):
    redirect_uri = test_env["PORTAL_URL"] + "/callback"
    session = browser_session()
    page = open_login_page(session, proxy, "b2b-portal", redirect_uri)
    assert page.url.startswith(proxy)
    # Keycloak writes its own hostname into the form (a deployment sets it to the proxy's name).
    action = urlparse(forms(page.text)["kc-form-login"]["action"])
    through_proxy = urlunparse(action._replace(scheme="http", netloc=urlparse(proxy).netloc))
    answer = session.post(through_proxy, data={"username": PARTNER.email, "password": PARTNER.password,
                                               "credentialId": ""}, allow_redirects=False, timeout=10)
    assert authorization_code(answer, redirect_uri), answer.text[:300]


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
