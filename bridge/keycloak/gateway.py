"""The one place the bridge talks to Keycloak's admin REST API (python-keycloak, service account b2b-bridge).

It implements bridge.keycloak.interface.KeycloakDirectory; views and services see only that interface
and never build Keycloak URLs. python-keycloak formats ids into URL paths as they are, so every user or
organization id is checked to be a canonical UUID (what Keycloak issues) before it gets there: an id
such as `<uuid>#` would otherwise cut the path short (`DELETE /users/<uuid>#/role-mappings/realm` is
`DELETE /users/<uuid>`). Names and e-mail addresses only travel as query parameters, which are encoded.
"""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Callable, TypeVar

from keycloak import KeycloakAdmin, KeycloakOpenIDConnection
from keycloak.exceptions import KeycloakConnectionError, KeycloakError

from bridge.keycloak.interface import KeycloakRefused, KeycloakUnavailable

T = TypeVar("T")

# A small pool whose threads run Keycloak calls under a hard deadline (see `within`).
EVENTS_PAGE = 500  # sign-in events read per request
_deadline_pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="keycloak-deadline")


def from_config(config, timeout: float | None = None) -> "KeycloakGateway":
    """The gateway the bridge's settings describe; `timeout` overrides BRIDGE_KEYCLOAK_TIMEOUT."""
    return KeycloakGateway(config["KEYCLOAK_URL"], config["KEYCLOAK_REALM"], config["KEYCLOAK_CLIENT_ID"],
                           config["KEYCLOAK_CLIENT_SECRET"], timeout or config["KEYCLOAK_TIMEOUT"])


def _keycloak_ids(*values: str) -> None:
    """Refuse anything but canonical UUIDs, before it can reach a URL path."""
    for value in values:
        try:
            canonical = str(uuid.UUID(value)) == value
        except (ValueError, TypeError, AttributeError):
            canonical = False
        if not canonical:
            raise KeycloakRefused("not a Keycloak id", 404)


