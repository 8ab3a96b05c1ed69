"""The data the bridge owns (docs/architecture.md, "Where state lives"). Keycloak owns users, roles,
organizations and passwords."""

from __future__ import annotations

from datetime import date, datetime, timezone
from enum import StrEnum

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, select, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """The current time in UTC, timezone-aware."""
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime; pass an aware one")
        return value.astimezone(timezone.utc) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value


class RequestStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    FAILED = "failed"  # approved, but Keycloak would not take the account: the manager corrects and retries
    REVOKED = "revoked"  # approved, then the person's access was ended (a manager may give it back)
    EXPIRED = "expired"  # nobody decided in time; the requester may ask again
    HELD = "held"  # pending, but its customer left the directory or is blocked: pending again if it comes back


class ProvisioningError(StrEnum):
    """Why an approved account could not be created, in terms a manager can act on."""

    NAME = "name"  # Keycloak's user profile refuses a character of the name
    EMAIL = "email"  # ... or of the address
    REFUSED = "refused"  # Keycloak refused for another reason
    UNREACHABLE = "unreachable"  # Keycloak could not be reached for every attempt


class Suspension(StrEnum):
    """Why a customer is suspended by a full directory import."""

    MISSING = "missing"  # no longer in the ERP's export
    BLOCKED = "blocked"  # in the export with status "blocked"


class OutboxKind(StrEnum):
    MAIL = "mail"
    PROVISION = "provision"
    ACTIVATION = "activation"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    HELD = "held"  # after a restore: it may have been done after the dump; an operator releases it


class Base(DeclarativeBase):
    pass


class Customer(Base):
    """A customer of the ERP directory, with the regional manager responsible for it."""

    __tablename__ = "customer"
    __table_args__ = (Index("ix_customer_manager", "manager_email"), Index("ix_customer_region", "region"))

    customer_number: Mapped[str] = mapped_column(String(20), primary_key=True)
    company: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    postal_code: Mapped[str] = mapped_column(String(20), default="")
    region: Mapped[str] = mapped_column(String(64), default="")
    manager_email: Mapped[str | None] = mapped_column(String(254))
    manager_language: Mapped[str] = mapped_column(String(5), default="fr")
    deputy_email: Mapped[str | None] = mapped_column(String(254))  # decides what waits too long for the manager
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Set by a full import (bridge/delivery/directory_changes.py): since when, and why; its people keep their
    # access for the grace period, then the worker ends it and records when.
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    suspension: Mapped[str] = mapped_column(String(16), default="", server_default="")
    access_ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AccessRequest(Base):
    """A person's request for B2B access, routed to the customer's regional manager."""

    __tablename__ = "access_request"
    __table_args__ = (
        # At most one pending request per e-mail, enforced by the database even under races.
        Index(
            "uq_access_request_pending_email", "email", unique=True,
            sqlite_where=text("status = 'pending'"), postgresql_where=text("status = 'pending'"),
        ),
        Index("ix_access_request_manager_status", "assigned_manager_email", "status"),
        Index("ix_access_request_activation_due", "status", "activation_due_at"),
        # What grows with the data: the queue and the follow-up (pending, oldest first), a person's requests
        # (by address or Keycloak id), a customer's, and the decisions of a period (dashboard, /metrics).
        Index("ix_access_request_status_created", "status", "created_at"),
        Index("ix_access_request_email", "email"),
        Index("ix_access_request_keycloak_user", "keycloak_user_id"),
        Index("ix_access_request_customer", "customer_number"),
        Index("ix_access_request_decided_at", "decided_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_number: Mapped[str] = mapped_column(ForeignKey("customer.customer_number"))
    company: Mapped[str] = mapped_column(String(200))
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str] = mapped_column(String(40), default="")
    job_title: Mapped[str] = mapped_column(String(100), default="")
    language: Mapped[str] = mapped_column(String(5))
    message: Mapped[str] = mapped_column(Text, default="")
    privacy_consent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    assigned_manager_email: Mapped[str] = mapped_column(String(254))
    status: Mapped[str] = mapped_column(String(16), default=RequestStatus.PENDING)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(254))
    decision_note: Mapped[str] = mapped_column(Text, default="")
    keycloak_user_id: Mapped[str | None] = mapped_column(String(64))
    activation_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    activation_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    provisioning_error: Mapped[str] = mapped_column(String(16), default="", server_default="")
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # waited too long: the deputy may decide too
    escalated_to: Mapped[str | None] = mapped_column(String(254), index=True)
    # A customer's team admin who asked for this colleague's access (bridge/team/); empty for the public form.
    vouched_by: Mapped[str] = mapped_column(String(254), default="", server_default="")


