"""The customer directory: customer numbers and their regional managers, imported from the ERP's CSV export."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from types import MappingProxyType
from typing import Callable, Iterable, Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bridge.core.addresses import normalize
from bridge.core.i18n import LANGUAGES
from bridge.core.models import Customer, Suspension, utcnow
from bridge.delivery import directory_changes

COLUMNS = ("customer_number", "company", "country", "postal_code", "region", "manager_email", "manager_language")
# Columns a file may add after COLUMNS, in any order; files without them keep working.
OPTIONAL_COLUMNS = ("deputy_email", "status")
STATUSES = ("", "active", "blocked")  # "blocked" suspends the customer, like leaving the directory
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
    # What the directory's changes do to requests and access (bridge/delivery/directory_changes.py):
    # (customer number, why, requests put on hold, people keeping access for the grace period)
    suspended: list[tuple[str, str, int, int]] = field(default_factory=list)
    lifted: list[tuple[str, int]] = field(default_factory=list)  # (customer number, requests pending again)
    moved: list[tuple[str, str, int]] = field(default_factory=list)  # (customer number, new manager, requests moved)


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
    if header[:len(COLUMNS)] != COLUMNS or len(set(extra)) != len(extra) or not set(extra) <= set(OPTIONAL_COLUMNS):
        raise CsvFormatError(f"the header must be exactly: {', '.join(COLUMNS)} "
                             f"(optionally followed by: {', '.join(OPTIONAL_COLUMNS)})")

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        for values in reader:
            if not any(value.strip() for value in values):
                continue
            if len(values) != len(header):
                # The number still tells a full import that this customer is in the file.
                yield reader.line_num, {"__columns__": f"expected {len(header)} columns, found {len(values)}",
                                        "customer_number": values[0]}
            else:
                yield reader.line_num, dict(zip(header, (value.strip() for value in values)))

    return delimiter, rows()


@lru_cache(maxsize=4096)
def _is_email(address: str) -> bool:
    """Whether `address` is an e-mail address (the e-mail check's own rule); cached, as a directory repeats
    a few manager addresses."""
    return normalize(address) is not None


# What a row of the file sets on a customer (validate_row's record without "blocked"), the key first.
STORED = ("customer_number", "company", "country", "postal_code", "region", "manager_email", "manager_language",
          "deputy_email")


def validate_row(row: dict[str, str], pattern: str) -> tuple[dict | None, str | None]:
    """A row ready to store, or the reason it is rejected."""
    if "__columns__" in row:
        return None, row["__columns__"]
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
    deputy = row.get("deputy_email", "").lower() or None
    if deputy and not _is_email(deputy):
        return None, f"deputy e-mail {row['deputy_email']!r} is not an e-mail address"
    language = row["manager_language"].lower() or "fr"
    if language not in LANGUAGES:
        return None, f"manager language {row['manager_language']!r} is not one of {', '.join(LANGUAGES)}"
    status = row.get("status", "").lower()
    if status not in STATUSES:
        return None, f"status {row['status']!r} is not one of active, blocked (or empty)"
    return {
        "customer_number": number, "company": row["company"][:200], "country": country,
        "postal_code": row["postal_code"][:20], "region": row["region"][:64],
        "manager_email": manager, "manager_language": language, "deputy_email": deputy,
        "blocked": status == "blocked",
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
                     progress: Callable[[int], None] = lambda lines: None, full: bool = False,
                     config: Mapping = MappingProxyType({}), now: datetime | None = None) -> ImportReport:
    """Upsert the directory from an ERP CSV export, and apply what its changes mean for requests and access:
    a new manager takes the waiting requests, a blocked customer is suspended, a customer back is not; with
    `full`, the file is the whole directory and customers missing from it are suspended too. With dry_run
    nothing is written and nothing is sent, and the report says all the same what would happen."""
    now = now or utcnow()
    report = ImportReport()
    _, rows = read_rows(data)
    seen: set[str] = set()
    listed: set[str] = set()  # every number in the file, rejected rows included: none of them is missing
    blocked: set[str] = set()
    previous_managers: dict[str, str | None] = {}
    for batch in _batches(rows, BATCH):
        valid: dict[str, dict] = {}
        for line, row in batch:
            report.read += 1
            listed.add(normalize_customer_number(row.get("customer_number", "")))
            record, reason = validate_row(row, pattern)
            if reason is None and record["customer_number"] in seen:
                reason = f"customer number {record['customer_number']} appears twice in the file"
            if reason:
                report.rejected.append((line, reason))
                continue
            seen.add(record["customer_number"])
            if record.pop("blocked"):
                blocked.add(record["customer_number"])
            valid[record["customer_number"]] = record
            if record["manager_email"] is None:
                report.without_manager += 1
        _upsert(session, valid, report, previous_managers)
        progress(len(batch))
    if full and not seen:
        raise CsvFormatError("the file holds no valid customer; a full import would suspend the whole directory")
    _apply_changes(session, report, seen, listed if full else None, blocked, previous_managers, config, now)
    if dry_run:
        session.rollback()
    else:
        session.commit()
    return report


def _apply_changes(session: Session, report: ImportReport, imported: set[str], listed: set[str] | None,
                   blocked: set[str], previous_managers: dict[str, str | None], config: Mapping, now: datetime) -> None:
    """Manager changes, suspensions (blocked; missing when `listed` is the whole directory) and returns."""
    fallback = config.get("FALLBACK_MANAGER_EMAIL", "")
    for number, previous in previous_managers.items():
        moved = directory_changes.move_requests(session, session.get(Customer, number), previous or fallback, now, config)
        if moved:
            report.moved.append((number, directory_changes.manager_of(session.get(Customer, number), config), moved))
    suspended = dict(session.execute(select(Customer.customer_number, Customer.suspended_at)).all())
    to_suspend = {number: Suspension.BLOCKED for number in blocked}
    if listed is not None:
        to_suspend.update({number: Suspension.MISSING for number in suspended.keys() - listed})
    for number, why in sorted(to_suspend.items()):
        if suspended[number] is None:
            held, with_access = directory_changes.suspend(session, session.get(Customer, number), why, now, config)
            report.suspended.append((number, str(why), held, with_access))
    for number in sorted(imported - blocked):
        if suspended[number] is not None:
            report.lifted.append((number, directory_changes.lift(session, session.get(Customer, number), now)))


def _upsert(session: Session, records: dict[str, dict], report: ImportReport,
            previous_managers: dict[str, str | None]) -> None:
    # The stored values as plain rows: a nightly file is mostly unchanged, and building 100,000 ORM objects only
    # to compare them cost more than reading the file (docs/benchmarks.md §7). Only changed customers are loaded.
    columns = [Customer.__table__.c[key] for key in STORED]
    existing = {row[0]: row for row in session.execute(select(*columns).where(Customer.customer_number.in_(records)))}
    now = utcnow()
    new = []
    for number, record in records.items():
        stored = existing.get(number)
        if stored is None:
            new.append({**record, "updated_at": now})
            report.created += 1
        elif tuple(record[key] for key in STORED) != tuple(stored):
            customer = session.get(Customer, number)
            if customer.manager_email != record["manager_email"]:
                previous_managers[number] = customer.manager_email
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
