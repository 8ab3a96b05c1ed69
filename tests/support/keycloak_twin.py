"""An in-memory twin of Keycloak for fast tests: the KeycloakDirectory interface over plain dicts.

It answers as the real realm does where the bridge can tell (the same refusals, idempotency and
case rules); tests/contract/test_keycloak_directory.py runs the same assertions against this twin and
against the real Keycloak, so the two cannot drift apart. Beyond the interface it offers what a test
needs to arrange or observe: sign-ins (`start_session`), the action e-mails it "sent", and outages.
"""

from __future__ import annotations

import copy
from concurrent.futures import ThreadPoolExecutor
import time
import uuid
from dataclasses import dataclass, field
from typing import Callable, TypeVar

from bridge.keycloak import profile
from bridge.keycloak.interface import KeycloakRefused, KeycloakUnavailable

T = TypeVar("T")
# Roles every user of realm woundwo holds through the realm's default composite role.
DEFAULT_ROLES = frozenset({"default-roles-woundwo", "offline_access", "uma_authorization"})
REALM_ROLES = frozenset({"b2b-partner", "regional-manager", "b2b-admin", "b2b-team-admin"}) | DEFAULT_ROLES
ROLE_MEMBERS_PAGE = 100  # python-keycloak reads a role's members 100 at a time, a request per page


@dataclass
class ActionEmail:
    """An execute-actions e-mail Keycloak would have sent."""

    user_id: str
    email: str
    lifespan_seconds: int
    client_id: str
    redirect_uri: str
    at_ms: int


@dataclass
class _User:
    representation: dict
    roles: set[str] = field(default_factory=set)
    password: str | None = None
    sessions: list[dict] = field(default_factory=list)


