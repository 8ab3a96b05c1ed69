"""A partner who has not signed in for BRIDGE_INACTIVITY_DAYS gets a notice in their language; BRIDGE_INACTIVITY_GRACE_DAYS
later their access ends unless they signed in meanwhile; the last sign-ins come from Keycloak's LOGIN events and are
written down, since Keycloak deletes its events after 90 days."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from bridge.core.db import session
from bridge.core.models import AccessRequest, AuditEvent, OutboxItem, SignIn, utcnow
from bridge.keycloak.access import PARTNER_ROLE, has_access
from bridge.keycloak.access import MANAGER_ROLE
from bridge.keycloak.interface import KeycloakUnavailable
from bridge.privacy import inactivity
from bridge.privacy.rounds import privacy_round
from tests.unit.review.conftest import WEST, post
from tests.support.worker import run_outbox

YEAR, GRACE = timedelta(days=365), timedelta(days=30)


def partner(twin, email: str, language: str = "de", customer_number: str = "100001") -> str:
    organization_id = twin.ensure_organization(customer_number, "Pharmacie Centrale", "west")
    user_id = twin.ensure_user(email, "Lou", "Brun", language, {"customer_number": customer_number})
    twin.add_member(organization_id, user_id)
    twin.grant_realm_role(user_id, PARTNER_ROLE)
    return user_id


def watch(app, now: datetime) -> dict[str, int]:
    with app.app_context():
        return inactivity.watch(session(), app.extensions["bridge.worker_keycloak"],
                                app.extensions["bridge.broadcast"], now, app.config)


def sign_in_at(twin, user_id: str, at: datetime) -> None:
    twin.clock_ms = lambda: int(at.timestamp() * 1000)
    twin.start_session(user_id)


@pytest.fixture
def start():
    """The instant the bridge first lists the partners (real time: a partner is first seen when it happens)."""
    return utcnow()


def test_a_year_without_sign_in_brings_a_notice_in_the_persons_language_then_the_end_of_access(app, twin, mailbox, start):
    user_id = partner(twin, "lou.brun@pharmacie-centrale.example", "de")
    assert watch(app, start) == {"noticed": 0, "ended": 0}
    assert watch(app, start + YEAR - timedelta(minutes=1)) == {"noticed": 0, "ended": 0}
    assert watch(app, start + YEAR + timedelta(minutes=1)) == {"noticed": 1, "ended": 0}
    assert watch(app, start + YEAR + timedelta(days=1)) == {"noticed": 0, "ended": 0}, "one notice, not one a round"
    run_outbox(app, kinds=("mail",))
    [notice] = mailbox.to("lou.brun@pharmacie-centrale.example")
    body = notice.get_body(("plain",)).get_content()
    assert notice["Subject"].startswith("Ihr WOUNDWO B2B-Zugang endet bald") and "http://portal.test/" in body
    assert watch(app, start + YEAR + GRACE - timedelta(minutes=1))["ended"] == 0
    assert watch(app, start + YEAR + GRACE + timedelta(minutes=2)) == {"noticed": 0, "ended": 1}
    assert PARTNER_ROLE not in twin.realm_roles(user_id) and twin.customer_members("100001") == []
    with app.app_context():
        [event] = session().scalars(select(AuditEvent).where(AuditEvent.action == "revoked")).all()
        assert (event.actor, event.detail["reason"]) == ("system", "no sign-in for 365 days")
        assert session().scalars(select(SignIn)).all() == [], "nothing kept about someone no longer a partner"


def test_a_partner_whose_customer_left_the_directory_loses_access_too(app, twin, start):
    """The notice promised it: an inactive partner of a customer number the directory no longer has (or never had)
    loses access like any other; the audit says which customer number their account carried."""
    user_id = partner(twin, "ex.kunde@example.org", customer_number="999999")
    watch(app, start)
    assert watch(app, start + YEAR + timedelta(minutes=1))["noticed"] == 1
    assert watch(app, start + YEAR + GRACE + timedelta(minutes=2)) == {"noticed": 0, "ended": 1}
    assert PARTNER_ROLE not in twin.realm_roles(user_id) and twin.customer_members("999999") == []
    with app.app_context():
        [event] = session().scalars(select(AuditEvent).where(AuditEvent.action == "revoked")).all()
    assert (event.actor, event.detail["customer_number"]) == ("system", "999999")


def test_the_partners_are_listed_once_a_day_and_the_sign_ins_read_every_round(app, twin, start):
    """Listing the partners costs one Keycloak call per 100 of them (1,000 calls at 100,000 partners): the worker
    lists them once a day; the sign-ins since the last one noted are read every round."""
    first = partner(twin, "lou.brun@pharmacie-centrale.example")
    with app.app_context():
        assert privacy_round(start)["inactive"] == {"noticed": 0, "ended": 0}
        twin.calls.clear()
        second = partner(twin, "zoe.durand@pharmacie-centrale.example")
        sign_in_at(twin, first, start + timedelta(hours=1))
        privacy_round(start + timedelta(hours=2))
        assert "role_members" not in twin.calls and "sign_ins_since" in twin.calls
        assert abs(session().get(SignIn, first).last_sign_in_at - (start + timedelta(hours=1))) < timedelta(milliseconds=1)
        assert session().get(SignIn, second) is None, "new partners are noted at the next listing"
        privacy_round(start + timedelta(days=1, minutes=1))
        assert twin.calls.count("role_members") == 1 and session().get(SignIn, second) is not None


def test_when_keycloak_cannot_list_the_partners_those_the_bridge_approved_are_watched_still(app, twin, mailbox, start):
    """At 100,000 partners Keycloak's role listing does not finish within the worker's deadline (docs/benchmarks.md
    §7): the round goes on with the partners the bridge approved, from its own requests."""
    user_id = partner(twin, "lou.brun@pharmacie-centrale.example")
    with app.app_context():
        session().add(AccessRequest(
            customer_number="100001", company="Pharmacie Centrale", first_name="Lou", last_name="Brun",
            email="lou.brun@pharmacie-centrale.example", language="de", privacy_consent_at=start,
            assigned_manager_email="manager.west@woundwo.example", status="approved", keycloak_user_id=user_id))
        session().commit()
    twin.fail_next("role_members", KeycloakUnavailable("the listing timed out"), times=3)
    assert watch(app, start) == {"noticed": 0, "ended": 0}
    assert watch(app, start + YEAR + timedelta(minutes=1)) == {"noticed": 1, "ended": 0}


def test_a_partner_whose_access_ended_is_no_longer_watched_at_once(app, twin, reviewer_client, start):
    user_id = partner(twin, "lou.brun@pharmacie-centrale.example")
    watch(app, start)
    assert post(reviewer_client(WEST, MANAGER_ROLE), f"/manage/people/{user_id}/revoke", reason="left").status_code == 302
    with app.app_context():
        assert session().get(SignIn, user_id) is None
    assert watch(app, start + 2 * YEAR) == {"noticed": 0, "ended": 0}, "no notice to someone without access"


def test_signing_in_after_the_notice_keeps_the_access(app, twin, start):
    user_id = partner(twin, "lou.brun@pharmacie-centrale.example")
    watch(app, start)
    assert watch(app, start + YEAR + timedelta(minutes=1))["noticed"] == 1
    sign_in_at(twin, user_id, start + YEAR + timedelta(days=3))
    assert watch(app, start + YEAR + GRACE + timedelta(days=1)) == {"noticed": 0, "ended": 0}
    assert has_access(twin, "lou.brun@pharmacie-centrale.example")
    # a year after that sign-in, the next notice
    assert watch(app, start + 2 * YEAR + timedelta(days=4))["noticed"] == 1


def test_a_recent_sign_in_counts_and_is_kept_beyond_keycloaks_90_days(app, twin, start):
    user_id = partner(twin, "lou.brun@pharmacie-centrale.example")
    signed_in = datetime(2027, 3, 1, 9, 0, tzinfo=timezone.utc)
    sign_in_at(twin, user_id, signed_in)
    watch(app, start)
    twin.sign_ins.clear()  # Keycloak's eventsExpiration: the LOGIN event is gone
    assert watch(app, signed_in + YEAR - timedelta(minutes=1))["noticed"] == 0
    assert watch(app, signed_in + YEAR + timedelta(minutes=1))["noticed"] == 1


def test_managers_are_not_watched_and_zero_days_turns_it_off(app, twin, start):
    manager = twin.ensure_user("manager.west@woundwo.example", "M", "W", "fr", {})
    twin.grant_realm_role(manager, "regional-manager")
    partner(twin, "lou.brun@pharmacie-centrale.example")
    app.config["INACTIVITY_DAYS"] = 0
    assert watch(app, start + 3 * YEAR) == {"noticed": 0, "ended": 0}
    app.config["INACTIVITY_DAYS"] = 365
    watch(app, start)
    assert watch(app, start + 2 * YEAR)["noticed"] == 1


def test_the_worker_and_the_command_run_the_round(app, twin):
    partner(twin, "lou.brun@pharmacie-centrale.example")
    with app.app_context():
        assert app.test_cli_runner().invoke(args=["worker", "--once"]).exit_code == 0
        assert session().scalars(select(SignIn.keycloak_user_id)).all() == [twin.find_user_by_email(
            "lou.brun@pharmacie-centrale.example")["id"]]
        result = app.test_cli_runner().invoke(args=["privacy", "run", "--now", "2099-01-01T04:00"])
    assert result.exit_code == 0 and "'noticed': 1" in result.output, result.output


def test_keycloak_down_skips_the_inactivity_round_but_not_the_worker_or_the_retention(app, twin):
    twin.down = True
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["privacy", "run"])
        assert app.test_cli_runner().invoke(args=["worker", "--once"]).exit_code == 0
    assert result.exit_code == 0 and "'forgotten': {" in result.output and "'inactive': {}" in result.output, result.output


@pytest.mark.parametrize("language, subject, words", [
    ("fr", "Votre accès WOUNDWO B2B prendra bientôt fin", "prendra fin le 31 janvier 2027"),
    ("de", "Ihr WOUNDWO B2B-Zugang endet bald", "endet am 31. Januar 2027"),
    ("en", "Your WOUNDWO B2B access ends soon", "yours ends on January 31, 2027"),
])
def test_the_notice_speaks_the_persons_language_and_gives_the_date(app, twin, mailbox, language, subject, words):
    partner(twin, "lou.brun@pharmacie-centrale.example", language)
    with app.app_context():
        session().add(SignIn(keycloak_user_id=twin.find_user_by_email("lou.brun@pharmacie-centrale.example")["id"],
                             first_seen_at=datetime(2025, 12, 1, 9, 0, tzinfo=timezone.utc)))
        session().commit()
    watch(app, datetime(2027, 1, 1, 9, 0, tzinfo=timezone.utc))
    run_outbox(app, kinds=("mail",))
    [notice] = mailbox.messages
    assert notice["Subject"].startswith(subject) and words in notice.get_body(("plain",)).get_content()


def test_a_notice_another_worker_queued_a_moment_ago_is_not_doubled_and_the_round_goes_on(app, twin):
    user_id = partner(twin, "lou.brun@pharmacie-centrale.example")
    since = datetime(2025, 12, 1, 9, 0, tzinfo=timezone.utc)
    with app.app_context():
        session().add(SignIn(keycloak_user_id=user_id, first_seen_at=since))
        session().add(OutboxItem(kind="mail", payload={}, idempotency_key=f"inactive:{user_id}:{since:%Y%m%dT%H%M%S}"))
        session().commit()
        result = app.test_cli_runner().invoke(args=["privacy", "run", "--now", "2027-01-01T09:00"])
        assert result.exit_code == 0, result.output
        assert len(session().scalars(select(OutboxItem)).all()) == 1
