"""realm-export.json is fit for production: no demo users, no local URLs, every secret a placeholder."""

from __future__ import annotations

import json
import re

from devstack.keycloak import REALM_FILE

REALM_TEXT = REALM_FILE.read_text()
REALM = json.loads(REALM_TEXT)
PLACEHOLDER = re.compile(r"^\$\{[A-Z][A-Z0-9_]*\}")


def test_no_local_or_demo_values():
    for word in ("localhost", "127.0.0.1", ".example", "Demo-2026"):
        assert word not in REALM_TEXT


def test_only_service_account_users():
    assert [user.get("serviceAccountClientId") for user in REALM.get("users", [])] == ["b2b-bridge", "realm-operator"]


def test_every_client_secret_and_url_is_a_placeholder():
    for client in REALM["clients"]:
        if not client.get("publicClient"):
            assert PLACEHOLDER.match(client["secret"]), client["clientId"]
        for uri in client.get("redirectUris", []) + [client.get("rootUrl", "${X}")]:
            # A path is relative to the client's rootUrl; ${authBaseUrl} is Keycloak's own address (built-in clients).
            assert PLACEHOLDER.match(uri) or uri.startswith("/") or uri == "${authBaseUrl}", (client["clientId"], uri)


def test_smtp_connection_comes_from_the_environment():
    smtp = REALM["smtpServer"]
    for key in ("host", "port", "user", "password"):
        assert PLACEHOLDER.match(smtp[key]), key


def test_bridge_service_account_has_least_privilege():
    account = next(user for user in REALM["users"] if user.get("serviceAccountClientId") == "b2b-bridge")
    granted = set(account["clientRoles"]["realm-management"])
    assert not granted & {"realm-admin", "manage-realm", "manage-clients", "impersonation", "manage-authorization"}
    assert {"view-users", "query-users", "manage-users", "manage-organizations"} <= granted


def test_realm_operator_changes_the_realm_but_not_its_users():
    account = next(user for user in REALM["users"] if user.get("serviceAccountClientId") == "realm-operator")
    assert set(account["clientRoles"]["realm-management"]) == {"view-realm", "manage-realm", "view-clients", "manage-clients"}
    operator = next(client for client in REALM["clients"] if client["clientId"] == "realm-operator")
    assert operator["serviceAccountsEnabled"] and not operator["standardFlowEnabled"]
    assert not operator["directAccessGrantsEnabled"]


def test_browser_flow_has_no_identity_first_organization_step():
    flows = {flow["alias"]: flow for flow in REALM["authenticationFlows"]}
    bound = flows[REALM["browserFlow"]]

    def authenticators(flow):
        for execution in flow["authenticationExecutions"]:
            if execution.get("authenticatorFlow"):
                yield from authenticators(flows[execution["flowAlias"]])
            else:
                yield execution["authenticator"]

    steps = list(authenticators(bound))
    assert "organization" not in steps and "auth-username-password-form" in steps
