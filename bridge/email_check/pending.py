"""Whether an address that Keycloak does not know has a request waiting for its regional manager."""

from __future__ import annotations

import logging

from sqlalchemy.exc import SQLAlchemyError

from bridge.core import db
from bridge.core.models import pending_request

log = logging.getLogger(__name__)


def has_pending_request(email: str) -> bool:
    """True when a request for `email` waits; a database that cannot answer means "no" (the check stays up)."""
    try:
        return pending_request(db.session(), email) is not None
    except SQLAlchemyError as exc:
        log.warning("email-status: pending requests not readable: %s", type(exc).__name__)
        db.session().rollback()
        return False