class OutboxItem(Base):
    """An e-mail or Keycloak side effect to perform after the commit that decided it."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict] = mapped_column(JSON)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AuditEvent(Base):
    """Who did what to which request, when and from where."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_request", "request_id"),  # a request's history
        Index("ix_audit_event_action_at", "action", "at"),  # the decisions of a period, a customer's revocations
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(40))
    request_id: Mapped[int | None] = mapped_column(ForeignKey("access_request.id"))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    remote_addr: Mapped[str] = mapped_column(String(64), default="")


class Absence(Base):
    """A regional manager's absence: from the first to the last day (company time), a deputy sees and decides
    the requests assigned to the manager."""

    __tablename__ = "absence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    manager_email: Mapped[str] = mapped_column(String(254), index=True)
    deputy_email: Mapped[str] = mapped_column(String(254), index=True)
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EndedSession(Base):
    """A review UI session that was signed out: its cookie is refused even where a copy of it survives."""

    __tablename__ = "ended_session"

    sid: Mapped[str] = mapped_column(String(64), primary_key=True)
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SignIn(Base):
    """A partner's last sign-in as the bridge saw it in Keycloak's LOGIN events (which Keycloak deletes after
    90 days), since when the bridge knows the partner, and the inactivity notice sent to them, if any."""

    __tablename__ = "sign_in"

    keycloak_user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notice_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Answer(StrEnum):
    """A person's answer in a yearly confirmation: still works at the customer, has left, or their access ended
    otherwise (a removal elsewhere, inactivity, or the round's end for those nobody confirmed)."""

    OPEN = ""
    CONFIRMED = "confirmed"
    REMOVED = "removed"
    ENDED = "ended"


class ConfirmationRound(Base):
    """A yearly confirmation: every customer's list of people with access, to confirm or remove."""

    __tablename__ = "confirmation_round"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The year of a scheduled round ("2027"), or "operator:<instant>": two workers cannot start the same one.
    key: Mapped[str] = mapped_column(String(64), unique=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Confirmation(Base):
    """One customer's list in a round, answered by its team admin (or its regional manager where there is none)."""

    __tablename__ = "confirmation"
    __table_args__ = (Index("uq_confirmation_round_customer", "round_id", "customer_number", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("confirmation_round.id"))
    customer_number: Mapped[str] = mapped_column(ForeignKey("customer.customer_number"))
    by_team_admin: Mapped[bool] = mapped_column(Boolean)  # asked first: its team admins (else its regional manager)


class ConfirmationEntry(Base):
    """A person on a customer's list, by Keycloak id only (names and addresses stay in Keycloak)."""

    __tablename__ = "confirmation_entry"
    __table_args__ = (Index("uq_confirmation_entry_person", "confirmation_id", "keycloak_user_id", unique=True),
                      Index("ix_confirmation_entry_user", "keycloak_user_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    confirmation_id: Mapped[int] = mapped_column(ForeignKey("confirmation.id"))
    keycloak_user_id: Mapped[str] = mapped_column(String(64))
    answer: Mapped[str] = mapped_column(String(16), default=Answer.OPEN, server_default="")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


def pending_request(session, email: str) -> AccessRequest | None:
    """The pending request for a normalized e-mail address, if any (at most one: a unique index says so)."""
    return session.scalars(select(AccessRequest).where(
        AccessRequest.email == email, AccessRequest.status == RequestStatus.PENDING)).first()


def absent_managers(session, deputy_email: str, day: date) -> frozenset[str]:
    """The managers for whom `deputy_email` stands in on `day` (a company-time date)."""
    return frozenset(session.scalars(select(Absence.manager_email).where(
        Absence.deputy_email == deputy_email, Absence.first_day <= day, Absence.last_day >= day)))


def deputy_during_absence(session, manager_email: str, day: date) -> str | None:
    """Who stands in for `manager_email` on `day`, if the manager named someone for an absence."""
    return session.scalars(select(Absence.deputy_email).where(
        Absence.manager_email == manager_email, Absence.first_day <= day, Absence.last_day >= day,
    ).order_by(Absence.id.desc())).first()
