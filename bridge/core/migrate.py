"""Schema migrations with Alembic, driven from the app's configuration (no alembic.ini to keep in sync)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    """An Alembic configuration pointing at our migrations and the given database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


class SchemaFromAnotherVersion(RuntimeError):
    """The database's schema was written by a bridge newer than this code (e.g. a dump restored from it)."""


def unknown_revisions(url: str) -> list[str]:
    """The database's schema revisions that this code's migrations do not know (empty when all is well)."""
    script = ScriptDirectory.from_config(alembic_config(url))
    known = {revision.revision for revision in script.walk_revisions()}
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return [head for head in MigrationContext.configure(connection).get_current_heads() if head not in known]
    finally:
        engine.dispose()


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at `url` to `revision`; refuse, changing nothing, a schema newer than this code."""
    unknown = unknown_revisions(url)
    if unknown:
        head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
        raise SchemaFromAnotherVersion(
            f"the database's schema is at revision {', '.join(unknown)}, which this bridge does not know (its newest "
            f"is {head}): the database comes from a newer bridge. Run that version, or restore a dump taken with "
            "this one; nothing was changed")
    command.upgrade(alembic_config(url), revision)
