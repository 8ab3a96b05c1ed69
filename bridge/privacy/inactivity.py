"""Inactive accounts: a partner who has not signed in for BRIDGE_INACTIVITY_DAYS gets a notice in their language;
BRIDGE_INACTIVITY_GRACE_DAYS later their access ends (the review UI's revocation, audited as "system") unless
they signed in meanwhile.

Last sign-ins come from Keycloak's LOGIN events, which Keycloak deletes after 90 days (eventsExpiration), so
the bridge writes down each partner's latest one (table sign_in) every round; it lists the partners once a day
(a call per 100 of them), and a partner it has never seen sign in counts from the moment it first listed them. Why not Keycloak's Workflows: docs/architecture.md.

Two clocks, as in the outbox: `now` says what is due (a chosen instant for `privacy run --now`); the moment a
partner is first listed is real time, so a run "as of next year" does not make anyone look newly known.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from bridge.core.broadcast import Broadcast
from bridge.core.i18n import language_of
from bridge.core.models import AccessRequest, RequestStatus, SignIn, utcnow
from bridge.delivery import mailer, outbox
from bridge.keycloak.access import PARTNER_ROLE
from bridge.keycloak.interface import KeycloakDirectory, KeycloakUnavailable
from bridge.keycloak.profile import customer_number_of
from bridge.review import service as review

log = logging.getLogger(__name__)
SYSTEM = "system"


def record_sign_ins(session: Session, directory: KeycloakDirectory, list_partners: bool = True) -> None:
    """Note who is a partner now: those the bridge approved (from its requests), and, when `list_partners`, every
    partner Keycloak lists: who is new is watched from now on, who no longer is goes (nothing to watch, nothing to
    keep). Listing costs one Keycloak call per 100 partners, so the worker lists once a day; an end of access
    removes the person's row at once. Then note the sign-ins since the newest one noted."""
    known = set(session.scalars(select(SignIn.keycloak_user_id)))
    partners = _listed_partners(directory) if list_partners else None
    if partners is None:  # not listed this round: the partners the bridge approved, from its own requests
        partners = set(session.scalars(select(AccessRequest.keycloak_user_id).where(
            AccessRequest.status == RequestStatus.APPROVED, AccessRequest.keycloak_user_id.is_not(None))))
    elif known - partners:
        session.execute(delete(SignIn).where(SignIn.keycloak_user_id.in_(known - partners)))
    new = partners - known
    # One order for every worker: no deadlock between two.
    session.add_all(SignIn(keycloak_user_id=user_id, first_seen_at=utcnow()) for user_id in sorted(new))
    session.flush()
    newest = session.scalar(select(func.max(SignIn.last_sign_in_at)))
    latest: dict[str, int] = {}
    for user_id, at_ms in directory.sign_ins_since(int(newest.timestamp() * 1000) if newest else 0):
        latest[user_id] = max(at_ms, latest.get(user_id, 0))
    for row in session.scalars(select(SignIn).where(SignIn.keycloak_user_id.in_(sorted(latest)))):
        at = datetime.fromtimestamp(latest[row.keycloak_user_id] / 1000, timezone.utc)
        if row.last_sign_in_at is None or at > row.last_sign_in_at:
            row.last_sign_in_at = at
    session.commit()


def _listed_partners(directory: KeycloakDirectory) -> set[str] | None:
    """Every partner's Keycloak id, or None when Keycloak could not list them (at 100,000 partners its paged
    role listing does not finish within the worker's deadline: docs/benchmarks.md §7)."""
    try:
        return {person["id"] for person in directory.role_members(PARTNER_ROLE)}
    except KeycloakUnavailable as exc:
        log.warning("partners not listed (%s): watching those the bridge approved and those already known", exc)
        return None


def watch(session: Session, directory: KeycloakDirectory, broadcast: Broadcast, now: datetime,
          config: Mapping, list_partners: bool = True) -> dict[str, int]:
    """One round as of `now`: notices to the partners inactive for too long, end of access for those noticed
    long enough ago who did not sign in since; return how many of each. The database picks them out: a round
    reads only the people it acts on."""
    done = {"noticed": 0, "ended": 0}
    days, grace = config["INACTIVITY_DAYS"], timedelta(days=config["INACTIVITY_GRACE_DAYS"])
    if not days:
        return done
    record_sign_ins(session, directory, list_partners)
    since = func.coalesce(SignIn.last_sign_in_at, SignIn.first_seen_at)
    for row in list(session.scalars(select(SignIn).where(
            SignIn.notice_sent_at.is_not(None), since < SignIn.notice_sent_at, SignIn.notice_sent_at <= now - grace,
    ).order_by(SignIn.keycloak_user_id))):
        _end_access(session, directory, broadcast, row, days, now)
        done["ended"] += 1
    for row in list(session.scalars(select(SignIn).where(
            since <= now - timedelta(days=days), or_(SignIn.notice_sent_at.is_(None), since >= SignIn.notice_sent_at),
    ).order_by(SignIn.keycloak_user_id))):
        person = directory.get_user(row.keycloak_user_id)
        if person is None or PARTNER_ROLE not in directory.realm_roles(row.keycloak_user_id):
            session.delete(row)  # deleted, or no longer a partner (ended in Keycloak itself): nobody to tell
            continue
        _notify(session, person, row, row.last_sign_in_at or row.first_seen_at, now, grace, config)
        done["noticed"] += 1
    session.commit()
    if any(done.values()):
        log.info("inactive partners: %s", done)
    return done


def _notify(session: Session, person: dict, row: SignIn, since: datetime, now: datetime, grace: timedelta,
            config: Mapping) -> None:
    mail = mailer.compose("inactivity_notice", person["email"], language_of(person), person=person, since=since,
                          ends_at=now + grace, sign_in_url=config["PORTAL_URL"] or config["SIGN_IN_URL"],
                          help_url=f"{config['PUBLIC_URL']}/help?lang={language_of(person)}")
    outbox.enqueue_mail(session, mail, f"inactive:{row.keycloak_user_id}:{since:%Y%m%dT%H%M%S}")
    row.notice_sent_at = now


def _end_access(session: Session, directory: KeycloakDirectory, broadcast: Broadcast, row: SignIn, days: int,
                now: datetime) -> None:
    """The review UI's end of access, audited as "system", for the customer number the account carries, whether or
    not the directory still has that customer."""
    person = directory.get_user(row.keycloak_user_id)
    if person is None:  # deleted in Keycloak: nothing to end
        session.delete(row)
        return
    number = customer_number_of(person)
    # Ending access also removes the row (provisioning.end_access).
    review.end_access(session, directory, broadcast, SYSTEM, person, number, f"no sign-in for {days} days", now, "")
