"""Bad input to `callbook import`: each class gets its one clear message, a non-zero exit, and
the book is exactly as it was (compared as a full SQL dump before and after)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from callbook.cli import main
from callbook.store import Store

NOW = "2026-11-27T15:00:00+00:00"


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CALLBOOK_NOW", NOW)
    monkeypatch.chdir(tmp_path)  # messages name files as given: relative names
    path = tmp_path / "book.db"
    with Store.open(path) as store:
        store.add_prospect("Northwind Traders", phones=["+12125550199"])
    return path


def run(db: Path, *args: str):
    return CliRunner().invoke(main, ["--db", str(db), "import", *args], catch_exceptions=False)


def dump(db: Path) -> list:
    """Schema (triggers included) and every row of every table, the recall index's own."""
    with Store.open(db) as store:
        conn = store.conn
        schema = sorted(conn.execute("select type, name, sql from sqlite_master").fetchall())
        tables = [
            name
            for kind, name, sql in schema
            if kind == "table" and not (sql or "").startswith("CREATE VIRTUAL")
        ]
        rows = {t: sorted(map(repr, conn.execute(f'select * from "{t}"'))) for t in tables}
        return [schema, rows]


def write(name: str, data: bytes | str) -> str:
    Path(name).write_bytes(data.encode() if isinstance(data, str) else data)
    return name


GOOD = "Company,Phone\nAcme,(212) 555-0101\n"

CASES = [
    ("missing", lambda: "missing.csv", [], "missing.csv: no such file"),
    ("folder", lambda: Path("folder").mkdir() or "folder", [], "folder is a folder, not a file"),
    ("empty", lambda: write("empty.csv", b""), [], "empty.csv: the file is empty"),
    (
        "only a BOM",
        lambda: write("bom.csv", b"\xef\xbb\xbf\r\n"),
        [],
        "bom.csv: the file is empty",
    ),
    (
        "no header",
        lambda: write("noheader.csv", "Jane Doe,jane@acme.com,(212) 555-0101\n"),
        [],
        "noheader.csv:1: the first line looks like data ('jane@acme.com'), not column names; "
        "add a header line naming the columns",
    ),
    (
        "no name column",
        lambda: write("noname.csv", "Employees,Revenue\n12,1m\n"),
        [],
        "noname.csv: no column gives a prospect's name or company (generic CSV; columns: "
        "'Employees', 'Revenue'); map one with --map \"Column=name\" or \"Column=company\"",
    ),
    (
        "header but no rows",
        lambda: write("headeronly.csv", "Company,Phone\n"),
        [],
        "headeronly.csv: the file has column names but no rows; nothing to import",
    ),
    (
        "undecodable bytes",
        lambda: write("bytes.csv", b"Company,Phone\nAcme\x81,1\n"),
        [],
        "bytes.csv is not UTF-8 and its encoding is unclear: it reads as cp1251 (Cyrillic), "
        "cp1256 (Arabic), koi8_r (Cyrillic); give the right one with --encoding (or save the "
        "file as UTF-8)",
    ),
    (
        "UTF-8 with a stray legacy byte",
        lambda: write("mixed.csv", b"Company,Phone\n\xe9t\xe9 SARL,1\nCaf\xc3\xa9,2\n"),
        [],
        "mixed.csv:2: byte 0xE9 is not UTF-8, in a file that is otherwise UTF-8; "
        "save it again as UTF-8",
    ),
    (
        "binary file",
        lambda: write("random.csv", bytes(range(256)) * 4),
        [],
        "random.csv is a binary file, not CSV text",
    ),
    (
        "spreadsheet",
        lambda: write("book.xlsx", b"PK\x03\x04" + b"\x00" * 40),
        [],
        "book.xlsx is a zip archive or Excel workbook (.xlsx); save it as CSV first",
    ),
    (
        "foreign JSON",
        lambda: write("other.json", '{"a": 1}'),
        [],
        "other.json is JSON but not a callbook export; import CSV files here",
    ),
    (
        "unknown preset",
        lambda: write("good.csv", GOOD),
        ["--preset", "zoho"],
        "unknown preset 'zoho' (presets: auto, hubspot, salesforce, pipedrive, close, apollo, "
        "zoominfo, leadlist, salesnav, google, outlook, callbook, generic)",
    ),
    (
        "bad --map syntax",
        lambda: write("good.csv", GOOD),
        ["--map", "Company"],
        "--map 'Company': expected \"CSV column=field\"",
    ),
    (
        "--map of a missing column",
        lambda: write("good.csv", GOOD),
        ["--map", "Phone Numbr=phone"],
        "--map 'Phone Numbr': the file has no column 'Phone Numbr' (did you mean 'Phone'?); "
        "its columns: 'Company', 'Phone'",
    ),
    (
        "unknown --map target",
        lambda: write("good.csv", GOOD),
        ["--map", "Company=budjet"],
        "--map Company=budjet: unknown field or slot 'budjet' (did you mean 'budget'?); fields: "
        "name, company, contact, first_name, middle_name, last_name, title, phone, email, "
        "website, city, region, country, timezone, status, priority, tags, template, "
        "next_call_at, next_objective, location, notes, ignore; slots of template 'cold_call': "
        "gatekeeper, decision_maker, dm_role, dm_availability, direct_line, route, "
        "current_solution, pain, budget, timeline, decision_process, next_step",
    ),
    (
        "unknown slot",
        lambda: write("good.csv", GOOD),
        ["--map", "Phone=piece:nothing"],
        "--map Phone=piece:nothing: template 'cold_call' has no slot 'nothing'; its slots: "
        "gatekeeper, decision_maker, dm_role, dm_availability, direct_line, route, "
        "current_solution, pain, budget, timeline, decision_process, next_step",
    ),
    (
        "unknown --on-duplicate",
        lambda: write("good.csv", GOOD),
        ["--on-duplicate", "maybe"],
        "--on-duplicate must be one of merge, skip, new",
    ),
    (
        "unknown region",
        lambda: write("good.csv", GOOD),
        ["--region", "ZZ"],
        "--region 'ZZ': not a two-letter country code such as US or GB",
    ),
    (
        "unknown template",
        lambda: write("good.csv", GOOD),
        ["--template", "spin"],
        "unknown template 'spin' (templates: bant, champ, cold_call, gpctba, meddpicc)",
    ),
]


