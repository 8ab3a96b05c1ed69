"""Sign-in for the manager review UI and the partners' team page: OIDC code flow with PKCE and nonce against
Keycloak (client b2b-manager), one instance per area (`/manage`, `/team`).

Roles come from the validated ID token (realm_access.roles, added by the realm's `b2b` scope).
The bridge keeps its own session afterwards, with an idle timeout; logout also ends the Keycloak session.
"""

from __future__ import annotations

import logging
from collections.abc import MutableMapping
from datetime import datetime

import requests
from authlib.integrations.flask_client import OAuth, OAuthError
from flask import Flask, Response, redirect
from joserfc.errors import JoseError

from sqlalchemy.orm import Session

from bridge.review import sessions
from bridge.review.service import Reviewer

log = logging.getLogger(__name__)


class SignInFailed(RuntimeError):
    """Keycloak refused the sign-in, or its ID token did not validate."""


class ManagerSignIn:
    """The b2b-manager client of the realm, for the area under `path` (its callback and signed-out page)."""

    def __init__(self, app: Flask, path: str = "/manage"):
        config = app.config
        realm_url = f"{config['KEYCLOAK_URL']}/realms/{config['KEYCLOAK_REALM']}"
        # One registry per app: authlib caches clients per registry, and tests build several apps.
        self.client = OAuth(app).register(
            "keycloak", client_id=config["MANAGER_CLIENT_ID"], client_secret=config["MANAGER_CLIENT_SECRET"],
            server_metadata_url=f"{realm_url}/.well-known/openid-configuration",
            client_kwargs={"scope": "openid", "code_challenge_method": "S256", "timeout": 5},
        )
        self.client_id = config["MANAGER_CLIENT_ID"]
        self.redirect_uri = f"{config['PUBLIC_URL']}{path}/callback"
        self.signed_out_uri = f"{config['PUBLIC_URL']}{path}/signed-out"

    def start(self) -> Response:
        """Redirect to Keycloak's themed sign-in page; state, nonce and PKCE verifier stay in the session."""
        return self.client.authorize_redirect(self.redirect_uri)

    def finish(self) -> tuple[Reviewer, str]:
        """Exchange the code; validate the ID token (signature, iss, aud, exp, nonce); return who and the token."""
        try:
            issuer = self.client.load_server_metadata()["issuer"]
            token = self.client.authorize_access_token(claims_options={
                "iss": {"essential": True, "value": issuer},
                "aud": {"essential": True, "value": self.client_id},
            })
        except (OAuthError, JoseError) as exc:
            raise SignInFailed(f"{type(exc).__name__}: {exc}") from exc
        claims = token.get("userinfo")
        if not claims or not claims.get("email"):
            raise SignInFailed("no ID token or no e-mail in it")
        reviewer = Reviewer(
            email=claims["email"].lower(), name=claims.get("name") or claims["email"],
            roles=frozenset((claims.get("realm_access") or {}).get("roles", [])),
        )
        return reviewer, token["id_token"]

    def sign_out(self, browser_session: MutableMapping, database: Session, now: datetime) -> Response:
        """End the bridge session (its id is recorded as ended, for every copy of its cookie), then Keycloak's."""
        id_token = browser_session.get("id_token", "")
        if browser_session.get("sid"):
            sessions.end(database, browser_session["sid"], now)
        browser_session.clear()
        return self.logout_redirect(id_token)

    def logout_redirect(self, id_token: str) -> Response:
        """End the Keycloak session too, then come back to the bridge's signed-out page.

        When Keycloak cannot be reached, the bridge's session has ended all the same: straight to that page.
        """
        try:
            return self.client.logout_redirect(post_logout_redirect_uri=self.signed_out_uri, id_token_hint=id_token,
                                               client_id=self.client_id)
        except (requests.RequestException, OAuthError, KeyError) as exc:
            log.warning("Keycloak's end-session endpoint unknown (%s): signed out of the bridge only", type(exc).__name__)
            return redirect(self.signed_out_uri)
