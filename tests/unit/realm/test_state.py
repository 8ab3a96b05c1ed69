"""The file cut into parts: secrets never reach plan, placeholders are filled, a bad file is named."""

from __future__ import annotations

import json

import pytest

from bridge.realm.report import describe
from bridge.realm.diff import plan
from bridge.realm.source import RealmFileError, fill, load
from bridge.realm.state import CLIENT, CLIENT_MAPPER, CLIENT_ROLE, FLOW, REALM, USER_PROFILE, desired
from devstack.keycloak import REALM_FILE
from devstack.settings import DEV_PORTS, stack_env

SECRET = "do-not-print-this-secret"


def realm(**extra) -> dict:
    return {"realm": "woundwo", "smtpServer": {"host": "smtp", "password": SECRET},
            "clients": [{"clientId": "b2b-portal", "secret": SECRET, "redirectUris": ["${PORTAL_URL}/*"],
                         "protocolMappers": [{"name": "audience", "config": {"a": "b"}}]}], **extra}


def test_secrets_are_left_out_of_the_parts_so_plan_never_shows_them():
    parts = desired(realm())
    assert SECRET not in json.dumps(parts)
    live = {REALM: {"woundwo": {"smtpServer": {"host": "old"}}}, CLIENT: {"b2b-portal": {"redirectUris": []}}}
    assert SECRET not in "\n".join(describe(plan(parts, live)))


def test_clients_mappers_and_roles_are_parts_of_their_own():
    parts = desired(realm(roles={"client": {"account": [{"name": "view-profile", "description": "d", "composite": False}]}}))
    assert parts[CLIENT]["b2b-portal"] == {"clientId": "b2b-portal", "redirectUris": ["${PORTAL_URL}/*"]}
    assert parts[CLIENT_MAPPER] == {"b2b-portal/audience": {"name": "audience", "config": {"a": "b"}}}
    assert parts[CLIENT_ROLE] == {"account/view-profile": {"description": "d"}}


def test_placeholders_are_filled_inside_values_without_breaking_json():
    assert fill({"u": ["${PORTAL_URL}/*"], "t": "${profileScopeConsentText}"}, {"PORTAL_URL": 'https://p"q'}) == \
        {"u": ['https://p"q/*'], "t": "${profileScopeConsentText}"}


def test_the_shipped_file_gives_every_part_a_name():
    parts = desired(load(REALM_FILE, stack_env(DEV_PORTS)))
    assert "woundwo browser" in parts[FLOW] and parts[USER_PROFILE]
    assert parts[FLOW]["woundwo access ended"]["executions"][3]["config"] == \
        {"alias": "access ended", "denyErrorMessage": "accessEnded"}
    assert parts[CLIENT]["b2b-portal"]["redirectUris"] == [f"http://localhost:{DEV_PORTS.portal}/*"]


@pytest.mark.parametrize("text, env, message", [
    ('{"realm": ', {}, "not valid JSON"),
    ('["woundwo"]', {}, "the realm has no name"),
    ('{"realm": "  "}', {}, "the realm has no name"),
    ('{"realm": "woundwo", "clients": [{"secret": "${PORTAL_CLIENT_SECRET}"}]}', {},
     "needs these environment variables: PORTAL_CLIENT_SECRET"),
    (b"\xff\xfe", {}, "cannot read it"),
], ids=["invalid-json", "not-an-object", "blank-name", "placeholder-without-value", "not-utf8"])
def test_a_bad_realm_file_is_refused_with_its_reason(tmp_path, text, env, message):
    path = tmp_path / "realm.json"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(RealmFileError, match=message):
        load(path, env)


def test_a_user_profile_that_is_not_json_is_refused():
    component = {"config": {"kc.user.profile.config": ["{not json"]}}
    with pytest.raises(RealmFileError, match="user profile"):
        desired({"realm": "woundwo", "components": {"org.keycloak.userprofile.UserProfileProvider": [component]}})
