"""Managers' decisions on account requests: who may see what, approve, reject, reassign, revoke, provision.

Every query is scoped here, on the server: a regional manager sees the requests assigned to their own
e-mail, an admin sees all; anything else is "not found", so ids reveal nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.orm import Session

from bridge.core import audit
from bridge.core.broadcast import ACCESS_CHANGED, Broadcast
from bridge.core.models import AccessRequest, AuditEvent, Customer, OutboxItem, OutboxStatus, RequestStatus
from bridge.delivery import activation, directory_changes, mailer, outbox, provisioning
from bridge.delivery.schedule import next_activation
from bridge.keycloak import profile
from bridge.keycloak.access import ADMIN_ROLE, MANAGER_ROLE, PARTNER_ROLE, TEAM_ADMIN_ROLE
from bridge.keycloak.interface import KeycloakDirectory

PAGE_SIZE = 50


class NotVisible(LookupError):
    """The request (or person) does not exist for this manager."""


@dataclass(frozen=True)
class Reviewer:
    """The signed-in manager or admin, from the validated ID token."""

    email: str
    name: str
    roles: frozenset[str]
    stands_in_for: frozenset[str] = frozenset()  # managers absent today who named this reviewer their deputy

    @property
    def is_admin(self) -> bool:
        return ADMIN_ROLE in self.roles

    @property
    def may_review(self) -> bool:
        return self.is_admin or MANAGER_ROLE in self.roles


def _visible_to(reviewer: Reviewer) -> list:
    """The conditions on a request that the reviewer may see: their own requests, those escalated to them, those
    of the managers they stand in for today; none for an admin (everything)."""
    if reviewer.is_admin:
        return []
    return [or_(AccessRequest.assigned_manager_email == reviewer.email, AccessRequest.escalated_to == reviewer.email,
                AccessRequest.assigned_manager_email.in_(reviewer.stands_in_for))]


def _scoped(reviewer: Reviewer) -> Select:
    """What the reviewer may see, each request with its customer."""
    return select(AccessRequest, Customer).join(Customer, Customer.customer_number == AccessRequest.customer_number) \
        .where(*_visible_to(reviewer))


def role_in(reviewer: Reviewer, request: AccessRequest) -> str:
    """In which role the reviewer decides this request (the history and the audit export say it)."""
    if request.assigned_manager_email == reviewer.email:
        return "manager"
    if request.escalated_to == reviewer.email:
        return "deputy"
    if request.assigned_manager_email in reviewer.stands_in_for:
        return "absence-deputy"
    return "admin"


def page_count(total: int) -> int:
    return max(1, -(-total // PAGE_SIZE))


@dataclass(frozen=True)
class QueuePage:
    """One page of the queue: its rows, its number (from 1) and how many requests match in all."""

    rows: list[tuple[AccessRequest, Customer]]
    number: int
    total: int

    @property
    def pages(self) -> int:
        return page_count(self.total)

    @property
    def first(self) -> int:
        """Position of the page's first row among all matches (0 when nothing matches)."""
        return (self.number - 1) * PAGE_SIZE + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0


def queue(session: Session, reviewer: Reviewer, status: str = "", region: str = "", manager: str = "",
          search: str = "", page: int = 1) -> QueuePage:
    """The reviewer's requests: pending first, oldest first; filtered, searched, PAGE_SIZE per page.

    Counted and ordered on the requests alone: the directory (100,000 customers) is joined only when a filter
    needs it (region, search); the page's rows and their customers are then read by key. With one status chosen
    (pending, the default) the order is the index (status, created_at) itself."""
    conditions = _visible_to(reviewer)
    if status in set(RequestStatus):
        conditions.append(AccessRequest.status == status)
    if reviewer.is_admin and manager:
        conditions.append(AccessRequest.assigned_manager_email == manager.strip().lower())
    matching = select(AccessRequest.id)
    by_customer = (reviewer.is_admin and region) or search.split()
    if by_customer:
        matching = matching.join(Customer, Customer.customer_number == AccessRequest.customer_number)
    if reviewer.is_admin and region:
        conditions.append(Customer.region == region)
    for word in search.split()[:5]:
        pattern = f"%{word.replace('%', '').replace('_', '')}%"
        conditions.append(or_(
            AccessRequest.first_name.ilike(pattern), AccessRequest.last_name.ilike(pattern),
            AccessRequest.email.ilike(pattern), AccessRequest.customer_number.ilike(pattern),
            AccessRequest.company.ilike(pattern), Customer.company.ilike(pattern)))
    matching = matching.where(*conditions)
    total = session.scalar(select(func.count()).select_from(matching.subquery()))
    number = min(max(page, 1), page_count(total))
    order = [AccessRequest.created_at, AccessRequest.id]
    if status not in set(RequestStatus):
        order.insert(0, AccessRequest.status != RequestStatus.PENDING)  # pending first among all statuses
    ids = list(session.scalars(matching.order_by(*order).offset((number - 1) * PAGE_SIZE).limit(PAGE_SIZE)))
    requests = {request.id: request for request in session.scalars(select(AccessRequest).where(AccessRequest.id.in_(ids)))}
    customers = {customer.customer_number: customer for customer in session.scalars(select(Customer).where(
        Customer.customer_number.in_({request.customer_number for request in requests.values()})))}
    rows = [(requests[id_], customers[requests[id_].customer_number]) for id_ in ids]
    return QueuePage(rows, number, total)


