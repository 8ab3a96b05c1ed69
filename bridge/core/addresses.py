"""E-mail addresses as every feature stores and compares them, and as logs may show them."""

from __future__ import annotations

import hashlib
import hmac

from email_validator import EmailNotValidError, validate_email


def normalize(raw: str) -> str | None:
    """The address in canonical form (trimmed, lower-case), or None when it is not an e-mail address."""
    candidate = raw.strip()
    if not candidate or len(candidate) > 254 or not candidate.isprintable():
        return None  # also a lone surrogate (from JSON "\ud800"), which no mail system can carry
    try:
        validate_email(candidate, check_deliverability=False, allow_smtputf8=True)
    except EmailNotValidError:
        return None
    return candidate.lower()


def keyed_hash(secret: str, email: str) -> str:
    """A short keyed hash that lets logs correlate checks without revealing the address."""
    return hmac.new(secret.encode(), email.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()[:16]
