"""The example portal accepts only tokens Keycloak signed for it: signature, issuer, audience, expiry, nonce.

Tokens here are signed with a test RSA key whose public half the faked Keycloak publishes as its JWKS;
the claims copy the shape measured on the real Keycloak (see docs/portal-integration.md). Keycloak's
HTTP endpoints are faked with `responses`; the app under test is the real one, through its callback.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from urllib.parse import parse_qs, urlparse

import pytest
import requests
import responses
from joserfc import jwt
from joserfc.jwk import RSAKey

from examples.portal import create_app
from examples.portal.config import ConfigurationError
from examples.portal.tokens import (
    Person, TokenRejected, UnknownSigningKey, b2b_roles, person_from_claims, validate_access_token,
)

KEYCLOAK = "https://id.example.test"
ISSUER = f"{KEYCLOAK}/realms/woundwo"
OIDC = f"{ISSUER}/protocol/openid-connect"
PORTAL = "http://portal.example.test"
CLIENT_ID = "b2b-portal"
SUBJECT = "d1294eac-0ee2-46f3-b436-39f85a863b76"

SIGNING_KEY = RSAKey.generate_key(2048, parameters={"kid": "realm-key"})
# Another key under the same kid: a token it signs looks right but its signature does not verify.
IMPOSTER_KEY = RSAKey.generate_key(2048, parameters={"kid": "realm-key"})
JWKS = {"keys": [{**SIGNING_KEY.as_dict(private=False), "alg": "RS256", "use": "sig"}]}

PARTNER_CLAIMS = {
    "sub": SUBJECT, "email_verified": True, "name": "Camille Martin", "given_name": "Camille",
    "family_name": "Martin", "preferred_username": "partner@pharmacie-centrale.example",
    "email": "partner@pharmacie-centrale.example", "locale": "fr", "customer_number": "100001",
    "organization": {"100001": {"company_name": ["Pharmacie Centrale"], "customer_number": ["100001"],
                                "region": ["west"]}},
    "realm_access": {"roles": ["b2b-partner", "offline_access", "uma_authorization", "default-roles-woundwo"]},
}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign(claims: dict, key: RSAKey = SIGNING_KEY) -> str:
    return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)


def access_claims(**changes) -> dict:
    now = int(time.time())
    claims = {**PARTNER_CLAIMS, "iss": ISSUER, "aud": [CLIENT_ID, "account"], "azp": CLIENT_ID, "typ": "Bearer",
              "iat": now, "exp": now + 300, "sid": "session-1", "scope": "openid organization profile email"}
    return {**claims, **changes}


def id_claims(nonce: str, **changes) -> dict:
    now = int(time.time())
    claims = {**PARTNER_CLAIMS, "iss": ISSUER, "aud": CLIENT_ID, "azp": CLIENT_ID, "typ": "ID",
              "iat": now, "exp": now + 300, "auth_time": now, "nonce": nonce, "sid": "session-1"}
    return {**claims, **changes}


def with_swapped_payload(token: str, claims: dict) -> str:
    """A genuine token whose payload was edited afterwards (the signature no longer matches)."""
    header, _, signature = token.split(".")
    return ".".join([header, b64(json.dumps(claims).encode()), signature])


def unsigned(claims: dict) -> str:
    return ".".join([b64(b'{"alg":"none","typ":"JWT"}'), b64(json.dumps(claims).encode()), ""])


def hmac_with_public_key(claims: dict) -> str:
    """The classic key-confusion forgery: HS256 keyed with the RSA public key everybody can fetch."""
    signing_input = b64(json.dumps({"alg": "HS256", "kid": "realm-key"}).encode()) + "." + b64(json.dumps(claims).encode())
    mac = hmac.new(SIGNING_KEY.as_pem(private=False), signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64(mac)


# --- the access-token check on its own ------------------------------------------------------------

def test_a_genuine_access_token_is_accepted_with_its_claims():
    claims = validate_access_token(sign(access_claims()), JWKS, ISSUER, CLIENT_ID)
    assert claims["customer_number"] == "100001" and "b2b-partner" in claims["realm_access"]["roles"]


FORGERIES = {
    "wrong audience": lambda: sign(access_claims(aud=["account"])),
    "audience of another client only": lambda: sign(access_claims(aud="b2b-manager")),
    "no audience": lambda: sign({k: v for k, v in access_claims().items() if k != "aud"}),
    "wrong issuer": lambda: sign(access_claims(iss="https://id.example.test/realms/master")),
    "issuer with another host": lambda: sign(access_claims(iss="https://evil.example/realms/woundwo")),
    "bad signature (another key, same kid)": lambda: sign(access_claims(), IMPOSTER_KEY),
    "payload edited after signing": lambda: with_swapped_payload(
        sign(access_claims()), access_claims(customer_number="100002")),
    "expired": lambda: sign(access_claims(exp=int(time.time()) - 120)),
    "no expiry": lambda: sign({k: v for k, v in access_claims().items() if k != "exp"}),
    "alg none": lambda: unsigned(access_claims()),
    "HS256 keyed with the public key": lambda: hmac_with_public_key(access_claims()),
    "not a JWT": lambda: "not-a-token",
}


@pytest.mark.parametrize("forgery", FORGERIES, ids=list(FORGERIES))
def test_a_forged_or_foreign_access_token_is_rejected(forgery):
    with pytest.raises(TokenRejected):
        validate_access_token(FORGERIES[forgery](), JWKS, ISSUER, CLIENT_ID)


def test_a_token_signed_with_a_key_missing_from_the_jwks_asks_for_a_fresh_jwks():
    rotated = RSAKey.generate_key(2048, parameters={"kid": "rotated-key"})
    with pytest.raises(UnknownSigningKey):
        validate_access_token(sign(access_claims(), rotated), JWKS, ISSUER, CLIENT_ID)


# --- what the portal reads from validated claims --------------------------------------------------

def test_partner_claims_give_name_company_customer_number_and_b2b_roles():
    claims = access_claims()
    person = person_from_claims(id_claims("n", **{}), claims)
    assert (person.name, person.email, person.customer_number) == (
        "Camille Martin", "partner@pharmacie-centrale.example", "100001")
    assert person.company.company_name == "Pharmacie Centrale" and person.company.region == "west"
    assert person.roles == ["b2b-partner"] and person.is_partner
    assert Person.from_session(person.to_session()) == person


def test_a_manager_has_no_customer_number_no_company_and_no_partner_access():
    manager = {"sub": "m-1", "name": "Julie Bernard", "email": "manager.west@woundwo.example",
               "realm_access": {"roles": ["regional-manager", "offline_access", "default-roles-woundwo"]}}
    person = person_from_claims(manager, manager)
    assert (person.customer_number, person.company, person.is_partner) == (None, None, False)
    assert person.roles == ["regional-manager"]


def test_the_company_is_the_organization_of_the_customer_number_when_there_are_several():
    claims = id_claims("n", organization={
        "100002": {"company_name": ["Sanitätshaus Weber"], "customer_number": ["100002"], "region": ["east"]},
        "100001": {"company_name": ["Pharmacie Centrale"], "customer_number": ["100001"], "region": ["west"]}})
    person = person_from_claims(claims, access_claims())
    assert [o.alias for o in person.organizations] == ["100001", "100002"]
    assert person.company.company_name == "Pharmacie Centrale"


def test_tokens_about_different_people_are_refused_together():
    with pytest.raises(TokenRejected):
        person_from_claims(id_claims("n"), access_claims(sub="someone-else"))


def test_keycloak_built_in_roles_are_not_shown():
    assert b2b_roles({"realm_access": {"roles": ["uma_authorization", "b2b-admin", "default-roles-woundwo"]}}) == [
        "b2b-admin"]
    assert b2b_roles({}) == []


# --- the app, through its real sign-in callback ---------------------------------------------------

@pytest.fixture
def keycloak_fake():
    """Keycloak's discovery document and JWKS; tests add the token endpoint's answer."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as fake:
        fake.get(f"{ISSUER}/.well-known/openid-configuration", json={
            "issuer": ISSUER, "authorization_endpoint": f"{OIDC}/auth", "token_endpoint": f"{OIDC}/token",
            "jwks_uri": f"{OIDC}/certs", "end_session_endpoint": f"{OIDC}/logout",
            "userinfo_endpoint": f"{OIDC}/userinfo", "id_token_signing_alg_values_supported": ["RS256", "PS256"],
            "code_challenge_methods_supported": ["plain", "S256"]})
        fake.get(f"{OIDC}/certs", json=JWKS)
        yield fake


