"""The big realm's Keycloak part: a first chunk of partners through the admin API's partial import, the rest
and every organization straight into Keycloak's PostgreSQL schema (Keycloak stopped).

Why both: the partial import is the supported way in, and its rows show what Keycloak itself writes for such a
user; but on this machine it took 14 s for 500 users and 46 s for the next 1,000 (it grows with the chunk), an
hour or more for 100,000. The SQL writes the same rows as the import wrote for the first chunk (user, two
attributes, the password credential, the realm roles) and, for organizations, what `POST /organizations` and
`POST /organizations/{id}/members` write in Keycloak 26.7 (an `org` row, its group of type 1 named by the
organization's id, the attributes on that group, an UNMANAGED group membership per member), read from a
database those calls had filled. Every password is the same PBKDF2-SHA512 hash, computed once here: Keycloak
verifies it with its pbkdf2-sha512 provider (and rehashes it with the realm's default on the first sign-in).
"""

from __future__ import annotations

import base64
import hashlib
import json
import time

import psycopg
import requests

from bench.big_realm.plan import PASSWORD, Partner, Plan, stable_id

IMPORT_CHUNK = 1_000  # partners through the partial import; the rest by SQL
PBKDF2_ITERATIONS = 210_000  # Keycloak's default for pbkdf2-sha512
REALM_ROLES = ("b2b-partner", "default-roles-woundwo")


def password_credential() -> dict:
    """One PBKDF2-SHA512 hash of PASSWORD as Keycloak's credential representation holds it (computed once)."""
    salt = hashlib.sha256(b"woundwo big realm").digest()[:16]
    value = hashlib.pbkdf2_hmac("sha512", PASSWORD.encode(), salt, PBKDF2_ITERATIONS, 64)
    return {
        "type": "password",
        "secretData": json.dumps({"value": base64.b64encode(value).decode(), "salt": base64.b64encode(salt).decode(),
                                  "additionalParameters": {}}, separators=(",", ":")),
        "credentialData": json.dumps({"hashIterations": PBKDF2_ITERATIONS, "algorithm": "pbkdf2-sha512",
                                      "additionalParameters": {}}, separators=(",", ":")),
    }


def representation(partner: Partner, credential: dict) -> dict:
    roles = [*REALM_ROLES, "b2b-team-admin"] if partner.team_admin else list(REALM_ROLES)
    return {"id": partner.id, "username": partner.email, "email": partner.email, "firstName": partner.first_name,
            "lastName": partner.last_name, "enabled": True, "emailVerified": True,
            "attributes": {"customer_number": [partner.customer_number], "locale": [partner.locale]},
            "realmRoles": roles, "credentials": [credential]}


def partial_import(keycloak_url: str, admin_token: str, partners: list[Partner]) -> float:
    """POST the partners to the realm's partialImport (existing ones skipped); return the seconds it took."""
    credential = password_credential()
    started = time.perf_counter()
    response = requests.post(f"{keycloak_url}/admin/realms/woundwo/partialImport", timeout=1800,
                             headers={"Authorization": f"Bearer {admin_token}"},
                             json={"ifResourceExists": "SKIP", "users": [representation(p, credential) for p in partners]})
    response.raise_for_status()
    return time.perf_counter() - started


def _copy(cursor, table: str, columns: tuple[str, ...], rows) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def fill_by_sql(dsn: str, plan: Plan, imported: int) -> dict[str, int]:
    """Partners from `imported` on, every organization and every membership, in one transaction; Keycloak must
    be stopped (its caches would not know). Returns the row counts written per table."""
    credential = password_credential()
    now_ms = int(time.time() * 1000)
    counts: dict[str, int] = {}
    with psycopg.connect(dsn) as connection, connection.cursor() as cursor:
        realm_id = cursor.execute("SELECT id FROM realm WHERE name = 'woundwo'").fetchone()[0]
        roles = dict(cursor.execute("SELECT name, id FROM keycloak_role WHERE realm_id = %s AND NOT client_role",
                                    (realm_id,)).fetchall())
        partners = plan.partners[imported:]
        _copy(cursor, "user_entity", ("id", "email", "email_constraint", "email_verified", "enabled", "first_name",
                                      "last_name", "realm_id", "username", "created_timestamp", "not_before",
                                      "last_modified_timestamp"),
              ((p.id, p.email, p.email, True, True, p.first_name, p.last_name, realm_id, p.email, now_ms, 0, now_ms)
               for p in partners))
        _copy(cursor, "user_attribute", ("id", "name", "value", "user_id"),
              ((stable_id(f"attribute-{name}", p.index), name, value, p.id) for p in partners
               for name, value in (("customer_number", p.customer_number), ("locale", p.locale))))
        _copy(cursor, "credential", ("id", "type", "user_id", "created_date", "user_label", "secret_data",
                                     "credential_data", "priority", "version"),
              ((stable_id("credential", p.index), "password", p.id, now_ms, None, credential["secretData"],
                credential["credentialData"], 10, 0) for p in partners))
        _copy(cursor, "user_role_mapping", ("role_id", "user_id"),
              ((roles[name], p.id) for p in partners
               for name in (*REALM_ROLES, *(["b2b-team-admin"] if p.team_admin else []))))
        counts["users"] = len(partners)

        organizations = plan.organizations
        _copy(cursor, "org", ("id", "enabled", "realm_id", "group_id", "name", "alias"),
              ((stable_id("org", row[0]), True, realm_id, stable_id("org-group", row[0]), f"{row[1]} ({row[0]})", row[0])
               for row in organizations))
        _copy(cursor, "keycloak_group", ("id", "name", "parent_group", "realm_id", "type", "org_id", "created_timestamp",
                                         "last_modified_timestamp"),
              ((stable_id("org-group", row[0]), stable_id("org", row[0]), " ", realm_id, 1, stable_id("org", row[0]),
                now_ms, now_ms) for row in organizations))
        _copy(cursor, "group_attribute", ("id", "name", "value", "group_id"),
              ((stable_id(f"org-attribute-{name}", row[0]), name, value, stable_id("org-group", row[0]))
               for row in organizations
               for name, value in (("customer_number", row[0]), ("company_name", row[1]), ("region", row[4]))))
        _copy(cursor, "user_group_membership", ("group_id", "user_id", "membership_type"),
              ((stable_id("org-group", p.customer_number), p.id, "UNMANAGED") for p in plan.partners))
        counts["organizations"] = len(organizations)
        counts["memberships"] = len(plan.partners)
        cursor.execute("ANALYZE")
    return counts
