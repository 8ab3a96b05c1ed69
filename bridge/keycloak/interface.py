"""What the bridge needs from Keycloak, as an interface: the python-keycloak gateway implements it
against the admin REST API, and an in-memory twin (tests/support/keycloak_twin.py) implements it for
fast tests. One contract test (tests/contract/) runs the same assertions against both.

Failures come out as two exceptions: KeycloakUnavailable (retry later) and KeycloakRefused (a 4xx: do
not retry blindly).
"""

from __future__ import annotations

from typing import Callable, Protocol, TypeVar

T = TypeVar("T")


class KeycloakUnavailable(RuntimeError):
    """Keycloak did not answer in time, refused the connection, or answered 5xx."""


class KeycloakRefused(RuntimeError):
    """Keycloak answered with a 4xx: the request itself is wrong or not allowed."""

    def __init__(self, message: str, status: int | None):
        super().__init__(message)
        self.status = status


class KeycloakDirectory(Protocol):
    """Users, roles, organizations, sessions and action e-mails of one realm."""

    def within(self, call: Callable[[], T], deadline: float | None = None) -> T:
        """Run `call`, giving up with KeycloakUnavailable after `deadline` seconds (default: the timeout)."""

    def check_token(self) -> None:
        """Prove that Keycloak answers and the bridge's credentials work."""

    # users
    def find_user_by_email(self, email: str) -> dict | None:
        """The user whose e-mail is `email` (case-insensitive, exact), or None."""

    def get_user(self, user_id: str) -> dict | None:
        """A user by id, or None when there is none."""

    def realm_roles(self, user_id: str) -> set[str]:
        """Names of the realm roles a user holds, composites included."""

    def ensure_user(self, email: str, first_name: str, last_name: str, locale: str,
                    attributes: dict[str, str], email_verified: bool = False) -> str:
        """Create the user (username = e-mail) unless one with that e-mail exists; return its id."""

    def set_password(self, user_id: str, password: str) -> None:
        """Set a permanent password (demo data and tests; people set their own through e-mail links)."""

    def grant_realm_role(self, user_id: str, role_name: str) -> None:
        """Give a user a realm role (idempotent)."""

    def take_realm_role(self, user_id: str, role_name: str) -> None:
        """Take a realm role from a user (idempotent)."""

    def set_enabled(self, user_id: str, enabled: bool) -> None:
        """Enable or disable a user account."""

    def delete_user(self, user_id: str) -> None:
        """Delete a user (test and benchmark clean-up; the bridge itself never deletes accounts)."""

    def user_sessions(self, user_id: str) -> list[dict]:
        """The user's active sessions."""

    def role_members(self, role_name: str) -> list[dict]:
        """The users who hold a realm role directly."""

    def sign_ins_since(self, since_ms: int) -> list[tuple[str, int]]:
        """(user id, epoch ms) of every sign-in (LOGIN event) Keycloak still keeps from `since_ms` on."""

    # organizations
    def ensure_organization(self, customer_number: str, company: str, region: str) -> str:
        """The organization of a customer (alias = customer number), created if missing; return its id."""

    def find_organization(self, customer_number: str) -> dict | None:
        """A customer's organization with its attributes, or None."""

    def add_member(self, organization_id: str, user_id: str) -> None:
        """Make a user a member of an organization (idempotent)."""

    def customer_members(self, customer_number: str) -> list[dict]:
        """The people in a customer's organization (empty when it has none yet)."""

    def revoke_access(self, user_id: str, customer_number: str, role_name: str) -> None:
        """End a person's B2B access: remove the role and the membership, and end every session."""

    # activation
    def has_password(self, user_id: str) -> bool:
        """Whether the person already set a password (e.g. through "forgot password")."""

    def set_password_email_sent_since(self, user_id: str, since_ms: int) -> bool:
        """Whether Keycloak recorded an execute-actions e-mail to this user since `since_ms` (epoch ms)."""

    def send_set_password_email(self, user_id: str, lifespan_seconds: int, client_id: str,
                                redirect_uri: str) -> None:
        """Keycloak's execute-actions e-mail with UPDATE_PASSWORD, through the realm's SMTP and e-mail theme."""
