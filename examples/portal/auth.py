"""The portal's one link to Keycloak: OIDC sign-in (code flow, PKCE, nonce), refresh and logout, through authlib.

Views call this small interface and never build Keycloak URLs. Failures come out as two exceptions:
SignInFailed (Keycloak refused, or a token did not validate) and SessionEnded (Keycloak no longer
honours the session). An unreachable Keycloak raises requests' exceptions, which the app answers with 503.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from authlib.integrations.flask_client import OAuth, OAuthError
from flask import Flask, Response
from joserfc.errors import JoseError

from examples.portal import tokens
from examples.portal.config import discovery_url
from examples.portal.tokens import Person, TokenRejected


class SignInFailed(RuntimeError):
    """Keycloak refused the sign-in, or a token it returned failed validation."""


class SessionEnded(RuntimeError):
    """Keycloak refused to refresh: the session ended (logout, timeout) or access was revoked."""


@dataclass(frozen=True)
class SignedIn:
    """The result of a sign-in or refresh: who, and what the portal keeps to refresh and log out."""

    person: Person
    id_token: str
    refresh_token: str
    refresh_at: float


class KeycloakSignIn:
    """OpenID Connect against one Keycloak realm as one confidential client."""

    def __init__(self, app: Flask):
        config = app.config
        # One OAuth registry per app: authlib's keeps its app and caches its clients, so a module-level
        # one would mix the settings of two apps in one process (tests build several).
        oauth = OAuth(app)
        self.client = oauth.register(
            "keycloak", client_id=config["CLIENT_ID"], client_secret=config["CLIENT_SECRET"],
            server_metadata_url=discovery_url(config),
            # PKCE S256 (the realm enforces it); authlib adds a nonce by itself for the openid scope.
            client_kwargs={"scope": "openid", "code_challenge_method": "S256",
                           "timeout": float(config["KEYCLOAK_TIMEOUT"])},
        )
        self.issuer = config["ISSUER"]
        self.client_id = config["CLIENT_ID"]
        self.leeway = int(config["CLOCK_LEEWAY"])
        self.refresh_after = config["REFRESH_AFTER"]
        self.redirect_uri = f"{config['URL']}/callback"
        self.post_logout_redirect_uri = f"{config['URL']}/signed-out"

    def start(self) -> Response:
        """Redirect the browser to Keycloak's sign-in page (state, nonce and PKCE verifier kept in the session)."""
        return self.client.authorize_redirect(self.redirect_uri)

    def finish(self) -> SignedIn:
        """Exchange the callback's code for tokens and validate them."""
        try:
            token = self.client.authorize_access_token(
                claims_options=tokens.id_token_claims_options(self.issuer, self.client_id), leeway=self.leeway)
            if "userinfo" not in token:
                raise SignInFailed("Keycloak returned no ID token")
            return self._signed_in(token, dict(token["userinfo"]))
        except (OAuthError, JoseError, TokenRejected) as exc:
            raise SignInFailed(f"{type(exc).__name__}: {exc}") from exc

    def refresh(self, subject: str, refresh_token: str) -> SignedIn:
        """New tokens for the same person, or SessionEnded when Keycloak says the session is over."""
        try:
            token = self.client.fetch_access_token(grant_type="refresh_token", refresh_token=refresh_token)
        except OAuthError as exc:
            raise SessionEnded(f"{exc.error}: {exc.description}") from exc
        try:
            # A refreshed ID token carries no new nonce; everything else is checked as at sign-in.
            id_claims = self.client.parse_id_token(
                token, nonce=None, claims_options=tokens.id_token_claims_options(self.issuer, self.client_id),
                leeway=self.leeway)
            signed_in = self._signed_in(token, dict(id_claims))
        except (JoseError, TokenRejected) as exc:
            raise SessionEnded(f"refreshed tokens rejected: {exc}") from exc
        if signed_in.person.subject != subject:
            raise SessionEnded("refreshed tokens name another person")
        return signed_in

    def logout_redirect(self, id_token: str) -> Response:
        """Redirect to Keycloak's end-session endpoint, which ends the SSO session and comes back."""
        return self.client.logout_redirect(post_logout_redirect_uri=self.post_logout_redirect_uri,
                                           id_token_hint=id_token, client_id=self.client_id)

    def logout_returned(self) -> bool:
        """Whether this request is Keycloak's answer to a logout this browser started (state matches)."""
        try:
            self.client.validate_logout_response()
        except OAuthError:
            return False
        return True

    def _signed_in(self, token: dict, id_claims: dict) -> SignedIn:
        access_claims = self._access_claims(token["access_token"])
        person = tokens.person_from_claims(id_claims, access_claims)
        now = time.time()
        lifetime = self.refresh_after if self.refresh_after is not None else access_claims["exp"] - now
        return SignedIn(person, token["id_token"], token.get("refresh_token", ""), now + max(0.0, float(lifetime)))

    def _access_claims(self, access_token: str) -> dict:
        """Roles are read from the access token, so it is validated like the ID token."""
        try:
            return tokens.validate_access_token(access_token, self.client.fetch_jwk_set(), self.issuer,
                                                self.client_id, self.leeway)
        except tokens.UnknownSigningKey:
            # Keycloak rotated its keys since the JWKS was cached: fetch it once more.
            return tokens.validate_access_token(access_token, self.client.fetch_jwk_set(force=True), self.issuer,
                                                self.client_id, self.leeway)
