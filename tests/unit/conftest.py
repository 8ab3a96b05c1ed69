"""Fixtures for fast tests without servers: the Keycloak twin, a mail recorder and in-memory SQLite."""

from __future__ import annotations

import secrets
import time
from email.message import EmailMessage

import jinja2
import pytest
from flask import Flask
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from bridge.core.models import Base
from devstack.seed import DEMO_CUSTOMERS
from tests.support.keycloak_twin import KeycloakTwin

UNIT_SETTINGS = {
    "ENV": "development", "SECRET_KEY": "unit-test-secret-key-0123456789abcdef",
    "PUBLIC_URL": "http://bridge.test", "KEYCLOAK_URL": "http://keycloak.test",
    "KEYCLOAK_CLIENT_SECRET": "bridge-secret", "MANAGER_CLIENT_SECRET": "manager-secret",
    "FALLBACK_MANAGER_EMAIL": "b2b-team@woundwo.example", "DATABASE_URL": "sqlite://",
    "PORTAL_URL": "http://portal.test/", "CORS_ORIGINS": "http://keycloak.test", "REQUEST_MIN_FILL_SECONDS": 0,
    "CONFIRMATION_DAY": "",  # a yearly confirmation starts only when a test starts one, whatever today's date
}


class MailRecorder:
    """A mail transport that keeps what it was given (the bridge's SMTP transport is tested for real)."""

    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.failure: BaseException | None = None

    def deliver(self, message: EmailMessage) -> None:
        if self.failure is not None:
            raise self.failure
        self.messages.append(message)

    def to(self, address: str) -> list[EmailMessage]:
        return [message for message in self.messages if message["To"] == address]


class SharedTemplates(jinja2.BytecodeCache):
    """Compiled templates kept for every app the fast tests build: each new app would compile them again,
    which was half of the fast suite's time. Jinja keys each entry by template name and source checksum."""

    def __init__(self):
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


@pytest.fixture(autouse=True, scope="session")
def shared_templates():
    """Every Flask app of the session compiles its templates once (Jinja's own bytecode cache)."""
    cache, create = SharedTemplates(), Flask.create_jinja_environment

    def create_with_cache(self):
        environment = create(self)
        environment.bytecode_cache = cache
        return environment

    Flask.create_jinja_environment = create_with_cache
    yield
    Flask.create_jinja_environment = create


@pytest.fixture
def db():
    """A session on a fresh in-memory SQLite database with the bridge's tables."""
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        yield session


@pytest.fixture
def twin() -> KeycloakTwin:
    return KeycloakTwin()


@pytest.fixture
def mailbox() -> MailRecorder:
    return MailRecorder()


@pytest.fixture
def make_bridge(twin, mailbox):
    """make_bridge(**settings): the whole bridge on the twin, a mail recorder and in-memory SQLite with the demo
    directory, UNIT_SETTINGS overridden by `settings`."""
    from bridge import create_app
    from bridge.core.db import session
    from bridge.directory.customers import import_customers

    def make(**settings):
        bridge = create_app({**UNIT_SETTINGS, **settings}, keycloak=twin, mail=mailbox)
        Base.metadata.create_all(bridge.extensions["bridge.engine"])
        with bridge.app_context():
            import_customers(session(), DEMO_CUSTOMERS.read_bytes(), bridge.config["CUSTOMER_NUMBER_PATTERN"])
        return bridge

    return make


@pytest.fixture
def app(make_bridge):
    """The whole bridge with UNIT_SETTINGS."""
    return make_bridge()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def reviewer_client(app):
    """reviewer_client(email, *roles): a test client signed in to the review UI (the OIDC part is tested
    against the real Keycloak; here the session holds what the callback would have stored)."""

    def signed_in(email: str, *roles: str):
        client = app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        with client.session_transaction() as session:
            session["reviewer"] = {"email": email, "name": email, "roles": list(roles)}
            session["seen_at"] = session["signed_in_at"] = time.time()
            session["sid"] = secrets.token_urlsafe(16)
        return client

    return signed_in
