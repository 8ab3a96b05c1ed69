"""The login theme's message bundles: the same keys in French, German and English, and our own `ww*` keys only
where a template uses them (a text Keycloak has a key for overrides that key instead, keycloak-theme/README.md)."""

from __future__ import annotations

import re

import pytest

from devstack.settings import REPO_ROOT

LOGIN = REPO_ROOT / "keycloak-theme" / "login"
KEY = re.compile(r"^([\w.-]+)=", re.MULTILINE)
# msg("wwX"), msg('wwX'), and the language names built as "wwLanguage_" + tag in template.ftl.
USED = re.compile(r"""msg\(\s*["'](ww\w+)["']""")


def keys(language: str) -> set[str]:
    return set(KEY.findall((LOGIN / "messages" / f"messages_{language}.properties").read_text(encoding="utf-8")))


def templates() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in LOGIN.glob("*.ftl"))


@pytest.mark.parametrize("language", ["fr", "de"])
def test_every_language_has_the_same_keys_as_english(language):
    assert keys(language) == keys("en")


def test_every_ww_key_a_template_uses_exists_and_every_ww_key_is_used():
    used = set(USED.findall(templates()))
    ours = {key for key in keys("en") if key.startswith("ww") and not key.startswith("wwLanguage_")}
    assert used - ours == set(), "used by a template but missing from the bundles"
    assert ours - used == set(), "defined but used by no template: remove it, or override Keycloak's key instead"
