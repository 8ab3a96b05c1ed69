"""The Keycloak runner's decisions, on fake distributions and JDK folders (no Keycloak started)."""

from __future__ import annotations

import pytest

from bridge.realm.source import missing_placeholders
from devstack.keycloak import KeycloakInstance, find_jdk

REALM = '{"realm": "woundwo", "secret": "${PORTAL_CLIENT_SECRET}", "text": "${profileScopeConsentText}"}'


def fake_jdk(root, name, version):
    home = root / name
    (home / "bin").mkdir(parents=True)
    (home / "bin" / "java").write_text("")
    (home / "release").write_text(f'JAVA_VERSION="{version}"\n')
    return home


@pytest.fixture
def distribution(tmp_path, monkeypatch):
    home = tmp_path / "dist"
    (home / "bin").mkdir(parents=True)
    (home / "bin" / "kc.sh").write_text("#!/bin/sh\n")
    (home / "themes").mkdir()
    monkeypatch.setenv("KEYCLOAK_HOME", str(home))
    return home


def instance(tmp_path, realm_text=REALM, env=None):
    realm_file = tmp_path / "realm-export.json"
    realm_file.write_text(realm_text)
    env = {"PORTAL_CLIENT_SECRET": "s"} if env is None else env
    return KeycloakInstance(tmp_path / "instance", 1, 2, env, realm_file=realm_file)


def test_placeholders_missing_from_the_environment_are_named():
    assert missing_placeholders(REALM, {}) == ["PORTAL_CLIENT_SECRET"]


def test_keycloak_message_keys_are_not_taken_for_placeholders():
    assert missing_placeholders(REALM, {"PORTAL_CLIENT_SECRET": ""}) == []


def test_runner_refuses_to_start_with_a_missing_placeholder(tmp_path, distribution):
    with pytest.raises(SystemExit, match="PORTAL_CLIENT_SECRET"):
        instance(tmp_path, env={}).prepare()
    assert not (tmp_path / "instance").exists()


def test_first_prepare_installs_theme_and_realm_for_import(tmp_path, distribution):
    kc = instance(tmp_path)
    assert kc.prepare() is True
    assert (tmp_path / "instance" / "bin" / "kc.sh").exists()
    assert (tmp_path / "instance" / "themes" / "woundwo").resolve().name == "keycloak-theme"
    assert (tmp_path / "instance" / "data" / "import" / "realm-export.json").read_text() == REALM


def test_unchanged_realm_keeps_the_database(tmp_path, distribution):
    kc = instance(tmp_path)
    kc.prepare()
    database = tmp_path / "instance" / "data" / "h2" / "keycloakdb.mv.db"
    database.parent.mkdir()
    database.write_text("users")
    assert kc.prepare() is False
    assert database.exists()


def test_changed_realm_keeps_the_database_and_is_left_for_apply(tmp_path, distribution):
    instance(tmp_path).prepare()
    database = tmp_path / "instance" / "data" / "h2" / "keycloakdb.mv.db"
    database.parent.mkdir()
    database.write_text("users")
    changed = instance(tmp_path, realm_text=REALM.replace('"realm": "woundwo"', '"realm": "woundwo", "x": 1'))
    assert changed.prepare() is False
    assert database.exists() and changed.realm_changed


def test_a_changed_placeholder_value_counts_as_a_changed_realm(tmp_path, distribution):
    instance(tmp_path).prepare()
    assert instance(tmp_path).prepare() is False
    kc = instance(tmp_path, env={"PORTAL_CLIENT_SECRET": "rotated"})
    assert kc.prepare() is False and kc.realm_changed


def test_malformed_realm_file_stops_the_runner_with_its_reason(tmp_path, distribution):
    with pytest.raises(SystemExit, match="not valid JSON"):
        instance(tmp_path, realm_text='{"realm": ').prepare()


def test_fresh_start_wipes_the_database_even_when_the_realm_is_unchanged(tmp_path, distribution):
    kc = instance(tmp_path)
    kc.prepare()
    marker = tmp_path / "instance" / "data" / "h2"
    marker.mkdir()
    assert kc.prepare(fresh=True) is True
    assert not marker.exists()


def test_newest_jdk_of_at_least_17_is_chosen(tmp_path, monkeypatch):
    monkeypatch.delenv("JAVA_HOME", raising=False)
    fake_jdk(tmp_path, "java-11", 11)
    fake_jdk(tmp_path, "java-17", 17)
    newest = fake_jdk(tmp_path, "temurin-25", 25)
    fake_jdk(tmp_path, "java-21", 21)
    assert find_jdk(tmp_path) == (newest, 25)


def test_no_suitable_jdk_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.delenv("JAVA_HOME", raising=False)
    fake_jdk(tmp_path, "java-11", 11)
    with pytest.raises(SystemExit, match="no JDK >= 17"):
        find_jdk(tmp_path)
