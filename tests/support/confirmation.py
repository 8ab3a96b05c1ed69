"""Answering the yearly confirmation's page as a person does: every listed person's field, some answered."""

from __future__ import annotations

import re

from tests.support.manager import csrf_token


def listed(client, path: str) -> dict[str, int]:
    """Keycloak id → the index of the person's answer on the page (the people one may still answer for)."""
    page = client.get(path).get_data(as_text=True)
    return {user_id: int(index) for index, user_id in
            re.findall(r'name="people-(\d+)-user_id" type="hidden" value="([^"]+)"', page)}


def answer(client, path: str, answers: dict[str, str]):
    """Post the page's form with `answers` (Keycloak id → confirmed or removed); others stay unanswered."""
    data = {"csrf_token": csrf_token(client, path)}
    for user_id, index in listed(client, path).items():
        data[f"people-{index}-user_id"] = user_id
        if user_id in answers:
            data[f"people-{index}-answer"] = answers[user_id]
    return client.post(path, data=data)
