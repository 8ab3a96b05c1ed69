"""The operator's connection to Keycloak's admin REST API (python-keycloak, client realm-operator).

Not the bridge's gateway (bridge/keycloak/): that one runs as the least-privilege b2b-bridge service
account for the web tier; this one runs only inside `flask --app bridge realm ...`, with the realm-
management roles realm changes need (docs/operations.md, "Changing the live realm").
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from keycloak import KeycloakOpenIDConnection
from keycloak.exceptions import KeycloakAuthenticationError, KeycloakConnectionError, KeycloakError
from requests import Response


# The operator client realm-export.json defines (BRIDGE_REALM_OPERATOR_CLIENT_ID's default).
OPERATOR_CLIENT_ID = "realm-operator"


class RealmAdminError(Exception):
    """Keycloak could not be reached, refused the operator, or refused a change; the message says which."""


def segment(value: str) -> str:
    """A name (client id, flow alias, role name) as one URL path segment."""
    return quote(value, safe="")


class RealmAdmin:
    """GET, PUT, POST and DELETE under /admin/realms/{realm}, as the operator client."""

    def __init__(self, server_url: str, realm: str, client_id: str, client_secret: str, timeout: float = 30):
        self.realm = realm
        self.client_id = client_id
        self._base = f"admin/realms/{segment(realm)}"
        self._connection = KeycloakOpenIDConnection(
            server_url=server_url.rstrip("/") + "/", realm_name=realm, user_realm_name=realm,
            client_id=client_id, client_secret_key=client_secret, timeout=timeout, max_retries=0)

    def sign_in(self) -> None:
        """Get the operator's token now, so a wrong secret is said before anything is read."""
        try:
            self._connection.get_token()
        except KeycloakAuthenticationError:
            raise RealmAdminError(f"Keycloak refused the operator client {self.client_id!r} of realm {self.realm!r}: "
                                  "check BRIDGE_REALM_OPERATOR_CLIENT_ID and BRIDGE_REALM_OPERATOR_CLIENT_SECRET") from None
        except KeycloakConnectionError as exc:
            raise RealmAdminError(f"cannot reach Keycloak at {self._connection.server_url}: {exc}") from None
        except KeycloakError as exc:
            raise RealmAdminError(f"Keycloak refused the operator's sign-in ({exc.response_code})") from None

    def get(self, path: str = "", **params: Any) -> Any:
        """The JSON answer of GET {path}."""
        return self._checked("GET", path, lambda url: self._connection.raw_get(url, **params)).json()

    def put(self, path: str, body: Any) -> None:
        self._checked("PUT", path, lambda url: self._connection.raw_put(url, data=json.dumps(body)))

    def post(self, path: str, body: Any) -> Response:
        return self._checked("POST", path, lambda url: self._connection.raw_post(url, data=json.dumps(body)))

    def delete(self, path: str, body: Any = None) -> None:
        data = None if body is None else json.dumps(body)
        self._checked("DELETE", path, lambda url: self._connection.raw_delete(url, data=data))

    def _checked(self, method: str, path: str, call) -> Response:
        url = f"{self._base}{path}"
        try:
            response = call(url)
        except KeycloakConnectionError as exc:
            raise RealmAdminError(f"cannot reach Keycloak at {self._connection.server_url}: {exc}") from None
        if response.status_code >= 400:
            raise RealmAdminError(f"Keycloak answered {response.status_code} to {method} /{url}: {_reason(response)}")
        return response


def _reason(response: Response) -> str:
    """Keycloak's own explanation of a refusal (its error fields only, never the request)."""
    try:
        body = response.json()
    except ValueError:
        return response.reason or "no reason given"
    if isinstance(body, dict):
        return str(body.get("errorMessage") or body.get("error_description") or body.get("error") or response.reason)
    return response.reason or "no reason given"
