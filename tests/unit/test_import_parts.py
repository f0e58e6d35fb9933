"""The importer's parts: reading and sniffing files, detecting presets, mapping columns, and
finding duplicates; plus properties over generated files."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callbook.config import Config
from callbook.interop import presets as P
from callbook.interop.csv_import import ImportOptions, import_file, prepare
from callbook.interop.dedupe import DuplicateIndex, company_key, domain_key, keys_for
from callbook.interop.problems import FileProblem, ImportFailed
from callbook.interop.sheet import read_sheet, sniff
from callbook.jigsaw import builtin_templates, load_templates
from callbook.store import Store

COLD_CALL = builtin_templates()["cold_call"]


def test_sniffs_the_delimiter() -> None:
    assert sniff("a,b,c\n1,2,3\n") == ","
    assert sniff("a;b;c\n1;2,5;3\n") == ";"
    assert sniff("a\tb\tc\n1\t2\t3\n") == "\t"
    assert sniff("a|b\n1|2\n") == "|"
    assert sniff("Name\nAcme\n") == ","
    # Commas inside quoted values do not fool it.
    assert sniff('a;b\n"x, y, z";2\n') == ";"


def test_reads_lines_of_multiline_rows_and_pads_short_ones(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text('Name,Notes,Phone\nAcme,"two\r\nlines",1\nBeta\n\nGamma,x,3,\n', "utf-8")
    sheet = read_sheet(path)
    assert sheet.header == ["Name", "Notes", "Phone"]
    assert sheet.rows == [
        (2, ["Acme", "two\nlines", "1"]),
        (4, ["Beta", "", ""]),
        (6, ["Gamma", "x", "3"]),  # a trailing empty cell is not a surplus one
    ]
    assert sheet.problems == []


def test_utf16_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "excel.txt"
    path.write_bytes("Company\tPhone\nCafé\t1\n".encode("utf-16"))
    sheet = read_sheet(path)
    assert (sheet.encoding, sheet.delimiter_name) == ("utf-16", "tab")
    assert sheet.rows == [(2, ["Café", "1"])]


@pytest.mark.parametrize(
    ("headers", "preset"),
    [
        (["Record ID", "First Name", "Last Name", "Phone Number", "Company Name"], "hubspot"),
        (["First Name", "Last Name", "Company / Account", "Lead Owner", "Phone"], "salesforce"),
        (["Person - Name", "Person - Phone - Work", "Organization - Name"], "pipedrive"),
        (["display_name", "status_label", "primary_contact_name", "custom.Budget"], "close"),
        (["First Name", "Last Name", "Phone 1 - Label", "Phone 1 - Value", "Labels"], "google"),
        (["Name", "Given Name", "Family Name", "Group Membership", "Phone 1 - Type"], "google"),
        (["First Name", "Last Name", "Company", "Business Phone", "E-mail Address"], "outlook"),
        (["id", "name", "phones", "next_call_at", "call_count", "template"], "callbook"),
        (["Business", "Phone", "Email"], "generic"),
    ],
)
def test_detects_the_preset(headers: list[str], preset: str) -> None:
    assert P.detect(headers)[0].key == preset


def test_map_columns_order_of_precedence() -> None:
    headers = ["Company Name", "Phone Number", "Budget", "Timeline Notes", "Lead Status"]
    columns = P.map_columns(
        headers, P.HUBSPOT, COLD_CALL, [("Timeline Notes", "timeline"), ("Lead Status", "tags")]
    )
    assert [(c.header, c.target, c.origin) for c in columns] == [
        ("Company Name", "company", "preset"),
        ("Phone Number", "phone", "preset"),
        ("Budget", "piece:budget", "slot name"),  # a header that is a slot's name
        ("Timeline Notes", "piece:timeline", "--map"),
        ("Lead Status", "tags", "--map"),
    ]


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("name", "name"),
        ("Phone", "phone"),
        ("first name", "first_name"),
        ("job title", "title"),
        ("time zone", "timezone"),
        ("next call", "next_call_at"),
        ("skip", "ignore"),
        ("dm avail", "piece:dm_availability"),  # a slot alias
        ("piece:title", "piece:dm_role"),  # forced to the slot named "title"
        ("Decision maker", "piece:decision_maker"),
    ],
)
def test_resolve_target(text: str, target: str) -> None:
    assert P.resolve_target(text, COLD_CALL) == target


def test_company_keys_and_domains() -> None:
    assert company_key("ACME Corporation") == company_key("Acme Corp.") == "acme"
    assert company_key("Smith & Sons Ltd") == company_key("Smith and Sons") == "smith sons"
    assert company_key("Müller GmbH") == company_key("Muller") == "muller"
    assert domain_key("https://www.Acme.com/about?x=1") == "acme.com"
    assert domain_key("acme.co.uk") == "acme.co.uk"
    assert domain_key("gmail.com") == ""  # says nothing about the company
    assert domain_key("see LinkedIn") == ""


def test_fuzzy_company_match_needs_every_word() -> None:
    index = DuplicateIndex()
    index.add("hartley", keys_for(company="Hartley Engineering Ltd"))
    index.add("north west", keys_for(company="North West Plumbing"))
    typo = index.find(keys_for(company="Hartley Engineerng"))
    assert typo is not None and typo.target == "hartley"
    assert typo.reason == "company name like 'Hartley Engineering Ltd' (97%)"
    assert index.find(keys_for(company="North East Plumbing")) is None
    assert index.find(keys_for(company="Hartley Electrical")) is None


def test_duplicate_keys_in_order() -> None:
    index = DuplicateIndex()
    index.add("a", keys_for(["+12125550101"], "a@x.example", "https://a.example", "Alpha"))
    index.add("b", keys_for(["+12125550102"], "b@x.example", "https://b.example", "Beta"))
    assert index.find(keys_for(["+12125550102;ext=4"], "a@x.example")).reason == (
        "same phone +12125550102"
    )
    assert index.find(keys_for(email="A@X.example")).target == "a"
    # A website alone is not enough: the same domain and a similar company name are.
    assert index.find(keys_for(website="www.b.example/contact")) is None
    assert index.find(keys_for(website="www.b.example/contact", company="Beta Ltd")).reason == (
        "same website b.example and company 'Beta'"
    )
    assert index.find(keys_for(person="Jane  Doe")) is None
    index.add("c", keys_for(person="Jane Doe"))
    assert index.find(keys_for(person="jane doe")).reason == "same name 'jane doe'"


def test_names_with_digits_only_match_exactly() -> None:
    index = DuplicateIndex()
    index.add("12", keys_for(company="Acme Store 12"))
    assert index.find(keys_for(company="Acme Store 13")) is None
    assert index.find(keys_for(company="ACME Store #12")).target == "12"


def test_fuzzy_dedupe_is_not_quadratic() -> None:
    # 20k companies in one block: the block stops growing, each lookup stays cheap.
    import time

    from callbook.interop.dedupe import BLOCK_LIMIT

    words = ["kalo", "venti", "darmi", "seltor", "anbri", "caldex", "fengar", "holist"]
    names = [f"Acme L{a}{b}{c} Freight" for a in words for b in words for c in words]
    names += [f"Acme Lo{a}{b}{c}{d} Freight" for a in words for b in words for c in words
              for d in words[:4]]  # fmt: skip
    assert len(names) > 2 * BLOCK_LIMIT
    index = DuplicateIndex()
    start = time.perf_counter()
    for n, name in enumerate(names):
        keys = keys_for(company=name)
        index.find(keys)
        index.add(n, keys)
    assert time.perf_counter() - start < 5


def test_large_file_uses_the_phone_fan_out(tmp_path: Path, monkeypatch) -> None:
    from callbook.interop import fanout

    monkeypatch.setattr(fanout, "PARALLEL_MIN", 10)
    path = tmp_path / "big.csv"
    lines = ["Company,Phone,Country"]
    lines += [f"Firm {n},(212) 555-{n:04d},US" for n in range(30)]
    lines += ["Bad Phone Co,12345,US", "London Co,020 7946 0958,UK"]
    path.write_text("\n".join(lines) + "\n")
    calls = []
    real = fanout.normalize_all

    def spy(requests):
        found = real(requests)
        calls.append(len(found))
        return found

    monkeypatch.setattr(fanout, "normalize_all", spy)
    prepared = prepare(path, ImportOptions(), Config(), load_templates(None))
    assert calls == [32]
    phones = [c.fields.get("phones") for c in prepared.candidates]
    assert phones[0] == ["+12125550000"]
    assert phones[-2:] == [["12345"], ["+442079460958"]]
    assert prepared.candidates[-1].fields["timezone"] == "Europe/London"


def test_a_formula_guard_comes_off_and_other_apostrophes_stay(tmp_path: Path) -> None:
    path = tmp_path / "crm.csv"
    path.write_text(
        "Company,Phone,Notes\n"
        "'=SUM(1),+1 212 555 0101,'-2+3*cmd|' /C calc'!A0\n"
        "'Tis Ltd,+44 20 7946 0000,''@x\n"
        "O'Neil & Co,-,'+SUM(A1)\n",
        "utf-8",
    )
    prepared = prepare(path, ImportOptions(), Config(), load_templates(None))
    assert [(c.name, c.pieces["notes"]) for c in prepared.candidates] == [
        ("=SUM(1)", "-2+3*cmd|' /C calc'!A0"),
        ("'Tis Ltd", "'@x"),
        ("O'Neil & Co", "+SUM(A1)"),
    ]
    assert prepared.candidates[0].fields["phones"] == ["+12125550101"]


cell = st.text(
    # Invisible format characters (Cf) are taken out of every value on purpose.
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Cf")) | st.sampled_from('\n\t,;"'),
    max_size=12,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(st.lists(cell, min_size=3, max_size=3), min_size=1, max_size=6),
    delimiter=st.sampled_from([",", ";", "\t"]),
)
def test_any_table_written_by_csv_reads_back(tmp_path: Path, rows, delimiter) -> None:
    header = ["Company", "Phone", "Notes"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, quoting=csv.QUOTE_ALL)
    writer.writerow(header)
    writer.writerows(rows)
    path = tmp_path / "t.csv"
    path.write_text(buffer.getvalue(), "utf-8")
    sheet = read_sheet(path)
    assert sheet.header == header
    kept = [r for r in rows if any(c.strip() for c in r)]
    assert [cells for _, cells in sheet.rows] == [
        [c.replace("\r\n", "\n") for c in r] for r in kept
    ]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=300))
def test_any_bytes_are_imported_or_refused_cleanly(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "any.csv"
    path.write_bytes(b"Company,Phone\n" + data)
    store = Store.open(tmp_path / "book.db")
    try:
        before = store.count_prospects()
        try:
            import_file(store, path, ImportOptions(), Config(), load_templates(None))
        except (FileProblem, ImportFailed):
            assert store.count_prospects() == before
    finally:
        store.close()


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_for_big_files_on_a_terminal() -> None:
    from callbook.cli.interop import PROGRESS_MIN_ROWS, ProgressBar

    terminal = _Terminal()
    bar = ProgressBar(terminal)
    bar.start("Reading big.csv", PROGRESS_MIN_ROWS)
    bar.advance(PROGRESS_MIN_ROWS)
    bar.finish()
    assert "Reading big.csv" in terminal.getvalue()
    small = _Terminal()
    bar = ProgressBar(small)
    bar.start("Reading small.csv", PROGRESS_MIN_ROWS - 1)
    bar.finish()
    assert small.getvalue() == ""
    piped = io.StringIO()
    bar = ProgressBar(piped)
    bar.start("Reading big.csv", PROGRESS_MIN_ROWS * 10)
    bar.finish()
    assert piped.getvalue() == ""


def test_a_book_written_between_the_checks_and_the_write_is_checked_again(
    tmp_path: Path, monkeypatch
) -> None:
    """Duplicates are found before the write lock is taken; a prospect another process adds
    in between (the app, a second import) is still found, and merged into, not doubled."""
    from callbook.interop import csv_import
    from callbook.store import bulk

    path = tmp_path / "leads.csv"
    path.write_text("Name,Phone\nAcme Ltd,+44 20 7946 0000\nBeacon Print,+44 20 7946 0001\n")
    book = tmp_path / "book.db"
    writing = bulk.writing

    def another_process_writes_first(store):
        with Store.open(book) as other:
            other.add_prospect("Acme Ltd", phones=["+442079460000"])
        return writing(store)

    monkeypatch.setattr(bulk, "writing", another_process_writes_first)
    with Store.open(book) as store:
        prepared = prepare(path, ImportOptions(), Config(), load_templates(None))
        report = csv_import.run(store, prepared, ImportOptions())
        assert [(r.name, r.action) for r in report.rows] == [
            ("Acme Ltd", "merge"),
            ("Beacon Print", "add"),
        ]
        assert sorted(n for _, n, _ in store.prospect_names()) == ["Acme Ltd", "Beacon Print"]


def test_a_report_total_that_disagrees_with_the_rows_is_said(tmp_path: Path) -> None:
    path = tmp_path / "report.csv"
    path.write_text('"sep=,"\nCompany,Phone\nAcme,1\n\n"Grand Totals (3 records)"\n', "utf-8")
    sheet = read_sheet(path)
    assert [cells for _, cells in sheet.rows] == [["Acme", "1"]]
    assert sheet.notices == [
        "line 1 ('\"sep=,\"') names the delimiter for Excel: skipped",
        "line 5: a report's footer, not rows ('Grand Totals (3 records)'): skipped; the report "
        "counts 3 records, 1 rows were read",
    ]


def test_a_company_called_total_is_a_row_not_a_footer(tmp_path: Path) -> None:
    path = tmp_path / "names.csv"
    path.write_text("Company,Phone\nTotal Fitness,\nAcme,1\n", "utf-8")
    assert [cells for _, cells in read_sheet(path).rows] == [["Total Fitness", ""], ["Acme", "1"]]


def test_summary_total_rows_with_counts_are_footers(tmp_path: Path) -> None:
    path = tmp_path / "summary.csv"
    path.write_text(
        "Account Name,Phone,Amount\nAcme,212 555 0101,1200\nSubtotal,,\"1,200.00\"\n"
        "Total,2125550101\nGrand Totals (1 records),,$1200\n",
        "utf-8",
    )
    sheet = read_sheet(path)
    # "Total" with a phone number is a prospect of that name, not a report's total.
    assert [cells for _, cells in sheet.rows] == [
        ["Acme", "212 555 0101", "1200"], ["Total", "2125550101", ""],
    ]  # fmt: skip
    assert sheet.notices == [
        "lines 3, 5: a report's footer, not rows ('Subtotal 1,200.00'; 'Grand Totals (1 "
        "records) $1200'): skipped; the report counts 1 records, 2 rows were read"
    ]
