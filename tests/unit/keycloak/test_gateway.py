"""The gateway's translation of Keycloak answers, with HTTP mocked by `responses` (the real server is tested in integration)."""

from __future__ import annotations

import pytest
import responses
from responses import matchers

from bridge.keycloak.access import has_access
from bridge.keycloak.gateway import KeycloakGateway
from bridge.keycloak.interface import KeycloakRefused, KeycloakUnavailable

KC = "http://keycloak.test"
TOKEN_URL = f"{KC}/realms/woundwo/protocol/openid-connect/token"
USERS_URL = f"{KC}/admin/realms/woundwo/users"
U1 = "3f2b8a0e-0000-4000-8000-000000000001"


@pytest.fixture
def gateway():
    return KeycloakGateway(KC, "woundwo", "b2b-bridge", "secret", timeout=1.5)


@pytest.fixture
def token():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.post(TOKEN_URL, json={"access_token": "t", "expires_in": 300, "token_type": "Bearer"})
        yield mock


def users_answer(mock, body, status=200):
    mock.get(USERS_URL, json=body, status=status,
             match=[matchers.query_param_matcher({"email": "a@b.de", "exact": "true"}, strict_match=False)])


def roles_answer(mock, user_id, names):
    mock.get(f"{USERS_URL}/{user_id}/role-mappings/realm/composite", json=[{"name": n} for n in names])


def test_enabled_user_with_a_b2b_role_has_access(gateway, token):
    users_answer(token, [{"id": U1, "email": "a@b.de", "enabled": True}])
    roles_answer(token, U1, ["default-roles-woundwo", "b2b-partner"])
    assert has_access(gateway, "a@b.de") is True


def test_partial_email_matches_are_not_taken_for_the_person(gateway, token):
    users_answer(token, [{"id": U1, "email": "xa@b.de", "enabled": True}])
    assert has_access(gateway, "a@b.de") is False


def test_disabled_user_has_no_access_without_asking_for_roles(gateway, token):
    users_answer(token, [{"id": U1, "email": "a@b.de", "enabled": False}])
    assert has_access(gateway, "a@b.de") is False
    assert not any("role-mappings" in call.request.url for call in token.calls)


def test_user_with_only_default_roles_has_no_access(gateway, token):
    users_answer(token, [{"id": U1, "email": "a@b.de", "enabled": True}])
    roles_answer(token, U1, ["default-roles-woundwo", "offline_access"])
    assert has_access(gateway, "a@b.de") is False


def test_server_error_is_unavailable(gateway, token):
    users_answer(token, {"error": "boom"}, status=502)
    with pytest.raises(KeycloakUnavailable):
        gateway.within(lambda: gateway.find_user_by_email("a@b.de"))


def test_forbidden_is_refused_with_its_status(gateway, token):
    users_answer(token, {"error": "forbidden"}, status=403)
    with pytest.raises(KeycloakRefused) as refused:
        gateway.within(lambda: gateway.find_user_by_email("a@b.de"))
    assert refused.value.status == 403


def test_wrong_client_secret_is_refused(gateway):
    with responses.RequestsMock() as mock:
        mock.post(TOKEN_URL, json={"error": "unauthorized_client"}, status=401)
        with pytest.raises(KeycloakRefused):
            gateway.check_token()


def test_connection_refused_is_unavailable(gateway):
    with responses.RequestsMock() as mock:
        mock.post(TOKEN_URL, body=ConnectionError("refused"))
        with pytest.raises(KeycloakUnavailable):
            gateway.check_token()


def test_existing_user_is_reused_instead_of_created(gateway, token):
    users_answer(token, [{"id": "u7", "email": "a@b.de", "enabled": True}])
    assert gateway.ensure_user("a@b.de", "A", "B", "fr", {"customer_number": "100001"}) == "u7"
    assert not any(call.request.method == "POST" and call.request.url == USERS_URL for call in token.calls)


def test_user_created_by_someone_else_meanwhile_is_used(gateway, token):
    token.get(USERS_URL, json=[])
    token.post(USERS_URL, json={"errorMessage": "User exists with same email"}, status=409)
    token.get(USERS_URL, json=[{"id": "u9", "email": "a@b.de", "enabled": True}])
    assert gateway.ensure_user("a@b.de", "A", "B", "fr", {}) == "u9"


@pytest.mark.parametrize("user_id", ["u1", "3f2b8a0e-0000-4000-8000-000000000001#", "../users", "a/b", "",
                                     "3f2b8a0e-0000-4000-8000-000000000001/role-mappings"])
def test_an_id_that_is_not_a_keycloak_id_never_reaches_a_url(gateway, token, user_id):
    assert gateway.get_user(user_id) is None
    calls = [lambda: gateway.realm_roles(user_id),
             lambda: gateway.revoke_access(user_id, "100001", "b2b-partner"), lambda: gateway.set_enabled(user_id, False),
             lambda: gateway.delete_user(user_id), lambda: gateway.has_password(user_id),
             lambda: gateway.grant_realm_role(user_id, "b2b-partner"), lambda: gateway.user_sessions(user_id),
             lambda: gateway.add_member(user_id, "3f2b8a0e-0000-4000-8000-000000000001"),
             lambda: gateway.send_set_password_email(user_id, 60, "b2b-portal", "http://portal.test/")]
    for call in calls:
        with pytest.raises(KeycloakRefused) as refused:
            call()
        assert refused.value.status == 404
    assert [call.request.url for call in token.calls if "/admin/" in call.request.url] == []


ORGS_URL = f"{KC}/admin/realms/woundwo/organizations"
O1 = "3f2b8a0e-0000-4000-8000-0000000000a1"


def keycloak_requests(mock) -> list[str]:
    """The admin API's requests (method and path), the token's aside."""
    return [f"{call.request.method} {call.request.path_url.split('?')[0]}" for call in mock.calls
            if "openid-connect" not in call.request.url]


@pytest.mark.parametrize("step", ["members", "ensure", "revoke"])
def test_a_customers_organization_is_found_by_one_search_on_its_attribute(gateway, token, step):
    token.get(ORGS_URL, json=[{"id": O1, "alias": "100001"}],
              match=[matchers.query_param_matcher({"q": "customer_number:100001", "exact": "true"}, strict_match=False)])
    token.get(f"{ORGS_URL}/{O1}", json={"id": O1, "alias": "100001", "attributes": {}})
    token.get(f"{ORGS_URL}/{O1}/members", json=[])
    token.get(f"{KC}/admin/realms/woundwo/roles/b2b-partner", json={"id": "r1", "name": "b2b-partner"})
    token.delete(f"{USERS_URL}/{U1}/role-mappings/realm", status=204)
    token.delete(f"{ORGS_URL}/{O1}/members/{U1}", status=204)
    token.post(f"{USERS_URL}/{U1}/logout", status=204)
    if step == "members":
        assert gateway.customer_members("100001") == []
    elif step == "ensure":
        assert gateway.ensure_organization("100001", "Pharmacie Centrale", "west") == O1
    else:
        gateway.revoke_access(U1, "100001", "b2b-partner")
    assert keycloak_requests(token).count(f"GET /admin/realms/woundwo/organizations/{O1}") == 0
    assert keycloak_requests(token).count("GET /admin/realms/woundwo/organizations") == 1
