"""What the realm's user profile accepts in a person's name and e-mail address (realm-export.json).

Keycloak refuses an account whose first or last name holds a character of its
`person-name-prohibited-characters` validator, or an e-mail address whose local part is not ASCII. (The
realm takes the e-mail address as the username, so the username's own character rules do not apply:
the contract test shows Keycloak accepting `o'brien@…`.) The request form checks
the same rules here, so that a manager never approves a request that provisioning could not create;
the Keycloak twin applies them too, and the contract test proves both refuse what Keycloak refuses.
"""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email

# Keycloak 26's patterns, with Java's \v (vertical space) and \p{Cntrl} spelled out for Python.
_VERTICAL = "\n\x0b\f\r\x85\u2028\u2029"
_CONTROL = "\x00-\x1f\x7f"
_PERSON_NAME = re.compile(rf"[^<>&\"{_VERTICAL}$%!#?§;*~/\\|^=\[\]{{}}(){_CONTROL}]+")
MAX_LENGTH = 255


def name_problem(value: str) -> str | None:
    """Why Keycloak would refuse this first or last name, or None."""
    if len(value) > MAX_LENGTH:
        return "too long"
    if value and not _PERSON_NAME.fullmatch(value):
        return "invalid character"
    return None


def email_problem(value: str) -> str | None:
    """Why Keycloak would refuse this e-mail address, or None."""
    if len(value) > MAX_LENGTH:
        return "too long"
    try:
        validate_email(value, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError:
        return "not an ASCII e-mail address"
    return None


def customer_number_of(user: dict | None) -> str:
    """The customer number a Keycloak user carries (attribute `customer_number`), or "" when none."""
    return (((user or {}).get("attributes") or {}).get("customer_number") or [""])[0]