class KeycloakGateway:
    """Admin operations on one realm, authenticated with client credentials."""

    def __init__(self, server_url: str, realm: str, client_id: str, client_secret: str, timeout: float):
        self.timeout = timeout
        self.realm = realm
        # python-keycloak needs the trailing slash when the server URL has a path.
        self._connection = KeycloakOpenIDConnection(
            server_url=server_url.rstrip("/") + "/", realm_name=realm, user_realm_name=realm,
            client_id=client_id, client_secret_key=client_secret, timeout=timeout, max_retries=0,
        )
        self._admin = KeycloakAdmin(connection=self._connection)

    def within(self, call: Callable[[], T], deadline: float | None = None) -> T:
        """Run `call` and give up after `deadline` seconds: a hanging Keycloak must not hang a page."""
        future = _deadline_pool.submit(self._translated, call)
        try:
            return future.result(timeout=deadline or self.timeout)
        except FutureTimeout as exc:
            raise KeycloakUnavailable("Keycloak did not answer in time") from exc

    @staticmethod
    def _translated(call: Callable[[], T]) -> T:
        try:
            return call()
        except KeycloakConnectionError as exc:
            raise KeycloakUnavailable(f"cannot reach Keycloak: {type(exc).__name__}") from exc
        except KeycloakError as exc:
            status = getattr(exc, "response_code", None)
            if status is None or status >= 500:
                raise KeycloakUnavailable(f"Keycloak error {status}") from exc
            raise KeycloakRefused(f"Keycloak refused the request ({status})", status) from exc

    def check_token(self) -> None:
        """Obtain a fresh service-account token, proving Keycloak is up and our credentials work."""
        self.within(self._connection.get_token)

    # --- users -------------------------------------------------------------------------------

    def find_user_by_email(self, email: str) -> dict | None:
        """The user whose e-mail is `email` (case-insensitive), or None."""
        users = self._translated(lambda: self._admin.get_users({"email": email, "exact": "true"}))
        return next((user for user in users if (user.get("email") or "").lower() == email.lower()), None)

    def realm_roles(self, user_id: str) -> set[str]:
        """Names of the realm roles a user holds, composites included."""
        _keycloak_ids(user_id)
        roles = self._translated(lambda: self._admin.get_composite_realm_roles_of_user(user_id))
        return {role["name"] for role in roles}

    def ensure_user(self, email: str, first_name: str, last_name: str, locale: str,
                    attributes: dict[str, str], email_verified: bool = False) -> str:
        """Create the user (username = e-mail) unless one with that e-mail exists; return its id."""
        existing = self.find_user_by_email(email)
        if existing:
            return existing["id"]
        payload = {
            "username": email, "email": email, "firstName": first_name, "lastName": last_name,
            "enabled": True, "emailVerified": email_verified,
            "attributes": {"locale": [locale], **{name: [value] for name, value in attributes.items()}},
        }
        try:
            return self._translated(lambda: self._admin.create_user(payload))
        except KeycloakRefused as exc:
            if exc.status != 409:
                raise
            # Created by someone else in the meantime: use that account.
            return self.find_user_by_email(email)["id"]

    def set_password(self, user_id: str, password: str) -> None:
        """Set a permanent password (demo data and tests; people set their own through e-mail links)."""
        _keycloak_ids(user_id)
        self._translated(lambda: self._admin.set_user_password(user_id, password, temporary=False))

    def grant_realm_role(self, user_id: str, role_name: str) -> None:
        """Give a user a realm role (idempotent)."""
        _keycloak_ids(user_id)
        role = self._translated(lambda: self._admin.get_realm_role(role_name))
        self._translated(lambda: self._admin.assign_realm_roles(user_id, [role]))

    def take_realm_role(self, user_id: str, role_name: str) -> None:
        """Take a realm role from a user (idempotent: Keycloak ignores a role the user does not hold)."""
        _keycloak_ids(user_id)
        role = self._translated(lambda: self._admin.get_realm_role(role_name))
        self._translated(lambda: self._admin.delete_realm_roles_of_user(user_id, [role]))

    # --- organizations -----------------------------------------------------------------------

    def ensure_organization(self, customer_number: str, company: str, region: str) -> str:
        """The organization of a customer (alias = customer number), created if missing; return its id."""
        found = self._organization_id(customer_number)
        if found:
            return found
        payload = {
            # Names must be unique in the realm and companies can share one; the plain company
            # name travels in tokens as the company_name attribute.
            "name": f"{company} ({customer_number})",
            "alias": customer_number,
            "enabled": True,
            "domains": [],
            "attributes": {"customer_number": [customer_number], "company_name": [company], "region": [region]},
        }
        try:
            return self._translated(lambda: self._admin.create_organization(payload))
        except KeycloakRefused as exc:
            if exc.status != 409:
                raise
            return self._organization_id(customer_number)

    def add_member(self, organization_id: str, user_id: str) -> None:
        """Make a user a member of an organization (idempotent)."""
        _keycloak_ids(organization_id, user_id)
        try:
            self._translated(lambda: self._admin.organization_user_add(user_id, organization_id))
        except KeycloakRefused as exc:
            if exc.status != 409:
                raise

    def set_enabled(self, user_id: str, enabled: bool) -> None:
        """Enable or disable a user account."""
        _keycloak_ids(user_id)
        self._translated(lambda: self._admin.update_user(user_id, {"enabled": enabled}))

    def delete_user(self, user_id: str) -> None:
        """Delete a user (test and benchmark clean-up; the bridge itself never deletes accounts)."""
        _keycloak_ids(user_id)
        self._translated(lambda: self._admin.delete_user(user_id))

    def user_sessions(self, user_id: str) -> list[dict]:
        """The user's active sessions."""
        _keycloak_ids(user_id)
        return self._translated(lambda: self._admin.get_sessions(user_id))

    def role_members(self, role_name: str) -> list[dict]:
        """The users who hold a realm role directly."""
        return self._translated(lambda: self._admin.get_realm_role_members(role_name, {"briefRepresentation": "false"}))

    def sign_ins_since(self, since_ms: int) -> list[tuple[str, int]]:
        """(user id, epoch ms) of every sign-in (LOGIN event) Keycloak still keeps from `since_ms` on, a page
        at a time (Keycloak answers 100 events unless asked for more)."""
        found: list[tuple[str, int]] = []
        first = 0
        while True:
            page = self._translated(lambda: self._admin.get_events({
                "type": "LOGIN", "dateFrom": str(since_ms), "first": first, "max": EVENTS_PAGE}))
            found.extend((event["userId"], event["time"]) for event in page if event.get("userId"))
            first += len(page)
            if len(page) < EVENTS_PAGE:
                return found

    def get_user(self, user_id: str) -> dict | None:
        """A user by id, or None when there is none."""
        try:
            _keycloak_ids(user_id)
            return self._translated(lambda: self._admin.get_user(user_id))
        except KeycloakRefused as exc:
            if exc.status == 404:
                return None
            raise

    def _organization_id(self, customer_number: str) -> str | None:
        """The id of a customer's organization, by its attribute (one search, never a listing), or None."""
        query = {"q": f"customer_number:{customer_number}", "exact": "true", "first": 0, "max": 1}
        found = self._translated(lambda: self._admin.get_organizations(query))
        return found[0]["id"] if found else None

    def find_organization(self, customer_number: str) -> dict | None:
        """A customer's organization with its attributes, or None."""
        organization_id = self._organization_id(customer_number)
        if organization_id is None:
            return None
        return self._translated(lambda: self._admin.get_organization(organization_id))

    def customer_members(self, customer_number: str) -> list[dict]:
        """The people in a customer's organization (empty when it has none yet)."""
        organization_id = self._organization_id(customer_number)
        if organization_id is None:
            return []
        return self._translated(lambda: self._admin.get_organization_members(organization_id))

    def revoke_access(self, user_id: str, customer_number: str, role_name: str) -> None:
        """End a person's B2B access: remove the role and the membership, and end every session."""
        _keycloak_ids(user_id)
        role = self._translated(lambda: self._admin.get_realm_role(role_name))
        self._translated(lambda: self._admin.delete_realm_roles_of_user(user_id, [role]))
        organization_id = self._organization_id(customer_number)
        if organization_id is not None:
            try:
                self._translated(lambda: self._admin.organization_user_remove(user_id, organization_id))
            except KeycloakRefused as exc:
                if exc.status != 404:
                    raise
        self._translated(lambda: self._admin.user_logout(user_id))

    # --- activation --------------------------------------------------------------------------

    def has_password(self, user_id: str) -> bool:
        """Whether the person already set a password (e.g. through "forgot password")."""
        _keycloak_ids(user_id)
        credentials = self._translated(lambda: self._admin.get_credentials(user_id))
        return any(credential.get("type") == "password" for credential in credentials)

    def set_password_email_sent_since(self, user_id: str, since_ms: int) -> bool:
        """Whether Keycloak recorded an execute-actions e-mail to this user since `since_ms` (admin events)."""
        _keycloak_ids(user_id)
        # Newest first; a handful is plenty, the question is only about the last few minutes.
        events = self._translated(lambda: self._admin.get_admin_events({
            "resourcePath": f"users/{user_id}/execute-actions-email", "operationTypes": "ACTION", "max": 5}))
        return any(event.get("time", 0) >= since_ms for event in events)

    def send_set_password_email(self, user_id: str, lifespan_seconds: int, client_id: str, redirect_uri: str) -> None:
        """Keycloak's execute-actions e-mail with UPDATE_PASSWORD, through the realm's SMTP and e-mail theme."""
        _keycloak_ids(user_id)
        self._translated(lambda: self._admin.send_update_account(
            user_id=user_id, payload=["UPDATE_PASSWORD"], client_id=client_id, lifespan=lifespan_seconds,
            redirect_uri=redirect_uri))
