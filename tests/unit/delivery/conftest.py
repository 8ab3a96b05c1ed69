"""An approved request as the review UI leaves it, for the delivery rules."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bridge.core.db import session
from bridge.core.models import AccessRequest, OutboxItem, RequestStatus
from bridge.delivery import activation, provisioning
from bridge.delivery.schedule import next_activation

DECIDED = datetime(2026, 12, 1, 15, 0, tzinfo=timezone.utc)


@pytest.fixture
def approved(app):
    """approved(email, language) → the id of a request approved at DECIDED, provisioning and activation queued."""

    def make(email: str = "lou.brun@pharmacie-centrale.example", language: str = "de") -> int:
        with app.app_context():
            request = AccessRequest(
                customer_number="100001", company="Pharmacie Centrale", first_name="Lou", last_name="Brun",
                email=email, language=language, privacy_consent_at=DECIDED,
                assigned_manager_email="manager.west@woundwo.example", status=RequestStatus.APPROVED,
                created_at=DECIDED, updated_at=DECIDED, decided_at=DECIDED, decided_by="manager.west@woundwo.example",
                activation_due_at=next_activation(DECIDED, "Europe/Paris"))
            session().add(request)
            session().flush()
            provisioning.enqueue(session(), request)
            activation.schedule(session(), request)
            for item in session().new:  # queued at DECIDED, not at the real now (which passed DECIDED on its day)
                if isinstance(item, OutboxItem):
                    item.created_at = item.created_at or DECIDED
                    item.next_attempt_at = item.next_attempt_at or DECIDED
            session().commit()
            return request.id

    return make
