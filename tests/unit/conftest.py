"""Fixtures for fast tests without servers."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from bridge.models import Base


@pytest.fixture
def db():
    """A session on a fresh in-memory SQLite database with the bridge's tables."""
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        yield session
