"""Every string a person reads on the bridge exists in French and German, with the same placeholders."""

from __future__ import annotations

import re

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from devstack.settings import REPO_ROOT

TRANSLATIONS = REPO_ROOT / "bridge" / "translations"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


@pytest.fixture(scope="module")
def source_ids(tmp_path_factory):
    """The msgids in the code and templates right now (what `make translations` would extract)."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    CommandLineInterface().run(["pybabel", "-q", "extract", "-F", str(REPO_ROOT / "babel.cfg"), "-k", "_l",
                                "-o", str(pot), str(REPO_ROOT)])
    ids = {message.id for message in read_po(pot.open("rb")) if message.id}
    assert len(ids) > 100, "extraction found the bridge's strings"
    return ids


@pytest.mark.parametrize("language", ["fr", "de"])
def test_every_source_string_is_translated(language, source_ids):
    catalog = read_po((TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb"))
    assert not catalog.fuzzy, "the catalog's header is marked fuzzy: `pybabel compile` would skip the whole file"
    translated = {m.id: m for m in catalog if m.id}
    missing = sorted(source_ids - set(translated))
    assert not missing, f"run `make translations` and translate: {missing[:5]}"
    untranslated = [m.id for m in translated.values() if m.id in source_ids and (not m.string or m.fuzzy)]
    assert not untranslated, untranslated[:5]


@pytest.mark.parametrize("language", ["fr", "de"])
def test_translations_keep_the_placeholders(language):
    catalog = read_po((TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb"))
    for message in catalog:
        if message.id and message.string:  # a plural's forms each keep the plural's placeholders
            source = message.id[-1] if message.pluralizable else message.id
            for form in message.string if message.pluralizable else [message.string]:
                assert set(PLACEHOLDER.findall(source)) == set(PLACEHOLDER.findall(form)), message.id
