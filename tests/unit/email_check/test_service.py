"""The e-mail check's rules with a fake Keycloak lookup and a fake clock."""

from __future__ import annotations

import pytest

from bridge.core.addresses import keyed_hash, normalize
from bridge.email_check.service import EmailStatusService, TTLCache
from bridge.keycloak.interface import KeycloakUnavailable


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


class FakeLookup:
    """Counts Keycloak lookups; knows a fixed set of addresses."""

    def __init__(self, known):
        self.known = set(known)
        self.calls = []

    def __call__(self, email):
        self.calls.append(email)
        return email in self.known


@pytest.fixture
def clock():
    return FakeClock()


def service(lookup, clock, ttl_known=120, ttl_unknown=20):
    return EmailStatusService(lookup, TTLCache(clock=clock), ttl_known, ttl_unknown)


@pytest.mark.parametrize("raw, expected", [
    ("partner@pharmacie-centrale.example", "partner@pharmacie-centrale.example"),
    ("  Partner@Pharmacie-Centrale.EXAMPLE\n", "partner@pharmacie-centrale.example"),
    ("jörg.müller@apotheke-görlitz.de", "jörg.müller@apotheke-görlitz.de"),
    ("partner", None), ("partner@", None), ("@x.de", None), ("a b@c.de", None), ("", None), ("   ", None),
    ("x" * 250 + "@c.de", None),
])
def test_normalization(raw, expected):
    assert normalize(raw) == expected


def test_one_lookup_serves_every_check_within_the_ttl(clock):
    lookup = FakeLookup({"a@b.de"})
    checks = service(lookup, clock)
    assert [checks.status(" A@b.de "), checks.status("a@B.de"), checks.status("a@b.de")] == ["known"] * 3
    assert lookup.calls == ["a@b.de"]


def test_unknown_expires_quickly_so_a_new_account_turns_green(clock):
    lookup = FakeLookup(set())
    checks = service(lookup, clock, ttl_unknown=20)
    assert checks.status("new@b.de") == "unknown"
    lookup.known.add("new@b.de")
    clock.now += 19
    assert checks.status("new@b.de") == "unknown"
    clock.now += 2
    assert checks.status("new@b.de") == "known"


def test_known_is_cached_longer(clock):
    lookup = FakeLookup({"a@b.de"})
    checks = service(lookup, clock, ttl_known=120)
    checks.status("a@b.de")
    clock.now += 100
    checks.status("a@b.de")
    clock.now += 21
    checks.status("a@b.de")
    assert len(lookup.calls) == 2


def test_forget_drops_the_cached_answer(clock):
    lookup = FakeLookup(set())
    checks = service(lookup, clock)
    checks.status("new@b.de")
    lookup.known.add("new@b.de")
    checks.forget(" NEW@b.de ")
    assert checks.status("new@b.de") == "known"


def test_invalid_text_never_reaches_keycloak(clock):
    lookup = FakeLookup(set())
    assert service(lookup, clock).status("not an address") == "invalid"
    assert lookup.calls == []


def test_unknown_may_not_be_cached_longer_than_30_seconds(clock):
    with pytest.raises(ValueError):
        service(FakeLookup(set()), clock, ttl_unknown=31)


def test_keycloak_failures_are_not_cached(clock):
    calls = []

    def failing(email):
        calls.append(email)
        raise RuntimeError("down")

    checks = service(failing, clock)
    for _ in range(2):
        with pytest.raises(RuntimeError):
            checks.status("a@b.de")
    assert len(calls) == 2


class FlakyLookup(FakeLookup):
    """A lookup whose Keycloak can be switched off (then it does not answer in time)."""

    def __init__(self, known):
        super().__init__(known)
        self.up = True

    def __call__(self, email):
        if not self.up:
            self.calls.append(email)
            raise KeycloakUnavailable("Keycloak did not answer in time")
        return super().__call__(email)


def test_after_keycloak_failed_misses_answer_unavailable_at_once_for_the_pause(clock):
    lookup = FlakyLookup({"a@b.de"})
    calls = lookup.calls
    checks = EmailStatusService(lookup, TTLCache(clock=clock), 120, 20, pause_after_failure=10, clock=clock)
    assert checks.status("a@b.de") == "known"
    lookup.up = False
    with pytest.raises(KeycloakUnavailable):
        checks.status("new@b.de")
    clock.now += 9
    with pytest.raises(KeycloakUnavailable):
        checks.status("other@b.de")  # not asked: Keycloak failed 9 s ago
    assert checks.status("a@b.de") == "known"  # cached answers are still served
    assert calls == ["a@b.de", "new@b.de"]
    lookup.up = True
    clock.now += 2
    assert checks.status("other@b.de") == "unknown" and calls[-1] == "other@b.de"


def test_cache_stays_bounded(clock):
    cache = TTLCache(max_entries=3, clock=clock)
    for n in range(10):
        cache.put(f"k{n}", "known", 60)
    assert len(cache._entries) <= 3 and cache.get("k9") == "known"


def test_keyed_hash_is_stable_and_depends_on_the_key():
    assert keyed_hash("k1", "a@b.de") == keyed_hash("k1", "a@b.de")
    assert keyed_hash("k1", "a@b.de") != keyed_hash("k2", "a@b.de")
    assert "a@b.de" not in keyed_hash("k1", "a@b.de")


def test_what_needs_no_keycloak_is_told_apart_without_asking_it(clock):
    lookup = FlakyLookup({"a@b.de"})
    checks = EmailStatusService(lookup, TTLCache(clock=clock), 120, 20, pause_after_failure=10, clock=clock)
    assert checks.answer_without_keycloak("a@b.de") is None, "a miss: only Keycloak can tell"
    checks.status("a@b.de")
    assert checks.answer_without_keycloak(" A@B.DE ") == "known"
    assert checks.answer_without_keycloak("not an address") == "invalid"
    lookup.up = False
    with pytest.raises(KeycloakUnavailable):
        checks.status("new@b.de")
    assert checks.answer_without_keycloak("other@b.de") == "unavailable", "during the pause Keycloak is not asked"
    assert lookup.calls == ["a@b.de", "new@b.de"]
