"""A partner stays signed in when a Keycloak node dies, and a node that comes back rejoins the cluster.

Real processes: two Keycloak nodes in production mode clustered over jdbc-ping, nginx in front, the
example portal refreshing its tokens on every page load (PORTAL_REFRESH_AFTER=0). Nodes are killed with
SIGKILL, so nothing is handed over: what survives, survives in Keycloak's replicated caches and database.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urljoin, urlparse

import pytest
import requests

from devstack.seed import PARTNER
from tests.support.oidc import authorization_code, browser_session, forms, open_login_page

pytestmark = pytest.mark.cluster

SIGN_IN_POST = "POST /realms/woundwo/login-actions/authenticate"
TOKEN_POST = "POST /realms/woundwo/protocol/openid-connect/token"
PARTNERS_IN_FLIGHT = 8
PARTNERS_AFTER = 6


def signed_in_email(page: requests.Response) -> str:
    match = re.search(r'id="person-email">([^<]*)<', page.text)
    return match.group(1) if match else ""


def sign_in_through_portal(cluster) -> requests.Session:
    """Portal → Keycloak's sign-in form through nginx → back on the portal, signed in."""
    session = browser_session()
    login_page = session.get(f"{cluster.portal_url}/login", timeout=30)
    form = forms(login_page.text)["kc-form-login"]
    answer = session.post(urljoin(login_page.url, form["action"]), timeout=30, allow_redirects=False,
                          data={"username": PARTNER.email, "password": PARTNER.password, "credentialId": ""})
    assert answer.status_code == 302, answer.text[:500]
    page = session.get(answer.headers["Location"], timeout=30)
    assert signed_in_email(page) == PARTNER.email
    return session


def test_partner_stays_signed_in_at_the_portal_when_the_node_that_signed_them_in_is_killed(cluster):
    session = sign_in_through_portal(cluster)
    served = cluster.node_behind(SIGN_IN_POST)
    other = next(node for node in cluster.nodes if node is not served)
    served.kill()

    page = session.get(f"{cluster.portal_url}/", timeout=30)   # a page load, which refreshes the tokens

    assert page.status_code == 200
    assert signed_in_email(page) == PARTNER.email, "the partner was asked to sign in again"
    assert cluster.node_behind(TOKEN_POST) is other
    # Still signed in at Keycloak itself too: the sign-in page lets the partner through without a password.
    again = session.get(f"{cluster.portal_url}/login", timeout=30, allow_redirects=True)
    assert signed_in_email(again) == PARTNER.email


def sign_in_at_node(session: requests.Session, node_url: str, redirect_uri: str, verifier: str) -> str:
    """Sign in on one node, bypassing nginx: the form's action (nginx's address) is sent to `node_url`."""
    page = open_login_page(session, node_url, "b2b-portal", redirect_uri, verifier=verifier)
    action = urlparse(urljoin(page.url, forms(page.text)["kc-form-login"]["action"]))
    answer = session.post(f"{node_url}{action.path}?{action.query}", allow_redirects=False, timeout=30,
                          data={"username": PARTNER.email, "password": PARTNER.password, "credentialId": ""})
    code = authorization_code(answer, redirect_uri)
    assert code, f"sign-in on {node_url} failed: {answer.status_code}"
    return code


def test_a_killed_node_rejoins_the_cluster_and_its_sessions_are_valid_on_the_other_node(cluster):
    killed, other = cluster.nodes
    killed.kill()
    cluster.wait_for_view(1)
    cluster.restart_node(killed)   # waits for /health/ready and a two-node cluster view in both logs

    session, verifier = browser_session(), "v" * 48
    redirect_uri = f"{cluster.portal_url}/callback"
    code = sign_in_at_node(session, killed.url.replace("127.0.0.1", "localhost"), redirect_uri, verifier)
    tokens = requests.post(f"{other.url}/realms/woundwo/protocol/openid-connect/token", timeout=30, data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri, "code_verifier": verifier,
        "client_id": "b2b-portal", "client_secret": cluster.env["PORTAL_CLIENT_SECRET"]})
    assert tokens.status_code == 200, tokens.text
    refreshed = requests.post(f"{other.url}/realms/woundwo/protocol/openid-connect/token", timeout=30, data={
        "grant_type": "refresh_token", "refresh_token": tokens.json()["refresh_token"],
        "client_id": "b2b-portal", "client_secret": cluster.env["PORTAL_CLIENT_SECRET"]})
    assert refreshed.status_code == 200, refreshed.text


def post_sign_in(session: requests.Session, login_page: requests.Response) -> int:
    """POST the sign-in form; the status the browser sees (0: the connection broke)."""
    form = forms(login_page.text)["kc-form-login"]
    try:
        return session.post(urljoin(login_page.url, form["action"]), allow_redirects=False, timeout=60,
                            data={"username": PARTNER.email, "password": PARTNER.password, "credentialId": ""}
                            ).status_code
    except requests.RequestException:
        return 0


def test_sign_ins_posted_while_a_node_is_killed_get_in_on_retry_and_no_5xx_follows(cluster):
    partners = [browser_session() for _ in range(PARTNERS_IN_FLIGHT)]
    pages = [partner.get(f"{cluster.portal_url}/login", timeout=60) for partner in partners]
    victim = cluster.nodes[0]
    with ThreadPoolExecutor(PARTNERS_IN_FLIGHT + 1) as pool:
        posts = [pool.submit(post_sign_in, partner, page) for partner, page in zip(partners, pages)]
        pool.submit(victim.kill)
        first = [post.result() for post in posts]
    killed_at = len(cluster.nginx_access_log.read_text().splitlines())

    # Who did not get in retries once, as a person would: back to the portal, sign in again.
    retried = {index: post_sign_in(partners[index], partners[index].get(f"{cluster.portal_url}/login", timeout=60))
               for index, status in enumerate(first) if status != 302}
    assert all(status == 302 for status in retried.values()), f"first tries {first}, retries {retried}"
    # Partners arriving after nginx has marked the node down see no 5xx at all.
    later = [post_sign_in(partner, partner.get(f"{cluster.portal_url}/login", timeout=60))
             for partner in (browser_session() for _ in range(PARTNERS_AFTER))]
    assert later == [302] * PARTNERS_AFTER
    after_kill = cluster.nginx_access_log.read_text().splitlines()[killed_at:]
    assert not [line for line in after_kill if line.startswith(f"{cluster.ports.keycloak_public} ")
                and re.search(r'" 5\d\d ', line)]