def regions(session: Session) -> list[str]:
    """Every region of the directory, for the admins' filter: one step of the region index per region (a loose
    index scan), not a read of every customer."""
    found = select(func.min(Customer.region).label("region")).cte("regions", recursive=True)
    following = select(func.min(Customer.region)).where(Customer.region > found.c.region).scalar_subquery()
    found = found.union_all(select(following).where(found.c.region.is_not(None)))
    return list(session.scalars(select(found.c.region).where(found.c.region.is_not(None))))


def visible(session: Session, reviewer: Reviewer, request_id: int) -> tuple[AccessRequest, Customer]:
    """One request the reviewer may see, or NotVisible."""
    row = session.execute(_scoped(reviewer).where(AccessRequest.id == request_id)).first()
    if row is None:
        raise NotVisible(request_id)
    return row


def provisioning_problems(request: AccessRequest) -> dict[str, str]:
    """The fields Keycloak's user profile would refuse (rows stored before the form checked them)."""
    problems = {"first_name": profile.name_problem(request.first_name),
                "last_name": profile.name_problem(request.last_name), "email": profile.email_problem(request.email)}
    return {field: problem for field, problem in problems.items() if problem}


def _decide(session: Session, reviewer: Reviewer, request_id: int, now: datetime, **values) -> str | None:
    """Move a visible pending request to a decision; the reviewer's role in it, or None when someone
    decided first."""
    request, _ = visible(session, reviewer, request_id)
    role = role_in(reviewer, request)
    result = session.execute(update(AccessRequest).where(
        AccessRequest.id == request_id, AccessRequest.status == RequestStatus.PENDING,
    ).values(decided_at=now, decided_by=reviewer.email, updated_at=now, **values))
    return role if result.rowcount == 1 else None


def approve(session: Session, reviewer: Reviewer, request_id: int, note: str, now: datetime, time_zone: str,
            remote_addr: str) -> datetime | None:
    """Approve and schedule provisioning; return the activation instant, or None if already decided."""
    due = next_activation(now, time_zone)
    role = _decide(session, reviewer, request_id, now, status=RequestStatus.APPROVED, decision_note=note.strip(),
                   activation_due_at=due)
    if role is None:
        session.rollback()
        return None
    request = session.get(AccessRequest, request_id)
    provisioning.enqueue(session, request)
    activation.schedule(session, request)
    audit.record(session, reviewer.email, "approved", request_id, remote_addr, now, note=note.strip(), role=role)
    session.commit()
    return due


def reject(session: Session, reviewer: Reviewer, request_id: int, reason: str, notify: bool, now: datetime,
           remote_addr: str) -> bool:
    """Reject with a reason; optionally tell the requester (outbox, in their language)."""
    role = _decide(session, reviewer, request_id, now, status=RequestStatus.REJECTED, decision_note=reason.strip())
    if role is None:
        session.rollback()
        return False
    request = session.get(AccessRequest, request_id)
    session.refresh(request)
    if notify:
        mail = mailer.compose("request_rejected", request.email, request.language, request=request,
                              reason=reason.strip())
        outbox.enqueue_mail(session, mail, f"request:{request_id}:rejection")
    audit.record(session, reviewer.email, "rejected", request_id, remote_addr, now, reason=reason.strip(), notified=notify,
                 role=role)
    session.commit()
    return True


def reassign(session: Session, reviewer: Reviewer, request_id: int, manager_email: str, now: datetime,
             remote_addr: str) -> None:
    """An admin hands a request to another manager; it leaves the previous manager's view at once."""
    if not reviewer.is_admin:
        raise NotVisible(request_id)
    request, _ = visible(session, reviewer, request_id)
    directory_changes.reassign_request(session, request, manager_email.strip().lower(), reviewer.email, now, remote_addr)
    session.commit()


def retry_provisioning(session: Session, reviewer: Reviewer, request_id: int, corrected: dict[str, str], now: datetime,
                       time_zone: str, remote_addr: str) -> bool:
    """A request whose account could not be created: take the manager's corrections and try again; the
    activation e-mail then goes out at the next 04:00. False when the request is not (or no longer) failed."""
    request, _ = visible(session, reviewer, request_id)
    if request.status != RequestStatus.FAILED:
        return False
    changes = {field: [getattr(request, field), value] for field, value in corrected.items()
               if getattr(request, field) != value}
    for field, (_, value) in changes.items():
        setattr(request, field, value)
    request.status, request.provisioning_error, request.updated_at = RequestStatus.APPROVED, "", now
    attempt = 1 + len([event for event in audit.history(session, request_id) if event.action == "retried"])
    provisioning.enqueue(session, request, attempt)
    activation.rearm(session, request, now, time_zone)
    audit.record(session, reviewer.email, "retried", request_id, remote_addr, now, changes=changes)
    session.commit()
    return True


