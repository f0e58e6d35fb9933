"""Realistic files written from each vendor's documented columns, imported into an empty book:
the prospects, their numbers in dialling order with labels and notes, and what the report says
about preambles, footers, encodings and regions."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from callbook.clock import fixed_clock
from callbook.config import Config
from callbook.interop.csv_import import ImportOptions, import_file, prepare
from callbook.interop.problems import FileProblem
from callbook.jigsaw import load_templates
from callbook.store import Store

DATA = Path(__file__).resolve().parent.parent / "data" / "crm"
CONFIG = Config(timezone="Europe/London", region="US")
NOW = datetime(2026, 11, 27, 15, tzinfo=UTC)


def imported(tmp_path: Path, name: str, **options):
    store = Store.open(tmp_path / "book.db", clock=fixed_clock(NOW))
    prepared = prepare(DATA / name, ImportOptions(**options), CONFIG, load_templates(None))
    report = import_file(store, DATA / name, ImportOptions(**options), CONFIG, load_templates(None))
    book = {p.name: p for p in store.prospects()}
    details = {c.name: [(d["number"], d["label"], d["note"]) for d in c.phone_details]
               for c in prepared.candidates}  # fmt: skip
    notices = [n.replace(str(DATA / name), "FILE") for n in report.notices]
    store.close()
    return report, book, details, notices


def test_salesforce_report_footer_is_reported_not_read(tmp_path: Path) -> None:
    report, book, details, notices = imported(tmp_path, "salesforce_report.csv")
    assert (report.preset, report.counts["added"]) == ("salesforce", 2)
    assert sorted(book) == ["Blue Harbor Logistics", "Kingsley Dental"]
    assert notices == [
        "lines 5, 7, 8: a report's footer, not rows ('Grand Totals (2 records)'; "
        "'Confidential Information - Do Not Distribute'; 'Copyright (c) 2000-2026 "
        "salesforce.com, inc. All rights res…'): skipped"
    ]
    # The mobile reaches the person; the report's "Phone" may be anyone's.
    assert details["Blue Harbor Logistics"] == [
        ("+14155550177", "mobile", None),
        ("+14155550103", "other", None),
    ]
    assert book["Kingsley Dental"].phones == ("+442079460958",)  # read in the row's country


def test_pipedrive_template_preamble_asterisks_and_bracketed_labels(tmp_path: Path) -> None:
    report, book, details, notices = imported(tmp_path, "pipedrive_template.csv")
    assert report.preset == "pipedrive"
    assert notices == [
        "lines 1-2 come before the column names (instructions or a title: 'Instructions: fill "
        "in one person per row. Columns marked * …'): skipped"
    ]
    prospect = book["Schmidt & Söhne GmbH"]
    assert prospect.email == "j.schmidt@schmidt-soehne.de"
    assert details["Schmidt & Söhne GmbH"] == [
        ("+491712345678", "mobile", None),
        ("+49301234567", "switchboard", None),
    ]


def test_apollo_direct_dial_first_and_every_number_read(tmp_path: Path) -> None:
    report, book, details, _ = imported(tmp_path, "apollo.csv")
    assert report.preset == "apollo" and report.unmapped == [
        ("Seniority", 2), ("Departments", 1), ("Stage", 2), ("Lists", 2), ("# Employees", 2),
        ("Industry", 2),
    ]  # fmt: skip
    assert details["Northwind Traders"] == [
        ("+12125550142", "direct", None),
        ("+19175550188", "mobile", None),
        ("+12125550100", "switchboard", None),
    ]
    # A spreadsheet-safe apostrophe before the number is taken off.
    assert book["Sunrise Bakery"].phones == ("+15125550123",)


def test_zoominfo_direct_mobile_and_hq(tmp_path: Path) -> None:
    report, book, details, _ = imported(tmp_path, "zoominfo.csv")
    assert report.preset == "zoominfo"
    assert details["Café Lumière SARL"] == [
        ("+33612345678", "mobile", None),
        ("+33123456789", "switchboard", None),
    ]
    assert details["Tanaka Shoji"] == [
        ("+81312345678", "direct", None),
        ("+81312340000", "switchboard", None),
    ]
    assert book["Tanaka Shoji"].timezone == "Asia/Tokyo"


def test_close_numbered_addresses_and_label_columns(tmp_path: Path) -> None:
    report, book, details, _ = imported(tmp_path, "close_addresses.csv")
    assert report.preset == "close" and report.warnings == []
    assert (book["Kingsley Dental"].city, book["Kingsley Dental"].country) == ("London", "GB")
    assert (book["Bright Smile Dental"].city, book["Bright Smile Dental"].country) == (
        "Dublin",
        "IE",
    )
    assert details["Kingsley Dental"] == [
        ("+447911123456", "mobile", None),
        ("+442079460958", "switchboard", None),
    ]
    assert details["Bright Smile Dental"] == [("+35312345678", "direct", None)]


def test_outlook_assistant_phone_is_never_first(tmp_path: Path) -> None:
    _, book, details, _ = imported(tmp_path, "outlook_assistant.csv")
    assert [label for _, label, _ in details["Clarke & Hughes Solicitors"]] == [
        "direct", "mobile", "switchboard", "assistant",
    ]  # fmt: skip
    assert book["Northwind Traders"].phones == ("+12125550100", "+12125550144", "+12125550111")
    assert details["Northwind Traders"][-1] == ("+12125550111", "assistant", None)


def test_lead_list_label_columns_and_location(tmp_path: Path) -> None:
    report, book, details, _ = imported(tmp_path, "lusha.csv")
    assert report.preset == "leadlist"
    assert details["Rossi Tessuti"] == [
        ("+393471234567", "mobile", None),
        ("+390212345678", "other", None),
    ]
    assert (book["Rossi Tessuti"].city, book["Rossi Tessuti"].country) == ("Milan", "Italy")


def test_sales_navigator_location_gives_the_place(tmp_path: Path) -> None:
    report, book, _, _ = imported(tmp_path, "salesnav.csv")
    assert report.preset == "salesnav"
    globex = book["Globex GmbH"]
    assert (globex.city, globex.region, globex.country, globex.timezone) == (
        "Berlin", "Berlin", "Germany", "Europe/Berlin",
    )  # fmt: skip


def test_phones_with_words_read_and_region_from_the_email_domain(tmp_path: Path) -> None:
    # Config region US; the rows' .com.au addresses say Australia.
    report, book, details, _ = imported(tmp_path, "hubspot_au.csv")
    assert details["Harbour Cafe"] == [
        ("+61285453391", "direct", "Nick dir"),
        ("+61412345678", "mobile", "tina"),
    ]
    assert book["Harbour Cafe"].timezone == "Australia/Sydney"
    assert book["Outback Freight"].phones == ("+61423456789", "+61731234567")
    # A gmail address says nothing of a country: the number stays flagged, and named.
    assert book["Yarra Florist"].phones == ("03 9123 4567",)
    assert [(w.line, w.column) for w in report.warnings] == [(4, "Phone Number")]


def test_dry_run_names_the_region_that_reads_the_numbers(tmp_path: Path) -> None:
    report, _, _, notices = imported(tmp_path, "hubspot_au_no_code.csv", dry_run=True)
    assert notices == [
        "5 of 5 numbers do not read as US numbers; as AU numbers 5 of the 5 looked at would: "
        "try --region AU"
    ]
    (tmp_path / "again").mkdir()
    _, book, _, _ = imported(tmp_path / "again", "hubspot_au_no_code.csv", region="AU")
    assert book["Coastal Plumbing"].phones == ("+61401234567", "+61298765432")


@pytest.mark.parametrize(
    ("name", "encoding", "company", "person"),
    [
        ("polish_iso8859_2.csv", "iso8859_2", "Przedsiębiorstwo Handlowe Świątek",
         "Łukasz Żółkiewski"),
        ("russian_cp1251.csv", "cp1251", "ООО Ромашка", "Алексей Смирнов"),
        ("greek_cp1253.csv", "cp1253", "Αθηναϊκή Εμπορική", "Γιώργος Παπαδόπουλος"),
        ("macroman.csv", "mac_roman", "Café Lumière SARL", "Hélène Dubois"),
        ("utf16le_nobom.csv", "utf-16-le", "Café Lumière", "Hélène Dubois"),
        ("shift_jis.csv", "cp932", "山田太郎", None),
    ],
)  # fmt: skip
def test_legacy_encodings_read_right(tmp_path: Path, name, encoding, company, person) -> None:
    report, book, _, _ = imported(tmp_path, name)
    assert report.encoding == encoding
    assert company in book
    if person:
        store = Store.open(tmp_path / "book.db")
        names = [c.name for c in store.contacts(book[company].id)]
        store.close()
        assert names == [person]


def test_an_unclear_encoding_is_refused_with_the_candidates(tmp_path: Path) -> None:
    with pytest.raises(FileProblem) as caught:
        imported(tmp_path, "western_short_cp1252.csv")
    assert str(caught.value) == (
        f"{DATA / 'western_short_cp1252.csv'} is not UTF-8 and its encoding is unclear: it reads "
        "as cp1250 (Central European), cp1252 (Western European), cp1257 (Baltic); give the "
        "right one with --encoding (or save the file as UTF-8)"
    )
    _, book, _, _ = imported(tmp_path, "western_short_cp1252.csv", encoding="cp1252")
    assert book["Café Lumière"].city == "Nîmes"


def test_excel_sep_line_and_export_dates(tmp_path: Path) -> None:
    report, book, _, notices = imported(tmp_path, "excel_sep.csv")
    assert report.delimiter == "semicolon"
    assert notices == ["line 1 ('sep=;') names the delimiter for Excel: skipped"]
    london = CONFIG.tz
    assert book["Lumière Café"].next_call_at == datetime(2027, 3, 14, 9, tzinfo=london)
    assert book["Acme Corp"].next_call_at == datetime(2027, 3, 14, 9, 30, tzinfo=london)


def test_invisible_characters_are_taken_out(tmp_path: Path) -> None:
    _, book, _, notices = imported(tmp_path, "invisible.csv")
    assert list(book) == ["Acme Widgets"]
    assert book["Acme Widgets"].email == "sarah@acme-widgets.com"
    assert book["Acme Widgets"].phones == ("+12125550101",)
    assert notices == [
        "took out 4 invisible character(s) (zero-width spaces, direction marks, soft hyphens) "
        "from the values"
    ]


def test_a_nul_byte_past_the_first_64k_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "late_nul.csv"
    body = "".join(f"Company {n},+1 212 555 {n % 10000:04d}\n" for n in range(4000))
    path.write_bytes(b"Company,Phone\n" + body.encode() + b"Bad\x00Name,1\n")
    store = Store.open(tmp_path / "book.db")
    with pytest.raises(FileProblem) as caught:
        import_file(store, path, ImportOptions(), CONFIG, load_templates(None))
    assert str(caught.value) == (
        f"{path}:4002: a NUL byte (0x00) at byte 4 of the line: the file is damaged or not "
        "text; nothing was imported"
    )
    assert store.prospects() == []
    store.close()


def test_date_order_reads_ambiguous_numeric_dates(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from callbook.cli import main

    path = tmp_path / "dates.csv"
    path.write_text("Company,Next Call\nAcme,03/04/2027 14:30\nGlobex,25/04/2027\n", "utf-8")
    from callbook.config import load_config
    from callbook.paths import resolve

    zone = load_config(resolve()).tz  # the caller's zone reads dates without an offset
    cases = (("mdy", datetime(2027, 3, 4, 14, 30)), ("dmy", datetime(2027, 4, 3, 14, 30)))
    for order, acme in cases:
        db = tmp_path / f"{order}.db"
        result = CliRunner().invoke(
            main, ["--db", str(db), "import", str(path), "--date-order", order]
        )
        assert result.exit_code == 0, result.output
        with Store.open(db) as store:
            when = {p.name: p.next_call_at for p in store.prospects()}
        assert when["Acme"].astimezone(zone).replace(tzinfo=None) == acme
        # 25 cannot be a month: day first whatever the order.
        assert when["Globex"].astimezone(zone).date().isoformat() == "2027-04-25"


def test_numbers_without_a_code_take_the_books_usual_country(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from callbook.cli import main

    db = tmp_path / "book.db"
    with Store.open(db) as store:
        for n in range(3):
            store.add_prospect(f"Sydney Co {n}", phones=[f"+6129876543{n}"], country="AU")
    path = tmp_path / "more.csv"
    path.write_text("Company,Phone\nBondi Surf,(02) 9130 1234\n", "utf-8")
    result = CliRunner().invoke(main, ["--db", str(db), "import", str(path)])
    assert result.exit_code == 0, result.output
    assert (
        "Note: 1 number(s) without a country code read as AU numbers (most of the book is "
        "there; a row's country, email or website would have said otherwise); --region "
        "changes it"
    ) in result.output
    with Store.open(db) as store:
        assert store.prospects_named("Bondi Surf")[0].phones == ("+61291301234",)


def test_salesforce_data_loader_api_names(tmp_path: Path) -> None:
    report, book, details, _ = imported(tmp_path, "salesforce_dataloader.csv")
    assert report.preset == "salesforce" and report.unmapped == [("LEADSOURCE", 1)]
    assert details["Blue Harbor Logistics"] == [
        ("+14155550177", "mobile", None),
        ("+14155550103", "other", None),
        ("+14155550190", "assistant", None),
    ]
    assert book["Blue Harbor Logistics"].city == "San Francisco"


def test_dry_run_shows_numbers_with_their_labels_and_notes(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from callbook.cli import main

    path = DATA / "hubspot_au.csv"
    db = tmp_path / "book.db"
    result = CliRunner().invoke(main, ["--db", str(db), "import", "--dry-run", str(path)])
    assert result.exit_code == 0, result.output
    assert (
        "  line 2 'Harbour Cafe': add: company Harbour Cafe; website harbourcafe.com.au; city "
        "Sydney; email tina@harbourcafe.com.au; phones +61285453391 (direct: Nick dir), "
        "+61412345678 (mobile: tina); timezone Australia/Sydney; contacts Tina Nguyen"
    ) in result.output.splitlines()
    assert not db.exists()


def test_close_lead_with_several_contacts_keeps_each(tmp_path: Path) -> None:
    report, book, details, notices = imported(tmp_path, "close_contacts.csv")
    lead = book["Blue Harbor Logistics"]
    with Store.open(tmp_path / "book.db") as store:
        people = [(c.name, c.title, c.phone, c.email) for c in store.contacts(lead.id)]
    assert people == [
        ("Grace Lee", "Fleet Manager", "+14155550103", "grace@blueharbor.example"),
        ("Tom Reyes", "Dispatcher", "+14155550150", "tom@blueharbor.example"),
        # No name: named after the address, never dropped.
        ("accounts@blueharbor.example", None, None, "accounts@blueharbor.example"),
    ]
    assert details["Blue Harbor Logistics"] == [
        ("+14155550103", "direct", None),
        ("+14155550150", "mobile", None),
    ]
    # The second address's city is named, not silently dropped.
    assert notices == [
        "1 row(s) had more than one city (columns 'address_1_city', 'address_2_city'); the "
        "first was kept"
    ]


@pytest.mark.parametrize(
    ("name", "preset", "prospect", "numbers"),
    [
        ("hubspot_old_labels.csv", "hubspot", "Acme Widgets",
         [("+19175550133", "mobile", None), ("+12125550101", "other", None)]),
        ("cognism.csv", "leadlist", "Schneider Logistik GmbH",
         [("+493098765432", "direct", None), ("+4915123456789", "mobile", None),
          ("+4930987650", "switchboard", None)]),
    ],
)  # fmt: skip
def test_more_vendors(tmp_path: Path, name, preset, prospect, numbers) -> None:
    report, book, details, _ = imported(tmp_path, name)
    assert report.preset == preset and prospect in book
    assert details[prospect] == numbers


def test_a_nul_character_in_utf16_text_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_bytes("Company,Phone\nAcme,1\nBad\x00Co,2\n".encode("utf-16"))
    with pytest.raises(FileProblem) as caught:
        prepare(path, ImportOptions(), CONFIG, load_templates(None))
    assert str(caught.value) == (
        f"{path}:3: a NUL character at character 4 of the line: the file is damaged or not "
        "text; nothing was imported"
    )


def test_salesforce_formatted_report_title_filters_and_totals(tmp_path: Path) -> None:
    report, book, _, notices = imported(tmp_path, "salesforce_formatted_report.csv")
    assert report.preset == "salesforce" and report.warnings == []
    assert sorted(book) == ["Globex GmbH", "Taylor Freight, LLC"]
    assert notices == [
        "lines 1-4 come before the column names (instructions or a title: 'My Open Leads'): "
        "skipped",
        "lines 8, 9, 10, 11: a report's footer, not rows ('Total'; 'Grand Totals (2 records)'; "
        "'Confidential Information - Do Not Distribute'; 'Copyright (c) 2000-2026 "
        "salesforce.com, inc. All rights res…'): skipped",
    ]


@pytest.mark.parametrize(
    "text", ["Company,Contact\nAcme,Zoe O\u2019Brien\n", "Company,Note\nAcme,call 9\u201310am\n"]
)
def test_windows_punctuation_alone_reads_as_cp1252(tmp_path: Path, text: str) -> None:
    # Every Windows code page writes these quotes and dashes alike: no doubt to refuse on.
    path = tmp_path / "smart.csv"
    path.write_bytes(text.encode("cp1252"))
    prepared = prepare(path, ImportOptions(), CONFIG, load_templates(None))
    assert prepared.report.encoding == "cp1252"
    assert text.splitlines()[1].split(",")[1] in str(prepared.candidates[0])


def test_words_beside_a_number_are_its_note_and_may_label_it(tmp_path: Path) -> None:
    path = tmp_path / "words.csv"
    path.write_text(
        "Company,Country,Phone\n"
        "Harbour Cafe,AU,cell: 0412 345 678\n"
        "Kingsley Dental,GB,main 020 7946 0958 ask for Tom\n"
        "Acme,US,+1 212 555 0101 ext. 23; 212-555-0199 (cell)\n",
        "utf-8",
    )
    prepared = prepare(path, ImportOptions(), CONFIG, load_templates(None))
    details = {c.name: [(d["number"], d["label"], d["note"]) for d in c.phone_details]
               for c in prepared.candidates}  # fmt: skip
    assert details == {
        "Harbour Cafe": [("+61412345678", "mobile", "cell")],
        "Kingsley Dental": [("+442079460958", "switchboard", "main ask for Tom")],
        "Acme": [("+12125550199", "mobile", "cell"), ("+12125550101;ext=23", "other", None)],
    }
    assert prepared.report.warnings == []


def test_pager_and_fax_numbers_are_kept_last_with_a_note(tmp_path: Path) -> None:
    path = tmp_path / "outlook.csv"
    path.write_text(
        '"First Name","Last Name","Company","Pager","Business Phone","E-mail Address",'
        '"Business Fax"\n"Ann","Lee","Acme","+1 212 555 0170","+1 212 555 0142",'
        '"ann@acme.example","+1 212 555 0199"\n',
        "utf-8",
    )
    prepared = prepare(path, ImportOptions(), CONFIG, load_templates(None))
    (acme,) = prepared.candidates
    assert prepared.report.preset == "outlook"
    # Outlook's fax column is not read at all; its pager is, last, and says so.
    assert [(d["number"], d["label"], d["note"]) for d in acme.phone_details] == [
        ("+12125550142", "direct", None),
        ("+12125550170", "other", "pager"),
    ]
