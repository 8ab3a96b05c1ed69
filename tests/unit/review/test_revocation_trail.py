"""A revocation leaves a trace and a way back: the request says "access ended", its history and the people
list say who ended it, when and why, and a manager of that customer can give the access back (audited)."""

from __future__ import annotations

from sqlalchemy import select

from bridge.core.db import session
from bridge.core.models import OutboxItem, OutboxKind, OutboxStatus, RequestStatus
from bridge.keycloak.access import PARTNER_ROLE
from tests.support.forms import VALID_REQUEST
from tests.support.worker import run_outbox
from tests.unit.review.conftest import EAST, WEST, audit, post, stored

EMAIL = VALID_REQUEST["email"]


def provisioned(app, twin, west, request_id: int) -> str:
    """The request approved and its account created; return the Keycloak id."""
    assert post(west, f"/manage/requests/{request_id}/approve", confirmed="yes").status_code == 302
    assert run_outbox(app, kinds=(OutboxKind.PROVISION,)) == {"sent": 1}
    return twin.find_user_by_email(EMAIL)["id"]


def test_a_revocation_shows_on_the_request_its_history_and_the_people_list(app, twin, west, west_request):
    user_id = provisioned(app, twin, west, west_request)
    detail = f"/manage/requests/{west_request}"
    assert post(west, f"/manage/people/{user_id}/revoke", reason="left the company", back=detail).status_code == 302
    assert stored(app, west_request).status == RequestStatus.REVOKED
    page = west.get(detail).get_data(as_text=True)
    assert 'id="access-ended"' in page and "Access ended" in page
    assert f"access ended by {WEST}: left the company" in page
    ended = page.split('id="ended-title"')[1].split("</table>")[0]
    assert "zoe<wbr>.durand<wbr>@pharmacie-centrale<wbr>.example" in ended and "manager<wbr>.west" in ended and "left the company" in ended and "Give access again" in ended
    assert "Access ended" in west.get("/manage/?status=revoked").get_data(as_text=True)


def test_a_manager_gives_access_back_and_the_person_is_known_again(app, twin, west, west_request):
    user_id = provisioned(app, twin, west, west_request)
    post(west, f"/manage/people/{user_id}/revoke", reason="left the company")
    check = lambda: app.test_client().post("/api/v1/email-status", json={"email": EMAIL}).json  # noqa: E731
    assert check() == {"status": "unknown"}
    assert post(west, f"/manage/people/{user_id}/regrant").status_code == 302
    assert PARTNER_ROLE in twin.realm_roles(user_id)
    assert [member["id"] for member in twin.customer_members("100001")] == [user_id]
    assert stored(app, west_request).status == RequestStatus.APPROVED
    assert audit(app)[-1] == (WEST, "regranted") and check() == {"status": "known"}
    page = west.get(f"/manage/requests/{west_request}").get_data(as_text=True)
    assert 'id="ended-title"' not in page and f"access given again by {WEST}" in page


def test_another_regions_manager_cannot_give_access_back(app, twin, west, east, west_request):
    user_id = provisioned(app, twin, west, west_request)
    post(west, f"/manage/people/{user_id}/revoke", reason="left the company")
    assert post(east, f"/manage/people/{user_id}/regrant").status_code == 404
    assert PARTNER_ROLE not in twin.realm_roles(user_id) and (EAST, "regranted") not in audit(app)


def test_access_ended_before_0400_holds_the_activation_and_giving_it_back_rearms_it(app, twin, west, west_request):
    user_id = provisioned(app, twin, west, west_request)
    due = stored(app, west_request).activation_due_at
    post(west, f"/manage/people/{user_id}/revoke", reason="asked by mistake")
    run_outbox(app, due, (OutboxKind.ACTIVATION,))
    assert twin.action_emails == [] and stored(app, west_request).activation_sent_at is None
    post(west, f"/manage/people/{user_id}/regrant")
    rearmed = stored(app, west_request).activation_due_at
    with app.app_context():
        item = session().scalars(select(OutboxItem).where(OutboxItem.kind == OutboxKind.ACTIVATION)).one()
        assert item.status == OutboxStatus.PENDING and item.next_attempt_at == rearmed
    run_outbox(app, rearmed, (OutboxKind.ACTIVATION,))
    assert [mail.user_id for mail in twin.action_emails] == [user_id]