def portal_app(**overrides):
    return create_app({"SECRET_KEY": "test", "URL": PORTAL, "KEYCLOAK_URL": KEYCLOAK, "CLIENT_SECRET": "portal-secret",
                       **overrides})


@pytest.fixture
def client(keycloak_fake):
    return portal_app().test_client()


def start_sign_in(client) -> dict:
    """GET /login; return the authorization request's parameters."""
    response = client.get("/login")
    assert response.status_code == 302
    location = urlparse(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{OIDC}/auth"
    return {name: values[0] for name, values in parse_qs(location.query).items()}


def sign_in(client, keycloak_fake, id_token=None, access_token=None, **token_response):
    """Run the whole sign-in against the fake; `id_token`/`access_token` build tokens from the request's nonce."""
    request = start_sign_in(client)
    keycloak_fake.post(f"{OIDC}/token", json={
        "token_type": "Bearer", "expires_in": 300, "refresh_token": "refresh-1", "scope": "openid profile email",
        "id_token": (id_token or (lambda nonce: sign(id_claims(nonce))))(request["nonce"]),
        "access_token": access_token or sign(access_claims()), **token_response})
    return client.get(f"/callback?code=the-code&state={request['state']}&session_state=s"), request


def token_call(keycloak_fake):
    """The last request to the token endpoint and Keycloak's answer."""
    return [call for call in keycloak_fake.calls if call.request.url == f"{OIDC}/token"][-1]


def signed_in_page(client) -> str:
    return client.get("/").get_data(as_text=True)


def test_sign_in_asks_keycloak_for_the_code_flow_with_pkce_s256_and_a_nonce(client):
    request = start_sign_in(client)
    assert request["response_type"] == "code" and request["client_id"] == CLIENT_ID
    assert request["redirect_uri"] == f"{PORTAL}/callback" and "openid" in request["scope"].split()
    assert request["code_challenge_method"] == "S256" and len(request["code_challenge"]) == 43
    assert request["nonce"] and request["state"]


def test_genuine_tokens_sign_the_partner_in_and_the_page_shows_who_they_are(client, keycloak_fake):
    response, request = sign_in(client, keycloak_fake)
    assert (response.status_code, response.headers["Location"]) == (302, "/")
    page = signed_in_page(client)
    for shown in ("Camille Martin", "partner@pharmacie-centrale.example", "Pharmacie Centrale", "100001", "b2b-partner"):
        assert shown in page
    token_request = parse_qs(token_call(keycloak_fake).request.body)
    verifier = token_request["code_verifier"][0]
    assert b64(hashlib.sha256(verifier.encode()).digest()) == request["code_challenge"]
    assert token_request["code"] == ["the-code"]


ID_TOKEN_DEFECTS = {
    "wrong audience": lambda nonce: sign(id_claims(nonce, aud="b2b-manager", azp="b2b-manager")),
    "wrong audience, right azp": lambda nonce: sign(id_claims(nonce, aud="b2b-manager")),
    "wrong issuer": lambda nonce: sign(id_claims(nonce, iss="https://evil.example/realms/woundwo")),
    "bad signature": lambda nonce: sign(id_claims(nonce), IMPOSTER_KEY),
    "payload edited after signing": lambda nonce: with_swapped_payload(
        sign(id_claims(nonce)), id_claims(nonce, customer_number="100002")),
    "expired": lambda nonce: sign(id_claims(nonce, exp=int(time.time()) - 600)),
    "another sign-in's nonce": lambda nonce: sign(id_claims("a-replayed-nonce")),
    "alg none": lambda nonce: unsigned(id_claims(nonce)),
}
ACCESS_TOKEN_DEFECTS = {
    "wrong audience": sign(access_claims(aud=["account"])),
    "wrong issuer": sign(access_claims(iss="https://evil.example/realms/woundwo")),
    "bad signature": sign(access_claims(), IMPOSTER_KEY),
    "expired": sign(access_claims(exp=int(time.time()) - 600)),
}


@pytest.mark.parametrize("defect", ID_TOKEN_DEFECTS, ids=list(ID_TOKEN_DEFECTS))
def test_the_portal_refuses_a_bad_id_token_and_nobody_is_signed_in(client, keycloak_fake, defect):
    response, _ = sign_in(client, keycloak_fake, id_token=ID_TOKEN_DEFECTS[defect])
    assert response.status_code == 400
    assert "Sign-in did not work" in response.get_data(as_text=True)
    assert "100001" not in signed_in_page(client) and 'id="sign-in"' in signed_in_page(client)


@pytest.mark.parametrize("defect", ACCESS_TOKEN_DEFECTS, ids=list(ACCESS_TOKEN_DEFECTS))
def test_the_portal_refuses_a_bad_access_token_even_with_a_good_id_token(client, keycloak_fake, defect):
    response, _ = sign_in(client, keycloak_fake, access_token=ACCESS_TOKEN_DEFECTS[defect])
    assert response.status_code == 400
    assert 'id="sign-in"' in signed_in_page(client)


def test_a_callback_without_the_sign_in_it_answers_is_refused(client, keycloak_fake):
    assert client.get("/callback?code=the-code&state=made-up").status_code == 400


def test_keycloak_saying_no_is_a_failed_sign_in_not_an_error(client, keycloak_fake):
    request = start_sign_in(client)
    response = client.get(f"/callback?error=access_denied&state={request['state']}")
    assert response.status_code == 400


def test_an_unreachable_keycloak_answers_503(keycloak_fake):
    client = portal_app(KEYCLOAK_URL="https://down.example.test").test_client()
    keycloak_fake.get("https://down.example.test/realms/woundwo/.well-known/openid-configuration",
                      body=requests.ConnectionError("refused"))
    response = client.get("/login")
    assert response.status_code == 503 and "try again in a few minutes" in response.get_data(as_text=True)


def test_the_session_cookie_is_the_portals_own_httponly_and_lax(client, keycloak_fake):
    sign_in(client, keycloak_fake)
    cookie = client.get_cookie("woundwo_portal_session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax" and not cookie.secure
    assert client.get_cookie("woundwo_bridge_session") is None


def test_the_cookie_is_secure_when_the_portal_runs_on_https():
    assert portal_app(URL="https://portal.example.test").config["SESSION_COOKIE_SECURE"] is True


def test_logout_clears_the_portal_session_and_ends_the_keycloak_session(client, keycloak_fake):
    sign_in(client, keycloak_fake)
    id_token = token_call(keycloak_fake).response.json()["id_token"]
    page = signed_in_page(client)
    csrf = page.split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post("/logout", data={"csrf_token": csrf})
    location = urlparse(response.headers["Location"])
    query = {name: values[0] for name, values in parse_qs(location.query).items()}
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{OIDC}/logout"
    assert query["id_token_hint"] == id_token and query["post_logout_redirect_uri"] == f"{PORTAL}/signed-out"
    assert 'id="sign-in"' in signed_in_page(client)
    back = client.get(f"/signed-out?state={query['state']}", follow_redirects=True)
    assert "You have signed out." in back.get_data(as_text=True)


def test_logout_without_the_csrf_token_is_refused_and_the_person_stays_signed_in(client, keycloak_fake):
    sign_in(client, keycloak_fake)
    assert client.post("/logout").status_code == 400
    assert "100001" in signed_in_page(client)


def test_when_keycloak_refuses_the_refresh_the_person_is_signed_out(keycloak_fake):
    client = portal_app(REFRESH_AFTER=0).test_client()
    sign_in(client, keycloak_fake)
    keycloak_fake.replace(responses.POST, f"{OIDC}/token", status=400,
                          json={"error": "invalid_grant", "error_description": "Session not active"})
    page = signed_in_page(client)
    assert "Your sign-in has ended" in page and 'id="sign-in"' in page and "100001" not in page


def test_keycloak_failing_at_refresh_answers_503_and_keeps_the_portal_session(keycloak_fake):
    client = portal_app(REFRESH_AFTER=0).test_client()
    sign_in(client, keycloak_fake)
    keycloak_fake.replace(responses.POST, f"{OIDC}/token", status=502, body="Bad gateway")
    assert client.get("/").status_code == 503
    keycloak_fake.replace(responses.POST, f"{OIDC}/token", json={
        "token_type": "Bearer", "expires_in": 300, "refresh_token": "refresh-2",
        "id_token": sign(id_claims("x")), "access_token": sign(access_claims())})
    assert "100001" in signed_in_page(client)


def test_a_successful_refresh_keeps_the_person_signed_in_with_the_new_claims(keycloak_fake):
    client = portal_app(REFRESH_AFTER=0).test_client()
    sign_in(client, keycloak_fake)
    keycloak_fake.replace(responses.POST, f"{OIDC}/token", json={
        "token_type": "Bearer", "expires_in": 300, "refresh_token": "refresh-2",
        "id_token": sign(id_claims("ignored", name="Camille Martin-Durand")), "access_token": sign(access_claims())})
    assert "Camille Martin-Durand" in signed_in_page(client)


def test_a_partner_role_removed_in_keycloak_shows_at_the_next_refresh(keycloak_fake):
    client = portal_app(REFRESH_AFTER=0).test_client()
    sign_in(client, keycloak_fake)
    keycloak_fake.replace(responses.POST, f"{OIDC}/token", json={
        "token_type": "Bearer", "expires_in": 300, "refresh_token": "refresh-2", "id_token": sign(id_claims("x")),
        "access_token": sign(access_claims(realm_access={"roles": ["offline_access", "default-roles-woundwo"]}))})
    page = signed_in_page(client)
    assert 'id="no-partner-access"' in page and "b2b-partner" not in page


def test_a_refresh_that_returns_another_person_signs_out(keycloak_fake):
    client = portal_app(REFRESH_AFTER=0).test_client()
    sign_in(client, keycloak_fake)
    keycloak_fake.replace(responses.POST, f"{OIDC}/token", json={
        "token_type": "Bearer", "expires_in": 300, "refresh_token": "refresh-2",
        "id_token": sign(id_claims("x", sub="other")), "access_token": sign(access_claims(sub="other"))})
    assert "Your sign-in has ended" in signed_in_page(client)


def test_missing_settings_are_named_by_their_environment_variables():
    with pytest.raises(ConfigurationError, match="PORTAL_SECRET_KEY.*PORTAL_URL.*PORTAL_KEYCLOAK_URL.*PORTAL_CLIENT_SECRET"):
        create_app({"SECRET_KEY": None, "URL": None, "KEYCLOAK_URL": None, "CLIENT_SECRET": None})


def test_the_issuer_defaults_to_the_realm_url_and_can_be_pinned():
    assert portal_app().config["ISSUER"] == ISSUER
    assert portal_app(ISSUER="https://id.example.com/realms/woundwo/").config["ISSUER"] == \
        "https://id.example.com/realms/woundwo"
