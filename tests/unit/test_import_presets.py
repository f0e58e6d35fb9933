"""Each CRM's export, as a small realistic sample, imported into a book that already holds two
prospects: the preset is detected, and the resulting book, rows, warnings and unmapped columns
are exactly as expected. The samples (tests/data/csv/) carry a BOM or a legacy encoding, quoted
commas, multi-line cells, unicode names, blank and malformed phones, and duplicates both inside
the file and of the book."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from callbook.clock import fixed_clock
from callbook.config import Config
from callbook.interop.csv_import import ImportOptions, import_file
from callbook.jigsaw import load_templates
from callbook.store import Store, bulk, recall

DATA = Path(__file__).resolve().parent.parent / "data" / "csv"
NOW = datetime(2026, 11, 27, 15, tzinfo=UTC)
CONFIG = Config(timezone="Europe/London", region="US")

# The book before each import (open_book). A sample's book names these entries where the import
# leaves them as they were, and spells out what it changes where it does.
NORTHWIND = (
    1,
    "Northwind Traders",
    {
        "company": "Northwind Traders",
        "phones": ("+12125550199",),
        "website": "https://northwind.example.com",
        "city": "New York",
        "region": "NY",
        "country": "US",
        "timezone": "America/New_York",
    },
    [],
    {},
)
GLOBEX = (
    2,
    "Globex GmbH",
    {
        "company": "Globex GmbH",
        "phones": ("+49301234500",),
        "email": "info@globex.de",
        "country": "DE",
        "timezone": "Europe/Berlin",
    },
    [],
    {},
)


@dataclass
class Sample:
    file: str
    preset: str
    encoding: str
    delimiter: str
    unmapped: list
    notices: list
    rows: list
    warnings: list
    counts: dict
    book: list


def open_book(path: Path) -> Store:
    """A book holding Northwind Traders (#1) and Globex GmbH (#2)."""
    store = Store.open(path, clock=fixed_clock(NOW))
    store.add_prospect("Northwind Traders", **{k: list(v) if isinstance(v, tuple) else v
                                                for k, v in NORTHWIND[2].items()})  # fmt: skip
    store.add_prospect("Globex GmbH", **{k: list(v) if isinstance(v, tuple) else v
                                          for k, v in GLOBEX[2].items()})  # fmt: skip
    return store


def book(store: Store) -> list:
    """Every prospect as (id, name, filled fields, contacts, pieces)."""
    out = []
    for p in store.prospects():
        fields = {}
        for key in ("company", "phones", "email", "website", "city", "region", "country",
                    "timezone", "tags"):  # fmt: skip
            if value := getattr(p, key):
                fields[key] = value
        contacts = [(c.name, c.title, c.phone, c.email) for c in store.contacts(p.id)]
        pieces = {piece.slot: piece.value for piece in store.pieces(p.id)}
        out.append((p.id, p.name, fields, contacts, pieces))
    return out


SAMPLES = [
    Sample(
        file="hubspot.csv",
        preset="hubspot",
        encoding="utf-8 (BOM)",
        delimiter="comma",
        unmapped=[("Record ID", 6), ("Lifecycle Stage", 6), ("Street Address", 1)],
        notices=[],
        rows=[
            (2, "add", None, None),
            (4, "merge", "line 2 Acme Widgets, Inc.", "same phone +12125550101"),
            (5, "add", None, None),
            (
                6,
                "merge",
                "#1 Northwind Traders",
                "same website northwind.example.com and company 'Northwind Traders'",
            ),
            (7, "add", None, None),
            (8, "add", None, None),
        ],
        warnings=[
            (
                7,
                "Phone Number",
                "'555-CALL-NOW': not a valid number in its country; kept as typed, flagged",
            )
        ],
        counts={"rows": 6, "added": 4, "merged": 2, "skipped": 0, "contacts": 6, "pieces": 0},
        book=[
            (
                1,
                "Northwind Traders",
                {**NORTHWIND[2], "email": "marcus@northwind.example.com"},
                [("Marcus Okafor", "Head of Sales", None, "marcus@northwind.example.com")],
                {},
            ),
            GLOBEX,
            (
                3,
                "Acme Widgets, Inc.",
                {
                    "company": "Acme Widgets, Inc.",
                    "phones": ("+12125550101", "+12125550102"),
                    "email": "sarah@acme-widgets.com",
                    "website": "https://www.acme-widgets.com",
                    "city": "New York",
                    "region": "NY",
                    "country": "United States",
                    "timezone": "America/New_York",
                },
                [
                    ("Sarah Jenkins", "Office Manager", "+12125550101", "sarah@acme-widgets.com"),
                    # His mobile, not the number he shares with Sarah: it reaches him.
                    ("Tom Li", "Operations Director", "+12125550102", "tom@acme-widgets.com"),
                ],
                {},
            ),
            (
                4,
                "Bright Smile Dental",
                {
                    "company": "Bright Smile Dental",
                    "phones": ("+35312345678",),
                    "email": "zoe@brightsmile.ie",
                    "website": "brightsmile.ie",
                    "city": "Dublin",
                    "country": "Ireland",
                    "timezone": "Europe/Dublin",
                },
                [("Zoë Ó'Brien", "Practice Manager", "+35312345678", "zoe@brightsmile.ie")],
                {},
            ),
            (
                5,
                "Sunrise Bakery",
                {
                    "company": "Sunrise Bakery",
                    "phones": ("555-CALL-NOW",),
                    "email": "priya@sunrise-bakery.example",
                    "city": "Austin",
                    "region": "TX",
                    "country": "United States",
                    "timezone": "America/Chicago",
                },
                [("Priya Patel", "Owner", None, "priya@sunrise-bakery.example")],
                {},
            ),
            (6, "Kenji Tanaka", {}, [("Kenji Tanaka", None, None, None)], {}),
        ],
    ),
    Sample(
        file="salesforce.csv",
        preset="salesforce",
        encoding="utf-8",
        delimiter="semicolon",
        unmapped=[("Lead Owner", 4), ("Lead Source", 4)],
        notices=[],
        rows=[
            (2, "add", None, None),
            # "Northwind Tradrs" in Boston is not the book's Northwind Traders in New York:
            # a near name in another city is another branch.
            (4, "add", None, None),
            (5, "merge", "line 2 Ferretería López; S.L.", "same email ana@ferreterialopez.es"),
            (6, "add", None, None),
        ],
        warnings=[(6, "Phone", "'ext. 5': not a phone number; kept as typed, flagged")],
        counts={"rows": 4, "added": 3, "merged": 1, "skipped": 0, "contacts": 4, "pieces": 1},
        book=[
            NORTHWIND,
            GLOBEX,
            (
                3,
                "Ferretería López; S.L.",
                {
                    "company": "Ferretería López; S.L.",
                    "phones": ("+34912345678",),
                    "email": "ana@ferreterialopez.es",
                    "website": "www.ferreterialopez.es",
                    "city": "Madrid",
                    "country": "Spain",
                    "timezone": "Europe/Madrid",
                },
                [
                    (
                        "Ana García",
                        "Directora de Operaciones",
                        "+34912345678",
                        "ana@ferreterialopez.es",
                    ),
                    ("Luis García", "Compras", None, "ana@ferreterialopez.es"),
                ],
                {"notes": "Met at the trade fair.\nCall after 10am, not Fridays."},
            ),
            (
                4,
                "Northwind Tradrs",
                {
                    "company": "Northwind Tradrs",
                    "phones": ("+16175550105",),
                    "email": "olivia@nwtraders.example",
                    "city": "Boston",
                    "region": "MA",
                    "country": "USA",
                    "timezone": "America/New_York",
                },
                [
                    (
                        "Olivia Brown",
                        "Head of Facilities",
                        "+16175550105",
                        "olivia@nwtraders.example",
                    )
                ],
                {},
            ),
            (
                5,
                "Harbor Freight Co",
                {
                    "company": "Harbor Freight Co",
                    "phones": ("ext. 5",),
                    "city": "Seattle",
                    "region": "WA",
                    "country": "United States",
                    "timezone": "America/Los_Angeles",
                },
                [("Chen Wang", "CEO", None, None)],
                {},
            ),
        ],
    ),
    Sample(
        file="pipedrive.csv",
        preset="pipedrive",
        encoding="utf-8",
        delimiter="comma",
        unmapped=[("Person - Owner", 4), ("Deal - Title", 1)],
        notices=[],
        rows=[
            (2, "add", None, None),
            (3, "merge", "#2 Globex GmbH", "same phone +49301234500"),
            (4, "add", None, None),
            (5, "merge", "line 2 Schmidt & Söhne GmbH", "same phone +49301234568"),
        ],
        warnings=[
            (
                5,
                "Person - Phone - Mobile",
                "'123': not a valid number in its country; kept as typed, flagged",
            )
        ],
        counts={"rows": 4, "added": 2, "merged": 2, "skipped": 0, "contacts": 4, "pieces": 0},
        book=[
            NORTHWIND,
            (
                2,
                "Globex GmbH",
                GLOBEX[2],
                [("Emma Wilson", "Einkauf", "+49301234500", "emma@globex.de")],
                {},
            ),
            (
                3,
                "Schmidt & Söhne GmbH",
                {
                    "company": "Schmidt & Söhne GmbH",
                    "phones": ("+49301234567", "+49301234568", "123"),
                    "email": "j.schmidt@schmidt-soehne.de",
                    "country": "Germany",
                    "timezone": "Europe/Berlin",
                    "tags": ("Hot lead", "DACH"),
                },
                [
                    (
                        "Jürgen Schmidt",
                        "Geschäftsführer",
                        "+49301234567",
                        "j.schmidt@schmidt-soehne.de",
                    ),
                    ("Anna Schmidt", "Buchhaltung", "+49301234568", "anna@schmidt-soehne.de"),
                ],
                {},
            ),
            (
                4,
                "Taylor Freight, LLC",
                {
                    "company": "Taylor Freight, LLC",
                    "phones": ("+13035550108", "+13035550199;ext=7"),
                    "email": "noah@taylorfreight.example",
                    "country": "United States",
                    "timezone": "America/Denver",
                    "tags": ("Warm",),
                },
                [("Noah Taylor", "Dispatcher", "+13035550108", "noah@taylorfreight.example")],
                {},
            ),
        ],
    ),
    Sample(
        file="close.csv",
        preset="close",
        encoding="utf-8",
        delimiter="comma",
        unmapped=[("id", 4), ("status_label", 4), ("custom.Industry", 4), ("date_created", 4)],
        notices=[],
        rows=[
            (2, "add", None, None),
            (3, "add", None, None),
            (
                4,
                "merge",
                "line 2 Blue Harbor Logistics",
                "company name like 'Blue Harbor Logistics' (98%)",
            ),
            (5, "merge", "#1 Northwind Traders", "same phone +12125550199"),
        ],
        warnings=[
            (
                3,
                "primary_contact_other_phones",
                "'call reception': no digits; kept as typed, flagged",
            )
        ],
        counts={"rows": 4, "added": 2, "merged": 2, "skipped": 0, "contacts": 3, "pieces": 4},
        book=[
            (
                1,
                "Northwind Traders",
                {**NORTHWIND[2], "email": "ava@northwind.example.com"},
                [("Ava King", "Buyer", "+12125550199", "ava@northwind.example.com")],
                {"budget": "10k", "notes": "Bought from us in 2024;\nask about the renewal"},
            ),
            GLOBEX,
            (
                3,
                "Blue Harbor Logistics",
                {
                    "company": "Blue Harbor Logistics",
                    "phones": ("+14155550103", "+14155550104", "+14155550105"),
                    "email": "grace@blueharbor.example",
                    "website": "https://blueharbor.example",
                    "city": "San Francisco",
                    "region": "CA",
                    "country": "US",
                    "timezone": "America/Los_Angeles",
                },
                [("Grace Lee", "Fleet Manager", "+14155550103", "grace@blueharbor.example")],
                {"budget": "$20k, Q1", "notes": "Runs 40 trucks, wants telematics"},
            ),
            (
                4,
                "Kingsley Dental",
                {
                    "company": "Kingsley Dental",
                    "phones": ("+442079460958", "call reception"),
                    "email": "henry@kingsleydental.example",
                    "website": "https://kingsleydental.example",
                    "city": "London",
                    "country": "GB",
                    "timezone": "Europe/London",
                },
                [
                    (
                        "Henry Moore",
                        "Practice Owner",
                        "+442079460958",
                        "henry@kingsleydental.example",
                    )
                ],
                {},
            ),
        ],
    ),
    Sample(
        file="google.csv",
        preset="google",
        encoding="utf-8",
        delimiter="comma",
        unmapped=[],
        notices=[
            "1 row(s) had more than one email (columns 'E-mail 1 - Value'); the first was kept"
        ],
        rows=[
            (2, "add", None, None),
            (5, "add", None, None),
            (6, "merge", "line 2 Clarke & Hughes Solicitors", "same phone +442079460322"),
            (7, "merge", "#2 Globex GmbH", "same website globex.de and company 'Globex GmbH'"),
        ],
        warnings=[
            (
                5,
                "Phone 2 - Value",
                "'06 12 34': wrong length for a phone number; kept as typed, flagged",
            ),
            (6, None, "no name or company: named after '+44 20 7946 0322'"),
        ],
        counts={"rows": 4, "added": 2, "merged": 2, "skipped": 0, "contacts": 3, "pieces": 1},
        book=[
            NORTHWIND,
            (
                2,
                "Globex GmbH",
                {**GLOBEX[2], "city": "Berlin"},
                [("Emma Wilson", "Einkauf", None, "info@globex.de")],
                {},
            ),
            (
                3,
                "Clarke & Hughes Solicitors",
                {
                    "company": "Clarke & Hughes Solicitors",
                    "phones": ("+442079460321", "+442079460322"),
                    "email": "amelia@clarkehughes.example",
                    "city": "London",
                    "country": "United Kingdom",
                    "timezone": "Europe/London",
                    "tags": ("Solicitors",),
                },
                [
                    (
                        "Amelia Rose Clarke",
                        "Senior Partner",
                        "+442079460321",
                        "amelia@clarkehughes.example",
                    )
                ],
                {"notes": "Prefers email first, calls after 4pm.\nGatekeeper is Tom."},
            ),
            (
                4,
                "François Lefèvre",
                {
                    "phones": ("+33612345678", "06 12 34"),
                    "city": "Lyon",
                    "country": "France",
                    "timezone": "Europe/Paris",
                },
                [("François Lefèvre", None, "+33612345678", None)],
                {},
            ),
        ],
    ),
    Sample(
        file="google_old.csv",
        preset="google",
        encoding="utf-8",
        delimiter="comma",
        unmapped=[],
        notices=[],
        rows=[
            (2, "add", None, None),
            (3, "merge", "line 2 Murphy & Co", "same email liam@murphyandco.example"),
            (4, "merge", "#1 Northwind Traders", "same phone +12125550199"),
        ],
        warnings=[
            (
                3,
                "Phone 1 - Value",
                "'0871': wrong length for a phone number; kept as typed, flagged",
            )
        ],
        counts={"rows": 3, "added": 1, "merged": 2, "skipped": 0, "contacts": 2, "pieces": 1},
        book=[
            (
                1,
                "Northwind Traders",
                NORTHWIND[2],
                [("Isla Ní Bhriain", "Store Manager", "+12125550199", None)],
                {},
            ),
            GLOBEX,
            (
                3,
                "Murphy & Co",
                {
                    "company": "Murphy & Co",
                    "phones": ("+35315550113", "+35312345679", "0871"),
                    "email": "liam@murphyandco.example",
                    "timezone": "Europe/Dublin",
                    "tags": ("Leads",),
                },
                [("Liam Murphy", "Director", "+35315550113", "liam@murphyandco.example")],
                {"notes": "Met at Web Summit"},
            ),
        ],
    ),
    Sample(
        file="outlook.csv",
        preset="outlook",
        encoding="cp1252",
        delimiter="comma",
        unmapped=[("Department", 1), ("Business Street", 1), ("Business Postal Code", 1)],
        notices=[
            "FILE is not UTF-8: read it as cp1252 (Western European); cp1250 (Central "
            "European) read less well (--encoding chooses another)"
        ],
        rows=[
            (2, "add", None, None),
            (3, "merge", "#2 Globex GmbH", "same phone +49301234500"),
            (4, "merge", "line 2 Café Lumière SARL", "same phone +33123456789"),
        ],
        warnings=[
            (4, "Home Phone", "'01 99': wrong length for a phone number; kept as typed, flagged")
        ],
        counts={"rows": 3, "added": 1, "merged": 2, "skipped": 0, "contacts": 3, "pieces": 1},
        book=[
            NORTHWIND,
            (
                2,
                "Globex GmbH",
                {**GLOBEX[2], "city": "Berlin"},
                [("Oliver Schäfer", "Einkauf", "+49301234500", "oliver@globex.de")],
                {},
            ),
            (
                3,
                "Café Lumière SARL",
                {
                    "company": "Café Lumière SARL",
                    "phones": ("+33123456789", "+33612345678", "01 99"),
                    "email": "helene@cafelumiere.example",
                    "website": "cafelumiere.example",
                    "city": "Paris",
                    "country": "France",
                    "timezone": "Europe/Paris",
                    "tags": ("Prospects", "VIP"),
                },
                [
                    ("Hélène Dubois", "Gérante", "+33123456789", "helene@cafelumiere.example"),
                    ("Pierre Martin", "Serveur", "+33123456789", None),
                ],
                {"notes": "Ouvert le dimanche, fermé le lundi"},
            ),
        ],
    ),
    Sample(
        file="generic.tsv",
        preset="generic",
        encoding="utf-8",
        delimiter="tab",
        unmapped=[("Employees", 3)],
        notices=[],
        rows=[
            (2, "add", None, None),
            (3, "add", None, None),
            (4, "merge", "line 2 Pinecrest Veterinary Clinic", "same phone +15125550107"),
            (5, "merge", "#1 Northwind Traders", "same company name 'Northwind Traders'"),
        ],
        warnings=[
            (3, "Phone", "'555-0100': not a valid number in its country; kept as typed, flagged")
        ],
        counts={"rows": 4, "added": 2, "merged": 2, "skipped": 0, "contacts": 2, "pieces": 2},
        book=[
            (
                1,
                "Northwind Traders",
                NORTHWIND[2],
                [("María José Núñez", None, None, None)],
                {},
            ),
            GLOBEX,
            (
                3,
                "Pinecrest Veterinary Clinic",
                {
                    "company": "Pinecrest Veterinary Clinic",
                    "phones": ("+15125550107",),
                    "website": "https://pinecrestvet.example",
                    "city": "Austin",
                    "region": "TX",
                    "country": "US",
                    "timezone": "America/Chicago",
                },
                [("Dr. Ruth Ellis", None, "+15125550107", None)],
                {"budget": "under 5k", "notes": "Two sites"},
            ),
            (
                4,
                "Lakeside Auto Repair",
                {
                    "company": "Lakeside Auto Repair",
                    "phones": ("555-0100",),
                    "city": "Chicago",
                    "region": "IL",
                    "country": "US",
                    "timezone": "America/Chicago",
                },
                [],
                {},
            ),
        ],
    ),
]


@pytest.mark.parametrize("sample", SAMPLES, ids=[s.file for s in SAMPLES])
def test_sample_export(sample: Sample, tmp_path: Path) -> None:
    path = DATA / sample.file
    with open_book(tmp_path / "book.db") as store:
        report = import_file(store, path, ImportOptions(), CONFIG, load_templates(None))
        assert (report.preset, report.encoding, report.delimiter) == (
            sample.preset,
            sample.encoding,
            sample.delimiter,
        )
        assert report.detected is (sample.preset != "generic")
        assert report.unmapped == sample.unmapped
        assert [n.replace(str(path), "FILE") for n in report.notices] == sample.notices
        assert [(r.line, r.action, r.duplicate_of, r.reason) for r in report.rows] == sample.rows
        assert [(w.line, w.column, w.message) for w in report.warnings] == sample.warnings
        assert report.counts == sample.counts
        assert book(store) == sample.book
        with bulk.writing(store) as conn:  # the search index took in every new record
            assert recall.in_step(conn)
        # The same file again: every row is now a duplicate and nothing changes.
        before = book(store)
        again = import_file(store, path, ImportOptions(), CONFIG, load_templates(None))
        assert {r.action for r in again.rows} == {"merge"}
        assert again.counts["added"] == 0
        assert book(store) == before