@pytest.mark.parametrize(("case", "make", "options", "message"), CASES, ids=[c[0] for c in CASES])
def test_file_problem(db: Path, case: str, make, options: list[str], message: str) -> None:
    before = dump(db)
    name = make()
    result = run(db, name, *options)
    assert result.exit_code == 1
    assert result.stderr == f"callbook: {message}\n"
    assert result.stdout == ""
    assert dump(db) == before


def test_row_errors_name_line_and_column_and_change_nothing(db: Path) -> None:
    before = dump(db)
    write(
        "rows.csv",
        "Company,Phone,Priority,Next Call\n"
        "Acme,(212) 555-0101,2,2026-12-01 09:30\n"
        "Beta,(212) 555-0102,9,\n"  # priority out of range
        "Gamma,(212) 555-0103,1,next week\n"  # not a date
        ",,,\n"  # blank: skipped
        ",,3,\n"  # nothing to name it by
        "Delta,(212) 555-0104,3,,surplus\n",  # more cells than the header
    )
    result = run(db, "rows.csv", "--map", "Priority=priority", "--map", "Next Call=next_call_at")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "rows.csv:3: column 'Priority': '9': not a priority from 1 (highest) to 5 (lowest)",
        "rows.csv:4: column 'Next Call': 'next week': not a date and time "
        "(write it like 2026-12-01 14:30)",
        "rows.csv:6: no name, company, phone or email in this row",
        "rows.csv:7: 5 cells but the header has 4 columns (a comma inside an unquoted value?)",
        "callbook: rows.csv: 4 errors; nothing was imported",
    ]
    assert dump(db) == before


def test_guessed_mapping_never_blocks_but_warns(db: Path) -> None:
    # "Follow up" is read as the next call by its name; a value that is not a date is left out.
    write("guess.csv", "Company,Follow up\nAcme,call in spring\n")
    result = run(db, "guess.csv")
    assert result.exit_code == 0, result.output
    assert (
        "  guess.csv:2: column 'Follow up': 'call in spring': not a date and time "
        "(write it like 2026-12-01 14:30); left out" in result.stdout.splitlines()
    )


