"""Where personal values are left in the bridge's database: every table, every text and JSON column."""

from __future__ import annotations

from sqlalchemy import JSON, String, Text, select
from sqlalchemy.orm import Session

from bridge.core.models import Base


def places_holding(session: Session, values: list[str]) -> list[str]:
    """`table.column #row: value` for each text or JSON cell that contains one of `values` (case-insensitive)."""
    wanted = [value.lower() for value in values]
    found = []
    for table in Base.metadata.sorted_tables:
        columns = [column for column in table.columns if isinstance(column.type, (String, Text, JSON))]
        for row in session.execute(select(*table.primary_key.columns, *columns)).mappings():
            for column in columns:
                text = str(row[column.name] if not isinstance(column.type, JSON) else row[column.name]).lower()
                hits = [value for value in wanted if value in text]
                if hits:
                    found.append(f"{table.name}.{column.name} {[row[key.name] for key in table.primary_key.columns]}: {hits}")
    return found
