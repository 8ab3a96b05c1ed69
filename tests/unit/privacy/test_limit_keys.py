"""The per-address limits of the public forms count under a keyed hash: the rate-limit storage (Redis in
production, kept up to a day) never holds an address in clear, while the limit still follows the address."""

from __future__ import annotations

from bridge.core.extensions import limiter
from tests.support.forms import VALID_CONTACT, VALID_REQUEST, send_contact, submit_request


def stored_keys(app) -> list[str]:
    with app.app_context():
        storage = limiter.limiter.storage
    return [str(key) for attribute in ("storage", "expirations", "events") for key in getattr(storage, attribute, {})]


def test_no_address_is_a_rate_limit_key_and_the_limit_still_follows_the_address(app, client):
    assert submit_request(client, "en").status_code == 302
    assert send_contact(client, "en").status_code == 302
    keys = stored_keys(app)
    assert any("requests-per-address" in key for key in keys) and any("contact-per-address" in key for key in keys)
    assert [key for key in keys if VALID_REQUEST["email"] in key or VALID_CONTACT["email"] in key] == []
