"""The migrations build exactly the schema the models describe (the fast tests create tables from the models)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from bridge.core.migrate import upgrade
from bridge.core.models import Base


def test_migrated_database_matches_the_models(tmp_path):
    url = f"sqlite:///{tmp_path / 'bridge.sqlite'}"
    upgrade(url)
    engine = create_engine(url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert differences == []
