"""Provisioning: after an approval, the person's organization, account, membership and role in Keycloak."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bridge.core import audit
from bridge.core.broadcast import ACCESS_CHANGED, Broadcast
from bridge.core.models import AccessRequest, Customer
from bridge.keycloak.access import PARTNER_ROLE
from bridge.keycloak.interface import KeycloakDirectory


def provision(session: Session, directory: KeycloakDirectory, broadcast: Broadcast, payload: dict,
              now: datetime) -> None:
    """Outbox handler: the organization, the user, the membership and the role exist in Keycloak afterwards.

    Idempotent: every step tolerates having been done before, so a retry after a failure part-way,
    a second approval attempt or two workers converge on one user and one membership. Every bridge
    process then forgets a cached "unknown" for the address, so the person turns green at once.
    """
    request = session.get(AccessRequest, payload["request_id"])
    customer = session.get(Customer, request.customer_number)
    organization_id = directory.ensure_organization(customer.customer_number, customer.company, customer.region)
    user_id = directory.ensure_user(request.email, request.first_name, request.last_name, request.language,
                                    {"customer_number": customer.customer_number})
    directory.add_member(organization_id, user_id)
    directory.grant_realm_role(user_id, PARTNER_ROLE)
    if request.keycloak_user_id != user_id:
        request.keycloak_user_id = user_id
        audit.record(session, "system", "provisioned", request.id, "", now, keycloak_user_id=user_id)
    broadcast.publish(ACCESS_CHANGED, request.email)
