"""Importing the ERP's customer CSV: encodings, delimiters, upserts, dry runs and rejected rows."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select

from bridge.directory.customers import CsvFormatError, import_customers, normalize_customer_number
from bridge.core.models import Customer

PATTERN = r"^[0-9]{5,10}$"
HEADER = "customer_number,company,country,postal_code,region,manager_email,manager_language"


def csv_bytes(*rows: str, header: str = HEADER, delimiter: str = ",", bom: bool = False) -> bytes:
    text = "\n".join([header.replace(",", delimiter), *(row.replace(",", delimiter) for row in rows)]) + "\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


@pytest.mark.parametrize("raw, expected", [("100001", "100001"), (" 100 001 ", "100001"), ("10\u00a00001", "100001")])
def test_customer_numbers_lose_their_spaces(raw, expected):
    assert normalize_customer_number(raw) == expected


@pytest.mark.parametrize("delimiter", [",", ";"])
@pytest.mark.parametrize("bom", [False, True])
def test_utf8_with_or_without_bom_and_either_delimiter(db, delimiter, bom):
    data = csv_bytes("100001,Pharmacie Centrale,FR,44000,west,Manager.West@woundwo.example,fr",
                     "100002,Sanitätshaus Berger GmbH,de,04109,east,manager.east@woundwo.example,DE",
                     delimiter=delimiter, bom=bom)
    report = import_customers(db, data, PATTERN)
    assert (report.read, report.created, report.rejected) == (2, 2, [])
    berger = db.get(Customer, "100002")
    assert (berger.company, berger.country, berger.manager_language) == ("Sanitätshaus Berger GmbH", "DE", "de")
    assert db.get(Customer, "100001").manager_email == "manager.west@woundwo.example"


def test_second_import_updates_changed_rows_only(db):
    import_customers(db, csv_bytes("100001,Pharmacie Centrale,FR,44000,west,a@woundwo.example,fr",
                                   "100002,Apotheke,DE,04109,east,b@woundwo.example,de"), PATTERN)
    report = import_customers(db, csv_bytes("100001,Pharmacie Centrale,FR,44000,west,c@woundwo.example,fr",
                                            "100002,Apotheke,DE,04109,east,b@woundwo.example,de",
                                            "100003,Neue Apotheke,DE,01067,east,b@woundwo.example,de"), PATTERN)
    assert (report.created, report.updated, report.unchanged) == (1, 1, 1)
    assert db.get(Customer, "100001").manager_email == "c@woundwo.example"


def test_only_changed_customers_are_loaded_as_objects(db):
    """A nightly file is mostly unchanged: its rows are compared with the stored values, and only a customer that
    changes is loaded to be updated (100,000 objects built to compare them made the import miss its 15 s)."""
    rows = [f"{100001 + n},Pharmacie {n},FR,44000,west,a@woundwo.example,fr" for n in range(20)]
    import_customers(db, csv_bytes(*rows), PATTERN)
    db.expunge_all()
    loaded = []

    def note(customer, _context):
        loaded.append(customer.customer_number)

    event.listen(Customer, "load", note)
    try:
        report = import_customers(db, csv_bytes(*rows[:-1], rows[-1].replace("west", "east")), PATTERN)
    finally:
        event.remove(Customer, "load", note)
    assert (report.unchanged, report.updated) == (19, 1)
    assert loaded == ["100020"]
    assert db.get(Customer, "100020").region == "east"


def test_dry_run_writes_nothing(db):
    report = import_customers(db, csv_bytes("100001,Pharmacie Centrale,FR,44000,west,a@woundwo.example,fr"),
                              PATTERN, dry_run=True)
    assert report.created == 1
    assert db.scalars(select(Customer)).all() == []


def test_rejected_rows_are_reported_with_line_numbers_and_reasons(db):
    report = import_customers(db, csv_bytes(
        "100001,Pharmacie Centrale,FR,44000,west,a@woundwo.example,fr",
        "ABC12,Bad Number,FR,44000,west,a@woundwo.example,fr",
        "100003,,FR,44000,west,a@woundwo.example,fr",
        "100004,No Country,France,44000,west,a@woundwo.example,fr",
        "100005,Bad Manager,FR,44000,west,not-an-address,fr",
        "100006,Bad Language,FR,44000,west,a@woundwo.example,it",
        "100007,Too,Few",
        "100001,Twice,FR,44000,west,a@woundwo.example,fr",
    ), PATTERN)
    assert report.created == 1
    lines = dict(report.rejected)
    assert sorted(lines) == [3, 4, 5, 6, 7, 8, 9]
    assert "does not match" in lines[3] and "company" in lines[4] and "country" in lines[5]
    assert "manager e-mail" in lines[6] and "language" in lines[7] and "columns" in lines[8]
    assert "twice" in lines[9]


def test_customer_without_manager_is_counted_for_the_fallback(db):
    report = import_customers(db, csv_bytes("100020,Pharmacie Nouvelle,FR,75011,paris,,fr"), PATTERN)
    assert report.without_manager == 1 and db.get(Customer, "100020").manager_email is None


def test_an_optional_deputy_column_names_each_customers_deputy(db):
    data = csv_bytes("100001,Pharmacie Centrale,FR,44000,west,a@woundwo.example,fr,Deputy.West@woundwo.example",
                     "100002,Apotheke,DE,04109,east,b@woundwo.example,de,",
                     "100003,Bad Deputy,DE,04109,east,b@woundwo.example,de,nobody",
                     header=HEADER + ",deputy_email")
    report = import_customers(db, data, PATTERN)
    assert report.created == 2 and "deputy e-mail" in dict(report.rejected)[4]
    assert db.get(Customer, "100001").deputy_email == "deputy.west@woundwo.example"
    assert db.get(Customer, "100002").deputy_email is None
    # The next file has no deputy column: the directory no longer names one.
    report = import_customers(db, csv_bytes("100001,Pharmacie Centrale,FR,44000,west,a@woundwo.example,fr"), PATTERN)
    assert report.updated == 1 and db.get(Customer, "100001").deputy_email is None


@pytest.mark.parametrize("data, reason", [
    (b"customer_number,company\n1,2\n", "header"),
    (f"{HEADER},deputy_email,deputy_email\n".encode(), "header"),
    (f"{HEADER},favourite_colour\n".encode(), "header"),
    ("customer_number,company,country,postal_code,region,manager_email,manager_language\n".encode("utf-16"), "UTF-8"),
])
def test_files_that_are_not_the_export_are_refused(db, data, reason):
    with pytest.raises(CsvFormatError, match=reason):
        import_customers(db, data, PATTERN)


def test_configured_number_format_applies(db):
    report = import_customers(db, csv_bytes("AB1234,Pharmacie,FR,44000,west,a@woundwo.example,fr"), r"^[A-Z]{2}[0-9]{4}$")
    assert report.created == 1