def responsible_for(session: Session, reviewer: Reviewer, customer_number: str) -> bool:
    """Whether the reviewer answers for the customer's people (its regional manager, or an admin): the same
    rule as for ending their access."""
    customer = session.get(Customer, customer_number[:20])
    return customer is not None and (reviewer.is_admin or customer.manager_email == reviewer.email)


def _person(session: Session, directory: KeycloakDirectory, reviewer: Reviewer, user_id: str) -> tuple[dict, Customer]:
    """A Keycloak user of one of the reviewer's customers (by their customer number), or NotVisible."""
    person = directory.get_user(user_id)
    number = profile.customer_number_of(person)
    if person is None or not number or not responsible_for(session, reviewer, number):
        raise NotVisible(user_id)
    return person, session.get(Customer, number)


def end_access(session: Session, directory: KeycloakDirectory, broadcast: Broadcast, actor: str, person: dict,
               customer_number: str, reason: str, now: datetime, remote_addr: str, **detail) -> None:
    """End the B2B access of a person the caller was allowed to see (provisioning.end_access: roles,
    membership, sessions, requests "revoked", audited with `detail`), commit, and make every bridge process
    forget that the address was "known". Used by managers, team admins and the inactivity round."""
    provisioning.end_access(session, directory, actor, person, customer_number, reason.strip(), now, remote_addr,
                            **detail)
    session.commit()
    broadcast.publish(ACCESS_CHANGED, person.get("email", ""))


def revoke(session: Session, directory: KeycloakDirectory, broadcast: Broadcast, reviewer: Reviewer, user_id: str,
           reason: str, now: datetime, remote_addr: str) -> dict:
    """End a person's B2B access, if they belong to one of the reviewer's customers (`end_access`)."""
    person, customer = _person(session, directory, reviewer, user_id)
    end_access(session, directory, broadcast, reviewer.email, person, customer.customer_number, reason, now, remote_addr)
    return person


def regrant(session: Session, directory: KeycloakDirectory, broadcast: Broadcast, reviewer: Reviewer, user_id: str,
            now: datetime, time_zone: str, remote_addr: str) -> dict:
    """Undo a revocation: membership and role again, the requests "approved" again, an activation that had
    not gone out re-armed; audited."""
    person, customer = _person(session, directory, reviewer, user_id)
    provisioning.grant_access(directory, customer, user_id)
    request_ids = provisioning.change_requests_of(session, person, RequestStatus.REVOKED, RequestStatus.APPROVED)
    for request_id in request_ids:
        activation.rearm(session, session.get(AccessRequest, request_id), now, time_zone)
    provisioning.record_for_person(session, reviewer.email, "regranted", request_ids, person, customer.customer_number,
                                   remote_addr, now)
    session.commit()
    broadcast.publish(ACCESS_CHANGED, person.get("email", ""))
    return person


def set_team_admin(session: Session, directory: KeycloakDirectory, reviewer: Reviewer, user_id: str, team_admin: bool,
                   now: datetime, remote_addr: str) -> dict:
    """Make a person with access to one of the reviewer's customers a team admin of that customer, or no
    longer one; audited. Only someone who has access may become one."""
    person, customer = _person(session, directory, reviewer, user_id)
    if team_admin:
        if PARTNER_ROLE not in directory.realm_roles(user_id):
            raise NotVisible(user_id)
        directory.grant_realm_role(user_id, TEAM_ADMIN_ROLE)
    else:
        directory.take_realm_role(user_id, TEAM_ADMIN_ROLE)
    provisioning.record_for_person(session, reviewer.email, "team_admin_granted" if team_admin else "team_admin_taken",
                                   [], person, customer.customer_number, remote_addr, now)
    session.commit()
    return person


def ended_access(session: Session, customer_number: str) -> list[AuditEvent]:
    """The revocations of a customer's people that were not undone since, the latest first (who, when, why)."""
    events = session.scalars(select(AuditEvent).where(
        AuditEvent.action.in_(("revoked", "regranted")),
        AuditEvent.detail["customer_number"].as_string() == customer_number).order_by(AuditEvent.id))
    latest = {event.detail["keycloak_user_id"]: event for event in events}
    return sorted((event for event in latest.values() if event.action == "revoked"), key=lambda e: e.id, reverse=True)


def failing_outbox(session: Session) -> list[OutboxItem]:
    """Outbox items that failed for good or keep failing (admins see them, with a retry button)."""
    return list(session.scalars(select(OutboxItem).where(or_(
        OutboxItem.status == OutboxStatus.FAILED, (OutboxItem.status == OutboxStatus.PENDING) & (OutboxItem.attempts >= 3),
    )).order_by(OutboxItem.id)))
