"""A team admin's view of their customer: colleagues with access, pending requests, invitations, removals.

Everything is scoped to the customer number Keycloak holds for the signed-in team admin (their
`customer_number` attribute, which only the bridge and Keycloak's admins can set): a person or request of
another customer is "not found", whatever id a URL carries. Invitations go through the public form's
rules (access_requests.service.submit); removals through the managers' end of access (review.service).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bridge.access_requests.service import NewRequest, Outcome, OutcomeKind, submit
from bridge.core import audit
from bridge.core.broadcast import Broadcast
from bridge.core.links import review_url
from bridge.core.models import AccessRequest, Customer, RequestStatus, SignIn
from bridge.delivery import mailer, outbox
from bridge.keycloak.access import ADMIN_ROLE, PARTNER_ROLE, TEAM_ADMIN_ROLE, team_admins_among
from bridge.keycloak.interface import KeycloakDirectory
from bridge.keycloak.profile import customer_number_of
from bridge.review.service import Reviewer, approve, end_access

# Who approves a vouched request at once where the region's setting allows it (the history says so).
AUTO_APPROVAL = Reviewer(email="auto-approval", name="auto-approval", roles=frozenset({ADMIN_ROLE}))


class NotOnTeam(LookupError):
    """The person does not belong to the team admin's customer (or does not exist)."""


class OwnAccess(ValueError):
    """A team admin cannot remove themselves (their regional manager can)."""


@dataclass(frozen=True)
class TeamAdmin:
    """The signed-in team admin, as Keycloak knows them now."""

    user_id: str
    email: str
    name: str
    customer_number: str

    @property
    def domain(self) -> str:
        return self.email.rsplit("@", 1)[-1]


@dataclass(frozen=True)
class Colleague:
    """A person with access for the team admin's customer."""

    user_id: str
    name: str
    email: str
    since: datetime | None
    last_sign_in: datetime | None
    team_admin: bool


def team_admin(directory: KeycloakDirectory, user_id: str) -> TeamAdmin | None:
    """The user as a team admin: enabled, with the partner and team admin roles and a customer number; else None.
    Asked on every page, so that a role taken or an access ended counts at once."""
    user = directory.get_user(user_id)
    if user is None or not user.get("enabled") or not customer_number_of(user):
        return None
    if not {PARTNER_ROLE, TEAM_ADMIN_ROLE} <= directory.realm_roles(user_id):
        return None
    name = " ".join(part for part in (user.get("firstName"), user.get("lastName")) if part) or user["email"]
    return TeamAdmin(user_id, user["email"].lower(), name, customer_number_of(user))


def _from_ms(moment_ms: int | None) -> datetime | None:
    return datetime.fromtimestamp(moment_ms / 1000, timezone.utc) if moment_ms else None


def colleagues(session: Session, directory: KeycloakDirectory, admin: TeamAdmin) -> list[Colleague]:
    """The people with access for the team admin's customer, by name: since when (the approval, else the
    account's creation) and their last sign-in as the worker last read it from Keycloak's LOGIN events (every
    ten minutes, kept beyond Keycloak's 90 days in the table sign_in: docs/privacy.md)."""
    members = [member for member in directory.customer_members(admin.customer_number) if member.get("enabled")]
    team_admins = team_admins_among(directory, members)
    approved = dict(session.execute(select(AccessRequest.keycloak_user_id, func.min(AccessRequest.decided_at)).where(
        AccessRequest.keycloak_user_id.in_([member["id"] for member in members]),
        AccessRequest.status == RequestStatus.APPROVED).group_by(AccessRequest.keycloak_user_id)).all())
    signed_in = dict(session.execute(select(SignIn.keycloak_user_id, SignIn.last_sign_in_at).where(
        SignIn.keycloak_user_id.in_([member["id"] for member in members]))).all())
    people = [Colleague(
        member["id"], " ".join(part for part in (member.get("firstName"), member.get("lastName")) if part),
        member.get("email", ""), approved.get(member["id"]) or _from_ms(member.get("createdTimestamp")),
        signed_in.get(member["id"]), member["id"] in team_admins) for member in members]
    return sorted(people, key=lambda person: (person.name.lower(), person.email))


