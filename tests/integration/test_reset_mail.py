"""Keycloak sends the reset-password e-mail through the realm SMTP to the mail catcher."""

from __future__ import annotations

import re

from devstack.seed import PARTNER
from tests.support.mail import wait_for_message
from tests.support.oidc import browser_session, open_login_page, request_password_reset


def test_reset_password_mail_for_the_demo_partner_arrives(keycloak, mailcatcher, test_env, demo):
    mailcatcher.clear()
    session = browser_session()
    page = open_login_page(session, keycloak.url, "b2b-portal", test_env["PORTAL_URL"] + "/callback")
    response = request_password_reset(session, page, PARTNER.email)
    assert response.status_code == 200
    message = wait_for_message(mailcatcher, PARTNER.email)
    assert message["From"] == {"Name": "WOUNDWO B2B", "Address": "noreply@woundwo.com"}
    link = re.search(r"http://localhost:\d+/realms/woundwo/login-actions/action-token\?key=[\w.\-]+", message["Text"])
    assert link and link.group(0).startswith(keycloak.url)
    assert link.group(0) in message["HTML"].replace("&amp;", "&")
