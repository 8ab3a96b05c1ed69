"""What plan reports: only what the file states, compared the way Keycloak answers it."""

from __future__ import annotations

import pytest

from bridge.realm.apply import unsupported
from bridge.realm.diff import ABSENT, PRESENT, Action, Change, FieldChange, differences, plan
from bridge.realm.state import CLIENT, FLOW, REALM, REALM_ROLE


@pytest.mark.parametrize("wanted, live", [
    ({"sslRequired": "external"}, {"sslRequired": "external", "id": "4f1c", "notBefore": 0}),  # server fields ignored
    ({"redirectUris": ["a/*", "b/*"]}, {"redirectUris": ["b/*", "a/*"]}),  # plain lists are sets
    ({"attributes": {"pkce": "S256"}}, {"attributes": {"pkce": "S256", "client.secret.creation.time": "1"}}),
    ({"eventsExpiration": 7776000}, {"eventsExpiration": "7776000"}),  # numbers Keycloak answers as text
    ({"smtpServer": {"auth": True}}, {"smtpServer": {"auth": "true"}}),  # booleans Keycloak answers as text
    ({"smtpServer": {"user": ""}}, {"smtpServer": {}}),  # Keycloak drops an empty setting it is sent
], ids=["server-defaults", "unordered-list", "attributes-subset", "number-as-text", "bool-as-text", "empty-dropped"])
def test_what_keycloak_says_differently_but_means_the_same_is_no_difference(wanted, live):
    assert differences(wanted, live) == []


@pytest.mark.parametrize("wanted, live, expected", [
    ({"passwordPolicy": "length(14)"}, {"passwordPolicy": "length(12)"},
     [FieldChange("passwordPolicy", "length(12)", "length(14)")]),
    ({"redirectUris": ["new/*"]}, {"redirectUris": ["old/*"]}, [FieldChange("redirectUris", ["old/*"], ["new/*"])]),
    ({"redirectUris": ["a/*"]}, {"redirectUris": ["a/*", "extra/*"]}, [FieldChange("redirectUris", ["a/*", "extra/*"], ["a/*"])]),
    ({"loginTheme": "woundwo"}, {}, [FieldChange("loginTheme", ABSENT, "woundwo")]),
    ({"attributes": {"pkce": "S256"}}, {"attributes": {"pkce": "plain"}}, [FieldChange("attributes.pkce", "plain", "S256")]),
    ({"executions": [{"step": "cookie", "requirement": "REQUIRED"}]},
     {"executions": [{"step": "cookie", "requirement": "ALTERNATIVE"}]},
     [FieldChange("executions[0].requirement", "ALTERNATIVE", "REQUIRED")]),
    ({"executions": [{"step": "a"}]}, {"executions": [{"step": "a"}, {"step": "b"}]},
     [FieldChange("executions[1]", {"step": "b"}, ABSENT)]),
    ({"attributes": [{"name": "region", "max": 64}]}, {"attributes": [{"name": "region", "max": 80}, {"name": "x"}]},
     [FieldChange("attributes[region].max", 80, 64), FieldChange("attributes[x]", PRESENT, ABSENT)]),
], ids=["setting", "list-replaced", "list-extra", "missing-setting", "attribute", "flow-step", "extra-step",
        "named-list"])
def test_a_difference_names_the_field_and_both_values(wanted, live, expected):
    assert differences(wanted, live) == expected


def test_plan_lists_parts_to_create_and_to_update_in_apply_order():
    desired = {REALM: {"woundwo": {"emailTheme": "woundwo"}}, CLIENT: {"b2b-portal": {"enabled": True}},
               REALM_ROLE: {"auditor": {"description": "Reads"}, "b2b-partner": {"description": "Staff"}},
               FLOW: {"woundwo forms": {"description": "Form"}}}
    live = {REALM: {"woundwo": {"emailTheme": "keycloak"}}, CLIENT: {"b2b-portal": {"enabled": True}},
            REALM_ROLE: {"b2b-partner": {"description": "Staff"}}, FLOW: {"woundwo forms": {"description": "Form"}}}
    assert plan(desired, live) == [
        Change(REALM_ROLE, "auditor", Action.CREATE),
        Change(REALM, "woundwo", Action.UPDATE, (FieldChange("emailTheme", "keycloak", "woundwo"),)),
    ]


def test_a_realm_that_matches_has_an_empty_plan():
    desired = {CLIENT: {"b2b-portal": {"redirectUris": ["a/*"], "attributes": {"x": "1"}}}}
    live = {CLIENT: {"b2b-portal": {"redirectUris": ["a/*"], "attributes": {"x": "1", "y": "2"}, "id": "c1"}}}
    assert plan(desired, live) == []


@pytest.mark.parametrize("fields, refused", [
    ((FieldChange("executions[1].requirement", "ALTERNATIVE", "DISABLED"),), False),
    ((FieldChange("executions[3].config.denyErrorMessage", "a", "b"),), False),
    ((FieldChange("executions[0].config", ABSENT, {"alias": "x"}),), False),
    ((FieldChange("description", "a", "b"),), False),
    ((FieldChange("executions[0].step", "auth-cookie", "auth-otp-form"),), True),
    ((FieldChange("executions[2]", ABSENT, {"step": "x"}),), True),
    ((FieldChange("topLevel", True, False),), True),
], ids=["requirement", "config-value", "config-added", "description", "other-step", "new-step", "top-level"])
def test_apply_changes_a_flows_requirements_and_settings_but_not_its_steps(fields, refused):
    assert (unsupported(Change(FLOW, "woundwo forms", Action.UPDATE, fields)) is not None) is refused


def test_apply_does_not_create_flows():
    assert "does not create flows" in unsupported(Change(FLOW, "new flow", Action.CREATE))