def pending(session: Session, admin: TeamAdmin) -> list[AccessRequest]:
    """The customer's requests waiting for the regional manager, oldest first."""
    return list(session.scalars(select(AccessRequest).where(
        AccessRequest.customer_number == admin.customer_number, AccessRequest.status == RequestStatus.PENDING,
    ).order_by(AccessRequest.created_at, AccessRequest.id)))


@dataclass(frozen=True)
class Invitation:
    """A colleague the team admin asks access for."""

    first_name: str
    last_name: str
    email: str
    language: str


def auto_approves(region: str, regions: tuple[str, ...], admin: TeamAdmin, email: str) -> bool:
    """Whether a vouched request is approved at once: its region chose so, and the address has the team admin's
    e-mail domain (someone of the same company, as far as an address can tell)."""
    return region.lower() in regions and email.rsplit("@", 1)[-1].lower() == admin.domain


def invite(session: Session, directory: KeycloakDirectory, broadcast: Broadcast, admin: TeamAdmin,
           invitation: Invitation, now: datetime, config: dict, remote_addr: str) -> Outcome:
    """A request for a colleague, vouched for by the team admin, through the public form's rules; the regional
    manager decides, unless the region approves vouched requests of the team admin's domain at once."""
    customer = session.get(Customer, admin.customer_number)
    outcome = submit(session, directory, broadcast, NewRequest(
        customer_number=admin.customer_number, company=customer.company, first_name=invitation.first_name,
        last_name=invitation.last_name, email=invitation.email, phone="", job_title="",
        language=invitation.language, message="", vouched_by=admin.email,
    ), now, config["PUBLIC_URL"], config["FALLBACK_MANAGER_EMAIL"])
    if outcome.kind != OutcomeKind.CREATED:
        return outcome
    audit.record(session, admin.email, "invited", outcome.request.id, remote_addr, now,
                 customer_number=admin.customer_number)
    session.commit()
    if auto_approves(customer.region, config["TEAM_AUTO_APPROVE_REGIONS"], admin, outcome.request.email):
        approve(session, AUTO_APPROVAL, outcome.request.id, f"vouched for by {admin.email}, same e-mail domain", now,
                config["TIME_ZONE"], remote_addr)
    return outcome


def colleague(directory: KeycloakDirectory, admin: TeamAdmin, user_id: str) -> dict:
    """A person of the team admin's customer, or NotOnTeam."""
    person = directory.get_user(user_id)
    if person is None or customer_number_of(person) != admin.customer_number:
        raise NotOnTeam(user_id)
    return person


def remove(session: Session, directory: KeycloakDirectory, broadcast: Broadcast, admin: TeamAdmin, user_id: str,
           reason: str, now: datetime, public_url: str, fallback_manager: str, remote_addr: str) -> dict:
    """End a colleague's access at once (review.service.end_access: roles, membership, sessions, the e-mail
    check), audited with the team admin as the actor; the regional manager is told by e-mail."""
    person = colleague(directory, admin, user_id)
    if user_id == admin.user_id:
        raise OwnAccess(user_id)
    customer = session.get(Customer, admin.customer_number)
    latest = session.scalars(select(AccessRequest.id).where(AccessRequest.keycloak_user_id == user_id)
                             .order_by(AccessRequest.id.desc())).first()
    notice = mailer.compose(
        "team_member_removed", customer.manager_email or fallback_manager, customer.manager_language,
        person=person, customer=customer, admin=admin, reason=reason.strip(),
        review_url=review_url(public_url, latest) if latest else f"{public_url}/manage/")
    # Queued before the change and committed with it: no notice without a removal, nor the other way round.
    outbox.enqueue_mail(session, notice, f"team:{user_id}:removed:{int(now.timestamp())}")
    end_access(session, directory, broadcast, admin.email, person, customer.customer_number, reason, now, remote_addr,
               via="team")
    return person
