"""What the portal accepts from Keycloak's tokens, as plain functions (no Flask, no HTTP).

ID tokens are checked by authlib (signature from the JWKS, nonce, at_hash) with the options below;
access tokens with joserfc, the JOSE library authlib 1.9 itself uses (authlib.jose is deprecated).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

# Keycloak signs ID and access tokens with the realm's RSA key. Pinning the algorithm shuts out
# "alg": "none" and HMAC tokens forged with the public key.
ALGORITHMS = ["RS256"]
PARTNER_ROLE = "b2b-partner"
# Roles every Keycloak user gets; they say nothing about B2B access.
_BUILT_IN_ROLES = {"offline_access", "uma_authorization"}


class TokenRejected(Exception):
    """A token failed validation: signature, algorithm, issuer, audience or expiry."""


class UnknownSigningKey(TokenRejected):
    """The token names a key (kid) the JWKS lacks: Keycloak may have rotated its keys."""


def id_token_claims_options(issuer: str, client_id: str) -> dict:
    """authlib claims options for ID tokens: issuer and audience pinned, expiry and subject required.

    authlib always checks signature, expiry, nonce, azp and at_hash, but iss and aud only as these
    options say: without "aud" an ID token for another client passes whenever its azp is ours.
    A new dict each time: authlib modifies it.
    """
    return {
        "iss": {"essential": True, "value": issuer},
        "aud": {"essential": True, "value": client_id},
        "exp": {"essential": True},
        "sub": {"essential": True},
    }


def validate_access_token(token: str, jwks: dict, issuer: str, audience: str,
                          leeway: int = 0, now: int | None = None) -> dict:
    """The claims of an access token signed by a key in `jwks`, for `audience`, from `issuer`, unexpired.

    Raises TokenRejected, or its subclass UnknownSigningKey when `jwks` lacks the token's key.
    """
    try:
        decoded = jwt.decode(token, KeySet.import_key_set(jwks), registry=JWSRegistry(algorithms=ALGORITHMS))
        jwt.JWTClaimsRegistry(
            now=now, leeway=leeway,
            iss={"essential": True, "value": issuer},
            aud={"essential": True, "value": audience},
            exp={"essential": True},
            sub={"essential": True},
        ).validate(decoded.claims)
    except InvalidKeyIdError as exc:
        raise UnknownSigningKey("access token signed with a key not in the JWKS") from exc
    except JoseError as exc:
        raise TokenRejected(f"access token rejected: {exc.error}: {exc.description or ''}".strip()) from exc
    return decoded.claims


@dataclass(frozen=True)
class Organization:
    """One partner company the person belongs to (a Keycloak organization)."""

    alias: str
    company_name: str
    customer_number: str
    region: str


@dataclass(frozen=True)
class Person:
    """Who is signed in, as the portal shows it."""

    subject: str
    name: str
    email: str
    customer_number: str | None
    roles: list[str]
    organizations: list[Organization] = field(default_factory=list)

    @property
    def is_partner(self) -> bool:
        """Holds B2B partner access (managers and admins sign in too, without it)."""
        return PARTNER_ROLE in self.roles

    @property
    def company(self) -> Organization | None:
        """The organization of the person's customer number, else their only organization."""
        for organization in self.organizations:
            if organization.alias == self.customer_number:
                return organization
        return self.organizations[0] if len(self.organizations) == 1 else None

    def to_session(self) -> dict:
        """Plain values for the session cookie."""
        return asdict(self)

    @classmethod
    def from_session(cls, data: dict) -> Person:
        """The inverse of to_session."""
        organizations = [Organization(**organization) for organization in data.get("organizations", [])]
        return cls(**{**data, "organizations": organizations})


def _first(values: object) -> str:
    # Organization attributes are multi-valued in Keycloak, so they arrive as lists.
    if isinstance(values, list):
        return str(values[0]) if values else ""
    return "" if values is None else str(values)


def organizations_from_claim(claim: object) -> list[Organization]:
    """The `organization` claim ({alias: {attribute: [value]}}) as a list, sorted by alias."""
    if not isinstance(claim, dict):
        return []
    return [
        Organization(alias=alias, company_name=_first(attributes.get("company_name")),
                     customer_number=_first(attributes.get("customer_number")), region=_first(attributes.get("region")))
        for alias, attributes in sorted(claim.items()) if isinstance(attributes, dict)
    ]


def b2b_roles(claims: dict) -> list[str]:
    """The realm roles in `realm_access.roles`, without Keycloak's built-in ones, sorted."""
    roles = (claims.get("realm_access") or {}).get("roles") or []
    return sorted(role for role in roles
                  if role not in _BUILT_IN_ROLES and not role.startswith("default-roles-"))


def person_from_claims(id_claims: dict, access_claims: dict) -> Person:
    """The person from validated tokens: identity from the ID token, roles from the access token."""
    if id_claims.get("sub") != access_claims.get("sub"):
        raise TokenRejected("ID token and access token name different subjects")
    name = id_claims.get("name") or " ".join(
        part for part in (id_claims.get("given_name"), id_claims.get("family_name")) if part)
    return Person(
        subject=id_claims["sub"],
        name=name or id_claims.get("email", ""),
        email=id_claims.get("email", ""),
        customer_number=id_claims.get("customer_number") or None,
        roles=b2b_roles(access_claims),
        organizations=organizations_from_claim(id_claims.get("organization")),
    )
