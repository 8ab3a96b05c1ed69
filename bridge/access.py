"""The one definition of "has access to B2B": who can sign in on our login page."""

from __future__ import annotations

from bridge.keycloak_gateway import KeycloakGateway

PARTNER_ROLE = "b2b-partner"
ACCESS_ROLES = frozenset({PARTNER_ROLE, "regional-manager", "b2b-admin"})


def has_access(gateway: KeycloakGateway, email: str) -> bool:
    """True when an enabled Keycloak user with this e-mail holds one of the B2B roles."""
    user = gateway.find_user_by_email(email)
    if user is None or not user.get("enabled", False):
        return False
    return bool(gateway.realm_roles(user["id"]) & ACCESS_ROLES)
