"""The one definition of "has access to B2B": who can sign in on our login page."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from bridge.keycloak.interface import KeycloakDirectory

PARTNER_ROLE = "b2b-partner"
MANAGER_ROLE = "regional-manager"
ADMIN_ROLE = "b2b-admin"
# A partner's own colleague who manages its people on the team page; not an access role of its own: a team
# admin also holds PARTNER_ROLE, and the customer_number attribute says which customer they manage.
TEAM_ADMIN_ROLE = "b2b-team-admin"
ACCESS_ROLES = frozenset({PARTNER_ROLE, MANAGER_ROLE, ADMIN_ROLE})
MAX_PARALLEL_READS = 8  # Keycloak reads one page makes at once


def has_access(directory: KeycloakDirectory, email: str) -> bool:
    """True when an enabled Keycloak user with this e-mail holds one of the B2B roles."""
    user = directory.find_user_by_email(email)
    if user is None or not user.get("enabled", False):
        return False
    return bool(directory.realm_roles(user["id"]) & ACCESS_ROLES)


def team_admins_among(directory: KeycloakDirectory, people: list[dict]) -> set[str]:
    """The ids of those among `people` (one customer's members) who are team admins: a read per person, never the
    realm's list of team admins, which grows with every customer (thousands, read 100 at a time, in a realm of
    100,000 partners: docs/benchmarks.md §7). The reads run side by side: a page waits for one, not for five."""
    if not people:
        return set()
    with ThreadPoolExecutor(max_workers=min(len(people), MAX_PARALLEL_READS)) as pool:
        roles = pool.map(lambda person: directory.realm_roles(person["id"]), people)
        return {person["id"] for person, held in zip(people, roles) if TEAM_ADMIN_ROLE in held}
