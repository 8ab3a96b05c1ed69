"""The one definition of "has access to B2B": who can sign in on our login page."""

from __future__ import annotations

from bridge.keycloak.interface import KeycloakDirectory

PARTNER_ROLE = "b2b-partner"
MANAGER_ROLE = "regional-manager"
ADMIN_ROLE = "b2b-admin"
ACCESS_ROLES = frozenset({PARTNER_ROLE, MANAGER_ROLE, ADMIN_ROLE})


def has_access(directory: KeycloakDirectory, email: str) -> bool:
    """True when an enabled Keycloak user with this e-mail holds one of the B2B roles."""
    user = directory.find_user_by_email(email)
    if user is None or not user.get("enabled", False):
        return False
    return bool(directory.realm_roles(user["id"]) & ACCESS_ROLES)
