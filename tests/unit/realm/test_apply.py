"""apply refuses a plan it cannot make in full before its first call to Keycloak."""

from __future__ import annotations

import pytest

from bridge.realm.apply import UnsupportedChange, apply
from bridge.realm.diff import Action, Change, FieldChange
from bridge.realm.state import FLOW, REALM


class NoKeycloak:
    """An admin connection any call to which fails the test."""

    def __getattr__(self, name):
        pytest.fail(f"apply called Keycloak ({name}) although it refuses the plan")


def test_a_plan_with_a_flow_to_create_is_refused_whole_before_any_call():
    changes = [Change(REALM, "woundwo", Action.UPDATE, (FieldChange("loginTheme", "keycloak", "woundwo"),)),
               Change(FLOW, "woundwo otp", Action.CREATE)]
    with pytest.raises(UnsupportedChange, match="woundwo otp"):
        apply(NoKeycloak(), {"realm": "woundwo"}, {REALM: {"woundwo": {"loginTheme": "woundwo"}}}, changes)
