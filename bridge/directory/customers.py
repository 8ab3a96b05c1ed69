"""The customer directory: customer numbers and their regional managers, imported from the ERP's CSV export."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Iterable, Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bridge.core.addresses import normalize
from bridge.core.i18n import LANGUAGES
from bridge.core.models import Customer, utcnow

COLUMNS = ("customer_number", "company", "country", "postal_code", "region", "manager_email", "manager_language")
OPTIONAL_COLUMNS = ("deputy_email",)  # after the required ones, in any order; a file without them keeps working
BATCH = 2000


# What precedes the number on invoices and delivery notes: "KD-", "Kd.-Nr.", "Kunden-Nr.:", "N°", "Nr.", "No.", "#".
_PREFIX = re.compile(r"^(?:kunden-?nr|kd|client|n[°º]|nr|no|#)[.:\-]*", re.IGNORECASE)


def normalize_customer_number(raw: str) -> str:
    """The number as partners copy it from an invoice, without spaces and without the words before it."""
    number = re.sub(r"\s+", "", raw or "")
    while (stripped := _PREFIX.sub("", number, count=1)) != number:
        number = stripped
    return number


def is_valid_customer_number(number: str, pattern: str) -> bool:
    """Whether a normalized number has the configured format (default: 5 to 10 digits)."""
    return re.fullmatch(pattern, number) is not None


@dataclass
class ImportReport:
    """What an import did: counts, and each rejected row with its line number and reason."""

    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    without_manager: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)


class CsvFormatError(ValueError):
    """The file is not the ERP export we expect (header, encoding)."""


def read_rows(data: bytes) -> tuple[str, Iterator[tuple[int, dict[str, str]]]]:
    """Decode UTF-8 (with or without BOM), detect `;` or `,` and check the header; yield (line, row)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvFormatError(f"the file is not UTF-8 (byte {exc.start})") from exc
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = tuple(name.strip() for name in next(reader, []))
    extra = header[len(COLUMNS):]
    if header[:len(COLUMNS)] != COLUMNS or not set(extra) <= set(OPTIONAL_COLUMNS) or len(set(extra)) != len(extra):
        raise CsvFormatError(f"the header must be exactly: {', '.join(COLUMNS)} "
                             f"(then optionally: {', '.join(OPTIONAL_COLUMNS)})")
    absent = dict.fromkeys(set(OPTIONAL_COLUMNS) - set(extra), "")

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        for values in reader:
            if not any(value.strip() for value in values):
                continue
            if len(values) != len(header):
                yield reader.line_num, {"__columns__": str(len(values)), "__expected__": str(len(header))}
            else:
                yield reader.line_num, {**absent, **dict(zip(header, (value.strip() for value in values)))}

    return delimiter, rows()


@lru_cache(maxsize=4096)
def _is_email(address: str) -> bool:
    """Whether `address` is an e-mail address (the e-mail check's own rule); cached, as a directory repeats
    a few manager addresses."""
    return normalize(address) is not None


def validate_row(row: dict[str, str], pattern: str) -> tuple[dict | None, str | None]:
    """A row ready to store, or the reason it is rejected."""
    if "__columns__" in row:
        return None, f"expected {row['__expected__']} columns, found {row['__columns__']}"
    number = normalize_customer_number(row["customer_number"])
    if not is_valid_customer_number(number, pattern):
        return None, f"customer number {row['customer_number']!r} does not match {pattern}"
    if not row["company"]:
        return None, "company is empty"
    country = row["country"].upper()
    if not re.fullmatch(r"[A-Z]{2}", country):
        return None, f"country {row['country']!r} is not a two-letter code"
    manager = row["manager_email"].lower() or None
    if manager and not _is_email(manager):
        return None, f"manager e-mail {row['manager_email']!r} is not an e-mail address"
    deputy = row["deputy_email"].lower() or None
    if deputy and not _is_email(deputy):
        return None, f"deputy e-mail {row['deputy_email']!r} is not an e-mail address"
    language = row["manager_language"].lower() or "fr"
    if language not in LANGUAGES:
        return None, f"manager language {row['manager_language']!r} is not one of {', '.join(LANGUAGES)}"
    return {
        "customer_number": number, "company": row["company"][:200], "country": country,
        "postal_code": row["postal_code"][:20], "region": row["region"][:64],
        "manager_email": manager, "manager_language": language, "deputy_email": deputy,
    }, None


def _batches(items: Iterable, size: int) -> Iterator[list]:
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def import_customers(session: Session, data: bytes, pattern: str, dry_run: bool = False,
                     progress: Callable[[int], None] = lambda lines: None) -> ImportReport:
    """Upsert the directory from an ERP CSV export; with dry_run nothing is written."""
    report = ImportReport()
    _, rows = read_rows(data)
    seen: set[str] = set()
    for batch in _batches(rows, BATCH):
        valid: dict[str, dict] = {}
        for line, row in batch:
            report.read += 1
            record, reason = validate_row(row, pattern)
            if reason is None and record["customer_number"] in seen:
                reason = f"customer number {record['customer_number']} appears twice in the file"
            if reason:
                report.rejected.append((line, reason))
                continue
            seen.add(record["customer_number"])
            valid[record["customer_number"]] = record
            if record["manager_email"] is None:
                report.without_manager += 1
        _upsert(session, valid, report)
        progress(len(batch))
    if dry_run:
        session.rollback()
    else:
        session.commit()
    return report


def _upsert(session: Session, records: dict[str, dict], report: ImportReport) -> None:
    existing = {c.customer_number: c for c in session.scalars(
        select(Customer).where(Customer.customer_number.in_(records)))}
    now = utcnow()
    new = []
    for number, record in records.items():
        customer = existing.get(number)
        if customer is None:
            new.append({**record, "updated_at": now})
            report.created += 1
        elif any(getattr(customer, key) != value for key, value in record.items()):
            for key, value in record.items():
                setattr(customer, key, value)
            report.updated += 1
        else:
            report.unchanged += 1
    if new:
        session.execute(Customer.__table__.insert(), new)
    session.flush()


def find_customer(session: Session, number: str) -> Customer | None:
    """The directory entry for a (normalized) customer number; leading zeros as the directory writes them."""
    return session.get(Customer, number) or session.scalars(
        select(Customer).where(func.ltrim(Customer.customer_number, "0") == number.lstrip("0"))).first()
