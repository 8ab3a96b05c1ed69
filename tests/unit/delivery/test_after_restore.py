"""After a restore from a dump, an activation the dump does not record as sent is never sent twice blindly:
Keycloak's admin events settle it where Keycloak's database is the newer one; otherwise it is held until an
operator releases it. A schema from a newer bridge is refused with a clear message, and nothing changes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import create_engine, select, text

from bridge.core.db import session
from bridge.core.migrate import SchemaFromAnotherVersion, upgrade
from bridge.core.models import OutboxItem, OutboxKind, OutboxStatus
from bridge.delivery import activation
from tests.support.worker import run_outbox

ACTIVATION = (OutboxKind.ACTIVATION,)


def after_restore(app, twin, now):
    with app.app_context():
        return activation.after_restore(session(), twin, now)


def item_status(app, request_id: int) -> str:
    with app.app_context():
        return session().scalars(select(OutboxItem).where(
            OutboxItem.idempotency_key == f"request:{request_id}:activation")).one().status


def test_an_activation_keycloak_recorded_after_the_dump_is_recorded_as_sent_not_sent_again(app, twin, due):
    request_id, at = due
    user_id = twin.find_user_by_email("lou.brun@pharmacie-centrale.example")["id"]
    twin.clock_ms = lambda: int(at.timestamp() * 1000)
    twin.send_set_password_email(user_id, 86400, "b2b-portal", "http://portal.test/")  # after the bridge's dump
    assert after_restore(app, twin, at + timedelta(hours=5)) == {"sent": [request_id], "held": []}
    assert run_outbox(app, at + timedelta(hours=5), ACTIVATION) == {}
    assert len(twin.action_emails) == 1


def test_an_activation_nobody_recorded_is_held_until_released_and_then_sent_once(app, twin, due):
    request_id, at = due
    assert after_restore(app, twin, at + timedelta(hours=5)) == {"sent": [], "held": [request_id]}
    assert run_outbox(app, at + timedelta(hours=5), ACTIVATION) == {} and twin.action_emails == []
    with app.app_context():
        assert activation.release(session(), [request_id], at + timedelta(hours=6)) == 1
    assert run_outbox(app, at + timedelta(hours=6), ACTIVATION) == {"sent": 1}
    assert len(twin.action_emails) == 1


def test_an_activation_not_due_yet_is_left_to_go_out_at_0400(app, twin, due):
    request_id, at = due
    assert after_restore(app, twin, at - timedelta(hours=1)) == {"sent": [], "held": []}
    assert item_status(app, request_id) == OutboxStatus.PENDING


def test_the_commands_say_what_they_did(app, twin, due):
    request_id, at = due
    runner = app.test_cli_runner()
    with app.app_context():
        held = runner.invoke(args=["activations", "after-restore", "--now", f"{at + timedelta(hours=1):%Y-%m-%dT%H:%M%z}"])
        listed = runner.invoke(args=["activations", "list"])
        refused = runner.invoke(args=["activations", "release"])
        released = runner.invoke(args=["activations", "release", "--all"])
    assert "1 activation(s) held" in held.output and f"request {request_id}" in held.output
    assert "held" in listed.output
    assert refused.exit_code == 2 and "--all" in refused.output
    assert "1 activation(s) released" in released.output


def test_a_schema_from_a_newer_bridge_is_refused_with_a_clear_message_and_left_as_it_is(tmp_path):
    url = f"sqlite:///{tmp_path / 'restored.sqlite'}"
    upgrade(url)
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    with pytest.raises(SchemaFromAnotherVersion, match="revision 0099, which this bridge does not know.*nothing was "
                                                        "changed"):
        upgrade(url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0099"
    engine.dispose()


def test_db_upgrade_says_so_and_fails(make_bridge, tmp_path):
    url = f"sqlite:///{tmp_path / 'restored.sqlite'}"
    upgrade(url)
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    engine.dispose()
    bridge = make_bridge(DATABASE_URL=url)
    with bridge.app_context():
        result = bridge.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 1 and "comes from a newer bridge" in result.output