class KeycloakTwin:
    """Users, roles, organizations, sessions and action e-mails of one realm, in memory."""

    def __init__(self, clock_ms: Callable[[], int] = lambda: int(time.time() * 1000)):
        self._users: dict[str, _User] = {}
        self._organizations: dict[str, dict] = {}
        self._members: dict[str, set[str]] = {}
        self.action_emails: list[ActionEmail] = []
        self.sign_ins: list[tuple[str, int]] = []  # (user id, epoch ms): Keycloak's LOGIN events
        self.calls: list[str] = []
        self.down = False
        self._failures: dict[str, list[BaseException]] = {}
        self.clock_ms = clock_ms  # tests set it to the instant they simulate

    # --- what tests arrange and observe -----------------------------------------------------------

    def fail_next(self, method: str, error: BaseException, times: int = 1) -> None:
        """Make the next `times` calls of `method` raise `error` (after which it works again)."""
        self._failures.setdefault(method, []).extend([error] * times)

    def start_session(self, user_id: str) -> None:
        """What a successful sign-in leaves behind: a session and a LOGIN event."""
        self._user(user_id).sessions.append({"id": str(uuid.uuid4()), "userId": user_id, "start": self.clock_ms()})
        self.sign_ins.append((user_id, self.clock_ms()))

    def _call(self, method: str) -> None:
        self.calls.append(method)
        if self.down:
            raise KeycloakUnavailable("cannot reach Keycloak: twin is down")
        pending = self._failures.get(method)
        if pending:
            raise pending.pop(0)

    def _user(self, user_id: str) -> _User:
        user = self._users.get(user_id)
        if user is None:
            raise KeycloakRefused("Keycloak refused the request (404)", 404)
        return user

    # --- the interface ----------------------------------------------------------------------------

    def within(self, call: Callable[[], T], deadline: float | None = None) -> T:
        # On another thread, as the gateway does: a call that needs the request's context fails here too.
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(call).result()

    def check_token(self) -> None:
        self._call("check_token")

    def find_user_by_email(self, email: str) -> dict | None:
        self._call("find_user_by_email")
        wanted = email.lower()
        found = next((u for u in self._users.values() if u.representation["email"] == wanted), None)
        return copy.deepcopy(found.representation) if found else None

    def get_user(self, user_id: str) -> dict | None:
        self._call("get_user")
        user = self._users.get(user_id)
        return copy.deepcopy(user.representation) if user else None

    def realm_roles(self, user_id: str) -> set[str]:
        self._call("realm_roles")
        return set(self._user(user_id).roles | DEFAULT_ROLES)

    def ensure_user(self, email: str, first_name: str, last_name: str, locale: str,
                    attributes: dict[str, str], email_verified: bool = False) -> str:
        self._call("ensure_user")
        existing = self.find_user_by_email(email)
        if existing:
            return existing["id"]
        if profile.email_problem(email) or profile.name_problem(first_name) or profile.name_problem(last_name):
            raise KeycloakRefused("Keycloak refused the request (400)", 400)  # the realm's user profile
        user_id = str(uuid.uuid4())
        self._users[user_id] = _User({
            "id": user_id, "username": email.lower(), "email": email.lower(), "firstName": first_name,
            "lastName": last_name, "enabled": True, "emailVerified": email_verified,
            "attributes": {"locale": [locale], **{name: [value] for name, value in attributes.items()}},
            "createdTimestamp": self.clock_ms(),
        })
        return user_id

    def set_password(self, user_id: str, password: str) -> None:
        self._call("set_password")
        self._user(user_id).password = password

    def grant_realm_role(self, user_id: str, role_name: str) -> None:
        self._call("grant_realm_role")
        if role_name not in REALM_ROLES:
            raise KeycloakRefused("Keycloak refused the request (404)", 404)
        self._user(user_id).roles.add(role_name)

    def take_realm_role(self, user_id: str, role_name: str) -> None:
        self._call("take_realm_role")
        if role_name not in REALM_ROLES:
            raise KeycloakRefused("Keycloak refused the request (404)", 404)
        self._user(user_id).roles.discard(role_name)

    def set_enabled(self, user_id: str, enabled: bool) -> None:
        self._call("set_enabled")
        self._user(user_id).representation["enabled"] = enabled

    def delete_user(self, user_id: str) -> None:
        self._call("delete_user")
        self._user(user_id)
        del self._users[user_id]
        for members in self._members.values():
            members.discard(user_id)

    def user_sessions(self, user_id: str) -> list[dict]:
        self._call("user_sessions")
        return copy.deepcopy(self._user(user_id).sessions)

    def role_members(self, role_name: str) -> list[dict]:
        if role_name not in REALM_ROLES:
            self._call("role_members")
            raise KeycloakRefused("Keycloak refused the request (404)", 404)
        holders = [copy.deepcopy(user.representation) for user in self._users.values() if role_name in user.roles]
        for _ in range(len(holders) // ROLE_MEMBERS_PAGE + 1):  # one request per page, as the gateway reads them
            self._call("role_members")
        return holders

    def sign_ins_since(self, since_ms: int) -> list[tuple[str, int]]:
        self._call("sign_ins_since")
        return sorted((sign_in for sign_in in self.sign_ins if sign_in[1] >= since_ms), key=lambda s: -s[1])

    def ensure_organization(self, customer_number: str, company: str, region: str) -> str:
        self._call("ensure_organization")
        found = self.find_organization(customer_number)
        if found:
            return found["id"]
        organization_id = str(uuid.uuid4())
        self._organizations[organization_id] = {
            "id": organization_id, "name": f"{company} ({customer_number})", "alias": customer_number,
            "enabled": True, "domains": [],
            "attributes": {"customer_number": [customer_number], "company_name": [company], "region": [region]},
        }
        self._members[organization_id] = set()
        return organization_id

    def find_organization(self, customer_number: str) -> dict | None:
        self._call("find_organization")
        found = next((o for o in self._organizations.values()
                      if o["attributes"]["customer_number"] == [customer_number]), None)
        return copy.deepcopy(found) if found else None

    def add_member(self, organization_id: str, user_id: str) -> None:
        self._call("add_member")
        self._user(user_id)
        if organization_id not in self._members:
            raise KeycloakRefused("Keycloak refused the request (404)", 404)
        self._members[organization_id].add(user_id)

    def customer_members(self, customer_number: str) -> list[dict]:
        self._call("customer_members")
        organization = self.find_organization(customer_number)
        if organization is None:
            return []
        return [copy.deepcopy(self._users[user_id].representation)
                for user_id in sorted(self._members[organization["id"]])]

    def revoke_access(self, user_id: str, customer_number: str, role_name: str) -> None:
        self._call("revoke_access")
        user = self._user(user_id)
        user.roles.discard(role_name)
        organization = self.find_organization(customer_number)
        if organization is not None:
            self._members[organization["id"]].discard(user_id)
        user.sessions.clear()

    def has_password(self, user_id: str) -> bool:
        self._call("has_password")
        return self._user(user_id).password is not None

    def set_password_email_sent_since(self, user_id: str, since_ms: int) -> bool:
        self._call("set_password_email_sent_since")
        return any(mail.user_id == user_id and mail.at_ms >= since_ms for mail in self.action_emails)

    def send_set_password_email(self, user_id: str, lifespan_seconds: int, client_id: str,
                                redirect_uri: str) -> None:
        self._call("send_set_password_email")
        user = self._user(user_id)
        if not user.representation["enabled"]:
            raise KeycloakRefused("Keycloak refused the request (400)", 400)
        self.action_emails.append(ActionEmail(user_id, user.representation["email"], lifespan_seconds, client_id,
                                              redirect_uri, self.clock_ms()))
