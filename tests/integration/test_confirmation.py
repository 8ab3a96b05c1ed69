"""The yearly confirmation against the real Keycloak and SMTP sink: a round started by the operator reaches the team
admin of customer 100001 by e-mail in their language; they sign in, remove a colleague who left (who can no longer
sign in and is "unknown" at once) and confirm the others; 30 days later only the lists still open get a reminder,
60 days later their regional managers are told."""

from __future__ import annotations

from datetime import timedelta

from bridge.core.models import utcnow
from devstack.seed import MANAGER_EAST, MANAGER_WEST, TEAM_ADMIN
from tests.integration.test_team import PASSWORD, colleague, portal_sign_in, team_admin, wait_for_mail
from tests.support.confirmation import answer, listed
from tests.support.oidc import authorization_code
from tests.support.worker import run_outbox


def command(app, *args: str):
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["confirmations", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_round_by_e_mail_a_removal_that_takes_effect_at_once_then_reminder_and_escalation(
        app, gateway, keycloak, test_env, mailcatcher):
    leaver_id, leaver = colleague(gateway, "100001", "Pharmacie Centrale")
    stayer_id, _ = colleague(gateway, "100001", "Pharmacie Centrale")
    east_id, _ = colleague(gateway, "100002", "Sanitätshaus Berger GmbH")
    start = utcnow()
    assert "round 1 started" in command(app, "start", "--now", start.strftime("%Y-%m-%dT%H:%M:%S%z"))
    run_outbox(app, kinds=("mail",))
    invitation = wait_for_mail(mailcatcher, TEAM_ADMIN.email, "Qui travaille encore chez Pharmacie Centrale")
    assert f"{test_env['BRIDGE_PUBLIC_URL']}/team/confirm?lang=fr" in invitation["Text"]
    wait_for_mail(mailcatcher, MANAGER_EAST.email, "Wer arbeitet noch bei Sanitätshaus")  # 100002 has no team admin

    client = team_admin(app)
    people = listed(client, "/team/confirm")
    assert {leaver_id, stayer_id} <= people.keys() and east_id not in people
    given = {user_id: "removed" if user_id == leaver_id else "confirmed" for user_id in people}
    assert answer(client, "/team/confirm", given).status_code == 302

    assert app.test_client().post("/api/v1/email-status", json={"email": leaver}).json == {"status": "unknown"}
    attempt, callback = portal_sign_in(keycloak, test_env, leaver, PASSWORD)
    assert attempt.status_code == 401 and authorization_code(attempt, callback) is None
    assert "b2b-partner" in gateway.realm_roles(stayer_id)
    run_outbox(app, kinds=("mail",))
    wait_for_mail(mailcatcher, MANAGER_WEST.email, leaver)  # the team admin's removal is told to the manager

    reminded = command(app, "follow-up", "--now", (start + timedelta(days=30, minutes=1)).strftime("%Y-%m-%dT%H:%M:%S%z"))
    assert "'reminded': " in reminded and "'reminded': 0" not in reminded
    run_outbox(app, kinds=("mail",))
    wait_for_mail(mailcatcher, MANAGER_EAST.email, "Erinnerung")
    assert not [summary for summary in mailcatcher.messages() if summary["Subject"].startswith("Rappel")
                and TEAM_ADMIN.email in {to["Address"].lower() for to in summary["To"]}], "100001 is fully answered"
    assert "'escalated': " in command(app, "follow-up", "--now",
                                      (start + timedelta(days=60)).strftime("%Y-%m-%dT%H:%M:%S%z"))
    run_outbox(app, kinds=("mail",))
    told = wait_for_mail(mailcatcher, MANAGER_EAST.email, "unbestätigt")
    assert "Sanitätshaus Berger GmbH (100002)" in told["Text"]
    assert "b2b-partner" in gateway.realm_roles(east_id), "by default the unconfirmed keep their access"
