"""Provisioning: after an approval, the person's organization, account, membership and role in Keycloak;
when that fails for good, the request says why and its manager is told. And its reverse: ending a person's
access (a manager's revocation, or the end of a suspended customer's grace period)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from bridge.core import audit
from bridge.core.broadcast import ACCESS_CHANGED, Broadcast
from bridge.core.models import (AccessRequest, Answer, ConfirmationEntry, Customer, OutboxKind, ProvisioningError,
                                RequestStatus, SignIn)
from bridge.core.links import review_url
from bridge.delivery import mailer, outbox
from bridge.keycloak import profile
from bridge.keycloak.access import PARTNER_ROLE, TEAM_ADMIN_ROLE
from bridge.keycloak.interface import KeycloakDirectory, KeycloakRefused

# Said to the manager on the request page and in the e-mail; each says what to do.
EXPLANATIONS = {
    ProvisioningError.NAME: _l("Keycloak does not accept a character in the first or last name (< > & \" $ % ! # ? "
                               "§ ; * ~ / \\ | ^ = [ ] { } ( ) or control characters). Correct the name and try again."),
    ProvisioningError.EMAIL: _l("Keycloak does not accept the e-mail address: the part before the @ may not hold "
                                "accents or letters other than a to z. Correct the address and try again."),
    ProvisioningError.REFUSED: _l("Keycloak refused to create the account. Check the name and the e-mail address "
                                  "and try again; if it fails again, ask an administrator."),
    ProvisioningError.UNREACHABLE: _l("Keycloak could not be reached for several hours. Nothing needs correcting: "
                                      "try again."),
}


def enqueue(session: Session, request: AccessRequest, attempt: int = 0) -> None:
    """Queue provisioning for an approved request (`attempt` counts a manager's retries after a failure)."""
    key = f"request:{request.id}:provision" + (f":{attempt}" if attempt else "")
    outbox.enqueue(session, OutboxKind.PROVISION, {"request_id": request.id, "attempt": attempt}, key)


def provision(session: Session, directory: KeycloakDirectory, broadcast: Broadcast, payload: dict,
              now: datetime) -> None:
    """Outbox handler: the organization, the user, the membership and the role exist in Keycloak afterwards.

    Idempotent: every step tolerates having been done before, so a retry after a failure part-way,
    a second approval attempt or two workers converge on one user and one membership. Every bridge
    process then forgets a cached "unknown" for the address, so the person turns green at once.
    """
    request = session.get(AccessRequest, payload["request_id"])
    if request.status != RequestStatus.APPROVED:
        return  # revoked before the worker came to it: nothing to create
    customer = session.get(Customer, request.customer_number)
    user_id = directory.ensure_user(request.email, request.first_name, request.last_name, request.language,
                                    {"customer_number": customer.customer_number})
    grant_access(directory, customer, user_id)
    if request.keycloak_user_id != user_id:
        request.keycloak_user_id = user_id
        audit.record(session, "system", "provisioned", request.id, "", now, keycloak_user_id=user_id)
    broadcast.publish(ACCESS_CHANGED, request.email)


def grant_access(directory: KeycloakDirectory, customer: Customer, user_id: str) -> None:
    """The person is a member of the customer's organization (created if needed) and holds the partner role;
    every step tolerates having been done before."""
    organization_id = directory.ensure_organization(customer.customer_number, customer.company, customer.region)
    directory.add_member(organization_id, user_id)
    directory.grant_realm_role(user_id, PARTNER_ROLE)


def end_access(session: Session, directory: KeycloakDirectory, actor: str, person: dict, customer_number: str,
               reason: str, now: datetime, remote_addr: str, **detail) -> None:
    """End a person's B2B access: the team admin role, the partner role, the membership and every session in
    Keycloak; their approved requests say "revoked", each with an audit entry (with `detail`), and a yearly
    confirmation no longer waits for them; in the caller's transaction (the caller commits and broadcasts)."""
    directory.take_realm_role(person["id"], TEAM_ADMIN_ROLE)
    directory.revoke_access(person["id"], customer_number, PARTNER_ROLE)
    request_ids = change_requests_of(session, person, RequestStatus.APPROVED, RequestStatus.REVOKED)
    # Nobody watches their sign-ins any more (bridge/privacy/inactivity.py) nor needs to confirm them in a running
    # yearly confirmation (bridge/confirmation/).
    session.execute(delete(SignIn).where(SignIn.keycloak_user_id == person["id"]))
    session.execute(update(ConfirmationEntry).where(
        ConfirmationEntry.keycloak_user_id == person["id"], ConfirmationEntry.answer == Answer.OPEN,
    ).values(answer=Answer.ENDED, answered_at=now))
    record_for_person(session, actor, "revoked", request_ids, person, customer_number, remote_addr, now, reason=reason,
                      **detail)


def change_requests_of(session: Session, person: dict, before: RequestStatus, after: RequestStatus) -> list[int]:
    """Move the person's requests from one status to another; return their ids."""
    ids = list(session.scalars(select(AccessRequest.id).where(
        or_(AccessRequest.keycloak_user_id == person["id"], AccessRequest.email == person.get("email", "")),
        AccessRequest.status == before)))
    if ids:
        session.execute(update(AccessRequest).where(AccessRequest.id.in_(ids)).values(status=after))
    return ids


def record_for_person(session: Session, actor: str, action: str, request_ids: list[int], person: dict,
                      customer_number: str, remote_addr: str, now: datetime, **detail) -> None:
    """One audit entry per request of the person (so each request's history shows it), or one without."""
    for request_id in request_ids or [None]:
        audit.record(session, actor, action, request_id, remote_addr, now, keycloak_user_id=person["id"],
                     email=person.get("email", ""), customer_number=customer_number, **detail)


def failed(session: Session, payload: dict, error: BaseException, now: datetime, public_url: str) -> None:
    """Outbox failure handler: the request is marked "account not created" with a reason a manager can act
    on, and the assigned manager gets an e-mail linking to the request, where they correct and retry."""
    request = session.get(AccessRequest, payload["request_id"])
    if request.status != RequestStatus.APPROVED:
        return
    request.status, request.provisioning_error, request.updated_at = RequestStatus.FAILED, reason(request, error), now
    audit.record(session, "system", "provisioning_failed", request.id, "", now, reason=request.provisioning_error)
    customer = session.get(Customer, request.customer_number)
    mail = mailer.compose("provisioning_failed", request.assigned_manager_email, customer.manager_language,
                          request=request, customer=customer, explanation=EXPLANATIONS[request.provisioning_error],
                          review_url=review_url(public_url, request.id))
    outbox.enqueue_mail(session, mail, f"request:{request.id}:provisioning-failed:{payload.get('attempt', 0)}")


def reason(request: AccessRequest, error: BaseException) -> ProvisioningError:
    """What the manager can do about it: correct the name or the address, or try again later."""
    if not isinstance(error, KeycloakRefused):
        return ProvisioningError.UNREACHABLE
    if profile.name_problem(request.first_name) or profile.name_problem(request.last_name):
        return ProvisioningError.NAME
    if profile.email_problem(request.email):
        return ProvisioningError.EMAIL
    return ProvisioningError.REFUSED
