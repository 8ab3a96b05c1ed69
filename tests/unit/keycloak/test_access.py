"""Who is a team admin among a customer's people: one read per person, side by side."""

from __future__ import annotations

import threading

from bridge.keycloak.access import PARTNER_ROLE, TEAM_ADMIN_ROLE, team_admins_among

PEOPLE = [{"id": f"person-{n}"} for n in range(5)]


class WaitingForEveryone:
    """A directory whose role reads each wait until all five are asked: they only end if asked side by side."""

    def __init__(self):
        self.together = threading.Barrier(len(PEOPLE), timeout=10)

    def realm_roles(self, user_id: str) -> set[str]:
        self.together.wait()
        return {PARTNER_ROLE, TEAM_ADMIN_ROLE} if user_id == "person-3" else {PARTNER_ROLE}


def test_the_people_of_a_customer_are_asked_about_at_once_not_one_after_the_other():
    assert team_admins_among(WaitingForEveryone(), PEOPLE) == {"person-3"}


def test_nobody_is_asked_about_when_the_customer_has_no_people():
    assert team_admins_among(WaitingForEveryone(), []) == set()