def test_only_the_first_twenty_errors_then_a_count(db: Path) -> None:
    before = dump(db)
    lines = ["Company,Priority"] + [f"Firm {n},{n + 10}" for n in range(25)]
    write("many.csv", "\n".join(lines) + "\n")
    result = run(db, "many.csv", "--map", "Priority=priority")
    assert result.exit_code == 1
    errors = result.stderr.splitlines()
    assert len(errors) == 22
    assert errors[0] == (
        "many.csv:2: column 'Priority': '10': not a priority from 1 (highest) to 5 (lowest)"
    )
    assert errors[19].startswith("many.csv:21: ")
    assert errors[20] == "... and 5 more"
    assert errors[21] == "callbook: many.csv: 25 errors; nothing was imported"
    assert dump(db) == before


def test_errors_as_json(db: Path) -> None:
    write("rows.csv", "Company,Priority\nAcme,7\n")
    result = run(db, "rows.csv", "--map", "Priority=priority", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "version": 1,
        "ok": False,
        "file": "rows.csv",
        "errors": [
            {
                "line": 2,
                "column": "Priority",
                "message": "'7': not a priority from 1 (highest) to 5 (lowest)",
            }
        ],
    }


def test_a_failure_while_writing_names_the_row_and_rolls_everything_back(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    from callbook.store import bulk

    before = dump(db)
    real_insert = bulk.insert_prospect

    def bulk_fails(store, conn, records, now):
        raise sqlite3.OperationalError("database or disk is full")

    def row_fails(store, conn, fields, now):
        if fields["name"] == "Beta":
            raise sqlite3.OperationalError("database or disk is full")
        return real_insert(store, conn, fields, now)

    monkeypatch.setattr(bulk, "add_many", bulk_fails)
    monkeypatch.setattr(bulk, "insert_prospect", row_fails)
    write("two.csv", "Company,Phone\nAcme,(212) 555-0101\nBeta,(212) 555-0102\n")
    result = run(db, "two.csv")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "two.csv:3: cannot add: database or disk is full",
        "callbook: two.csv: 1 error; nothing was imported",
    ]
    assert dump(db) == before


def test_dry_run_writes_nothing_and_shows_every_row(db: Path) -> None:
    before = dump(db)
    write(
        "list.csv",
        "Company,Phone,Budget\n"
        "Acme,(212) 555-0101,10k\n"
        "Northwind Traders Ltd,(212) 555-0199,\n"
        "ACME Inc.,(212) 555-0102,\n",
    )
    result = run(db, "list.csv", "--dry-run")
    assert result.exit_code == 0, result.output
    assert dump(db) == before
    assert result.stdout.splitlines() == [
        "list.csv: generic CSV (no CRM's columns recognised; read by common column names); "
        "utf-8, comma-separated; 3 rows",
        "Columns: 'Company' -> company, 'Phone' -> phone, 'Budget' -> piece:budget",
        "Rows:",
        "  line 2 'Acme': add: company Acme; phones +12125550101, +12125550102; "
        "timezone America/New_York; budget: 10k",
        "  line 3 'Northwind Traders Ltd': merged into #1 Northwind Traders "
        "(same phone +12125550199): company Northwind Traders Ltd; timezone America/New_York",
        "  line 4 'ACME Inc.': merged into line 2 Acme (same company name 'Acme'): "
        "+phones +12125550102",
        "Dry run, nothing was written: would have 1 prospect added, 2 merged, 0 skipped "
        "(0 contacts, 1 piece).",
    ]


def test_dry_run_on_a_book_that_does_not_exist_creates_nothing(tmp_path: Path) -> None:
    write(str(tmp_path / "list.csv"), GOOD)
    db = tmp_path / "new.db"
    result = run(db, str(tmp_path / "list.csv"), "--dry-run")
    assert result.exit_code == 0, result.output
    assert not db.exists()


@pytest.mark.parametrize(
    ("policy", "actions", "prospects"),
    [
        ("merge", ["add", "merge", "merge"], 2),
        ("skip", ["add", "skip", "skip"], 2),
        ("new", ["add", "add", "add"], 4),
    ],
)
def test_on_duplicate(db: Path, policy: str, actions: list[str], prospects: int) -> None:
    write(
        "dups.csv",
        "Company,Phone\nAcme,(212) 555-0101\nAcme Ltd,(212) 555-0101\nNorthwind,(212) 555-0199\n",
    )
    result = run(db, "dups.csv", "--on-duplicate", policy, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [r["action"] for r in report["rows"]] == actions
    assert [r["duplicate_of"] for r in report["rows"]] == [
        None,
        "line 2 Acme",
        "#1 Northwind Traders",
    ]
    with Store.open(db) as store:
        assert store.count_prospects() == prospects
