"""`callbook export`: everything the book holds, pieces with their whole history; a JSON (or
JSON Lines) export imported into an empty book gives back the same book."""

from __future__ import annotations

import csv
import io
import json
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from callbook.cli import main
from callbook.clock import fixed_clock
from callbook.interop.formula import guard, is_formula, unguard
from callbook.model import NewCall, NewContact, Outcome, Role
from callbook.store import Store, bulk, recall

NOW = datetime(2026, 11, 27, 15, tzinfo=UTC)


def cli(db: Path, *args: str):
    return CliRunner().invoke(main, ["--db", str(db), *args], catch_exceptions=False)


def build(path: Path) -> None:
    """A small book with one of everything: sessions, calls (one undone), pieces superseded
    and undone, contacts from calls and by hand, a do-not-call number and a skip."""
    with Store.open(path, clock=fixed_clock(NOW)) as store:
        acme, beta, gamma = store.add_prospects(
            [
                {
                    "name": "Acme Widgets",
                    "company": "Acme Widgets, Inc.",
                    "phones": ["+12125550101", "555-CALL"],
                    "email": "info@acme.example",
                    "tags": ["smb", "event"],
                    "timezone": "America/New_York",
                    "priority": 2,
                },
                {"name": "Bright Smile Dental", "phones": ["+35312345678"], "city": "Dublin"},
                {"name": "Zoë Ó'Brien", "status": "do_not_call"},
            ]
        )
        session = store.start_session()
        start = NOW - timedelta(days=2)
        first = store.record_call(
            NewCall(
                prospect_id=acme.id,
                started_at=start,
                ended_at=start + timedelta(minutes=3),
                outcome=Outcome.GATEKEEPER,
                pieces=(("gatekeeper", "Sarah Jenkins"), ("budget", "10k")),
                contacts=(NewContact("Sarah Jenkins", Role.GATEKEEPER),),
                session_id=session.id,
                objective="find the decision maker",
                notes="Sarah says Tom decides",
                next_call_at=NOW + timedelta(days=1),
                next_objective="ask for Tom",
                tags=("warm",),
                capture="gk: Sarah Jenkins; budget: 10k; !gk; @tomorrow",
            )
        )
        store.record_call(
            NewCall(
                prospect_id=acme.id,
                started_at=start + timedelta(hours=1),
                ended_at=start + timedelta(hours=1, minutes=5),
                outcome=Outcome.DECISION_MAKER,
                pieces=(("budget", "25k"), ("decision_maker", "Tom Li")),
                contacts=(NewContact("Tom Li", Role.DECISION_MAKER, "Ops Director"),),
                session_id=session.id,
            )
        )
        undone = store.record_call(
            NewCall(
                prospect_id=beta.id,
                started_at=start + timedelta(hours=2),
                ended_at=start + timedelta(hours=2, minutes=1),
                outcome=Outcome.VOICEMAIL,
                pieces=(("pain", "no-shows"),),
            )
        )
        store.undo_call(undone.id)
        store.end_session(session.id)
        store.add_piece(gamma.id, "notes", "asked never to be called")
        store.add_contact(beta.id, NewContact("Dr. Ruth Ellis", Role.DECISION_MAKER))
        store.add_do_not_call_number("+35312345678", note="asked by phone")
        store.skip(beta.id)
        assert first.small_wins == 2


def tables(path: Path) -> dict[str, list[dict]]:
    with Store.open(path) as store, bulk.reading(store) as conn:
        return {t: list(bulk.dump(conn, t)) for t in bulk.tables(conn)}


def index_in_step(path: Path) -> bool:
    with Store.open(path) as store, bulk.writing(store) as conn:
        return recall.in_step(conn)


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_round_trip_gives_back_the_same_book(tmp_path: Path, fmt: str) -> None:
    original = tmp_path / "original.db"
    build(original)
    out = tmp_path / f"book.{fmt}"
    assert cli(original, "export", "--format", fmt, "-o", str(out)).exit_code == 0
    restored = tmp_path / "restored.db"
    result = cli(restored, "import", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"{out}: callbook export ({fmt}); restored 3 prospects, 3 contacts, 6 pieces, 3 calls, "
        "1 session, 1 do-not-call number, 1 skip, 3 phone numbers\n"
    )
    before, after = tables(original), tables(restored)
    assert after == before
    # History came back: superseded and undone pieces, the undone call, the session.
    pieces = {(p["slot"], p["value"]): p for p in after["pieces"]}
    assert pieces[("budget", "10k")]["superseded_by"] == pieces[("budget", "25k")]["id"]
    assert pieces[("pain", "no-shows")]["undone_at"] is not None
    assert sum(1 for c in after["calls"] if c["undone_at"]) == 1
    assert index_in_step(restored)
    # Exporting the restored book gives the same rows again.
    again = tmp_path / f"again.{fmt}"
    assert cli(restored, "export", "--format", fmt, "-o", str(again)).exit_code == 0
    strip = (lambda t: t.split('"tables"')[1]) if fmt == "json" else (
        lambda t: t.split("\n", 1)[1])  # fmt: skip
    assert strip(again.read_text()) == strip(out.read_text())


def test_demo_book_round_trip(tmp_path: Path, demo_db: Path) -> None:
    out = tmp_path / "demo.json"
    assert cli(demo_db, "export", "-o", str(out)).exit_code == 0
    restored = tmp_path / "restored.db"
    assert cli(restored, "import", str(out)).exit_code == 0
    assert tables(restored) == tables(demo_db)
    assert index_in_step(restored)


def test_restore_needs_an_empty_book(tmp_path: Path) -> None:
    original = tmp_path / "original.db"
    build(original)
    out = tmp_path / "book.json"
    cli(original, "export", "-o", str(out))
    before = tables(original)
    result = cli(original, "import", str(out))
    assert result.exit_code == 1
    assert result.stderr == (
        f"callbook: {out}: an export restores into an empty book only; this one holds "
        "3 prospects, 3 contacts, 6 pieces, 3 calls, 1 session, 1 do-not-call number, "
        "1 skip, 3 phone numbers; import it with --db NEW.db\n"
    )
    assert tables(original) == before


def test_restore_of_a_damaged_export_writes_nothing(tmp_path: Path) -> None:
    original = tmp_path / "original.db"
    build(original)
    out = tmp_path / "book.json"
    cli(original, "export", "-o", str(out))
    data = json.loads(out.read_text())
    data["tables"]["pieces"][0]["prospect_id"] = 99  # no such prospect
    data["tables"]["pieces"][1]["prospect_id"] = 98
    out.write_text(json.dumps(data))
    restored = tmp_path / "restored.db"
    result = cli(restored, "import", str(out))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{out}: pieces id 1: refers to a missing row of prospects",
        f"{out}: pieces id 2: refers to a missing row of prospects",
        f"callbook: {out}: 2 errors; nothing was imported",
    ]
    assert all(not rows for rows in tables(restored).values())


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["tables"]["prospects"][0].update(next_call_at="not a date"),
         'prospects #1 (id 1): next_call_at "not a date" is not a UTC time like '
         "2026-12-01T14:30:00Z; nothing was restored"),
        (lambda d: d.update(schema=99),
         "was exported from a book of schema 99, newer than this callbook's ({latest}); "
         "upgrade callbook to restore it"),
        (lambda d: d["tables"]["contacts"][0].update(name=None, role="boss"),
         "contacts #1 (id 1): name null is not text (and 1 more); nothing was restored"),
        (lambda d: d["tables"]["prospects"][1].update(status="hot", priority=0, phones="x"),
         "prospects #2 (id 2): phones \"x\" is not a list of texts (and 2 more); nothing was "
         "restored"),
        (lambda d: d["tables"]["calls"][0].update(outcome="maybe"),
         'calls #1 (id 1): outcome "maybe" is not one of no_answer, voicemail, gatekeeper, '
         "wrong_number, decision_maker, callback, gatekeeper_callback, meeting, not_interested, "
         "won, do_not_call; "
         "nothing was restored"),
    ],
)  # fmt: skip
def test_restore_checks_every_value_and_the_schema(tmp_path: Path, edit, message) -> None:
    from callbook.store.schema import LATEST

    original = tmp_path / "original.db"
    build(original)
    out = tmp_path / "book.json"
    cli(original, "export", "-o", str(out))
    data = json.loads(out.read_text())
    edit(data)
    out.write_text(json.dumps(data))
    restored = tmp_path / "restored.db"
    for args in (("import", "--dry-run", str(out)), ("import", str(out))):
        result = cli(restored, *args)
        assert result.exit_code == 1
        separator = " " if message.startswith("was") else ": "
        expected = f"callbook: {out}{separator}{message.format(latest=LATEST)}"
        assert result.stderr.splitlines() == [expected]
    assert not restored.exists() or all(not rows for rows in tables(restored).values())


def test_export_is_private_and_whole(tmp_path: Path) -> None:
    db = tmp_path / "book.db"
    build(db)
    out = tmp_path / "book.json"
    cli(db, "export", "-o", str(out))
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert json.loads(out.read_text())["callbook_export"] == 1
    assert not list(tmp_path.glob(".book.json.*"))  # no temporary file left behind


def test_json_to_stdout_and_one_table(tmp_path: Path) -> None:
    db = tmp_path / "book.db"
    build(db)
    result = cli(db, "export", "--what", "pieces")
    document = json.loads(result.stdout)
    assert list(document["tables"]) == ["pieces"]
    values = [
        (p["slot"], p["value"], p["superseded_by"] is None) for p in document["tables"]["pieces"]
    ]
    assert values == [
        ("gatekeeper", "Sarah Jenkins", True),
        ("budget", "10k", False),
        ("budget", "25k", True),
        ("decision_maker", "Tom Li", True),
        ("pain", "no-shows", True),
        ("notes", "asked never to be called", True),
    ]


def test_csv_export_of_prospects_comes_back_in(tmp_path: Path) -> None:
    db = tmp_path / "book.db"
    build(db)
    out = tmp_path / "prospects.csv"
    assert cli(db, "export", "--format", "csv", "-o", str(out)).exit_code == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # for spreadsheets
    rows = list(csv.DictReader(io.StringIO(out.read_text("utf-8-sig"))))
    assert [r["name"] for r in rows] == ["Acme Widgets", "Bright Smile Dental", "Zoë Ó'Brien"]
    # Letters after a "+": not only numbers, so guarded (and unguarded on the way back in).
    assert rows[0]["phones"] == "'+12125550101; 555-CALL"
    assert rows[0]["tags"] == "smb; event; warm"
    fresh = tmp_path / "fresh.db"
    result = cli(fresh, "import", str(out), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["preset"] == "callbook"
    with Store.open(fresh) as store:
        # The book's own export comes back as it was: a zone it lacked stays empty (the
        # queue derives one from the number, as it did in the book exported).
        assert [p.timezone for p in store.prospects()] == ["America/New_York", None, None]
    assert prospect_fields(fresh) == prospect_fields(db)


def prospect_fields(db: Path) -> list[list]:
    """What a prospects CSV carries of each prospect, for comparing books after a round trip."""
    fields = (
        "name", "company", "phones", "email", "website", "city", "region", "country",
        "status", "priority", "tags", "template", "next_call_at", "next_objective",
    )  # fmt: skip
    with Store.open(db) as store:
        return [[getattr(p, f) for f in fields] for p in store.prospects()]


@pytest.mark.parametrize(
    ("text", "formula"),
    [
        ('=HYPERLINK("http://x","y")', True),
        ("@SUM(1)", True),
        ("+SUM(A1)", True),
        ("-2+3", True),
        ("-2+3*cmd|' /C calc'!A0", True),
        ("\tx", True),
        ("\r=1", True),
        ("+", True),
        ("+1 212 555 0101", False),
        ("+12125550101", False),
        ("+12125550101; +35312345678", False),
        ("-3", False),
        ("-3.5", False),
        ("+44 (20) 7946 0000", False),
        ("+1-212-555-0101", False),
        ("+12125550101; 555-CALL", True),  # letters: no longer only numbers
        ("Acme = best", False),
        ("'Tis Ltd", False),
        ("'=x", True),  # an apostrophe before a formula is guarded too, to come back intact
        ("", False),
    ],
)
def test_formula_rule(text: str, formula: bool) -> None:
    assert is_formula(text) is formula
    assert guard(text) == ("'" + text if formula else text)


@given(st.text(st.sampled_from("'=@+-\t\r 1(.;a")) | st.text())
def test_unguard_undoes_guard(text: str) -> None:
    assert unguard(guard(text)) == text


FORMULAS = {
    "name": '=HYPERLINK("http://x","y")',
    "company": "-2+3*cmd|' /C calc'!A0",
    "city": "@SUM(1)",
    "region": "'=x",
    "tags": ["+SUM(A1)", "-2+3", "warm"],
    "next_objective": "-3",
}


def test_csv_export_guards_formulas_and_import_takes_the_guard_off(tmp_path: Path) -> None:
    db = tmp_path / "book.db"
    with Store.open(db, clock=fixed_clock(NOW)) as store:
        (risky,) = store.add_prospects([{**FORMULAS, "phones": ["+12125550101"]}])
        store.add_prospects([{"name": "'Tis Ltd", "phones": ["+35312345678", "+442079460000"]}])
        store.add_piece(risky.id, "notes", "=1+2")
    out = tmp_path / "prospects.csv"
    assert cli(db, "export", "--format", "csv", "-o", str(out)).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text("utf-8-sig"))))
    assert {k: rows[0][k] for k in FORMULAS} == {
        "name": '\'=HYPERLINK("http://x","y")',
        "company": "'-2+3*cmd|' /C calc'!A0",
        "city": "'@SUM(1)",
        "region": "''=x",
        "tags": "'+SUM(A1); -2+3; warm",
        "next_objective": "-3",
    }
    assert [(r["name"], r["phones"], r["priority"]) for r in rows] == [
        ('\'=HYPERLINK("http://x","y")', "+12125550101", "3"),
        ("'Tis Ltd", "+35312345678; +442079460000", "3"),
    ]
    pieces = cli(db, "export", "--format", "csv", "--what", "pieces").stdout
    assert [r["value"] for r in csv.DictReader(io.StringIO(pieces))] == ["'=1+2"]

    fresh = tmp_path / "fresh.db"
    result = cli(fresh, "import", str(out))
    assert result.exit_code == 0, result.output
    assert prospect_fields(fresh) == prospect_fields(db)
    with Store.open(fresh) as store:
        assert [p.name for p in store.prospects()] == ['=HYPERLINK("http://x","y")', "'Tis Ltd"]


def test_csv_tables_carry_names_and_history(tmp_path: Path) -> None:
    db = tmp_path / "book.db"
    build(db)
    result = cli(db, "export", "--format", "csv", "--what", "pieces")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["prospect_name"], r["slot"], r["value"], r["current"]) for r in rows] == [
        ("Acme Widgets", "gatekeeper", "Sarah Jenkins", "1"),
        ("Acme Widgets", "budget", "10k", "0"),
        ("Acme Widgets", "budget", "25k", "1"),
        ("Acme Widgets", "decision_maker", "Tom Li", "1"),
        ("Bright Smile Dental", "pain", "no-shows", "0"),
        ("Zoë Ó'Brien", "notes", "asked never to be called", "1"),
    ]


def test_csv_all_writes_a_folder(tmp_path: Path) -> None:
    db = tmp_path / "book.db"
    build(db)
    folder = tmp_path / "export"
    result = cli(db, "export", "--format", "csv", "--what", "all", "-o", str(folder))
    assert result.exit_code == 0
    assert sorted(p.name for p in folder.iterdir()) == [
        "calls.csv",
        "contacts.csv",
        "do_not_call_numbers.csv",
        "phones.csv",
        "pieces.csv",
        "prospects.csv",
        "sessions.csv",
        "skips.csv",
    ]
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in folder.iterdir())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "csv", "--what", "all"],
         "--format csv --what all writes one file per table: give a folder with -o"),
        (["--format", "xml"], "--format 'xml': one of json, jsonl, csv, ics, vcf"),
        (["--what", "deals"], "--what 'deals': one of prospects, contacts, pieces, calls, "
         "sessions, do_not_call_numbers, skips, phones, all"),
        (["--format", "ics", "--what", "calls"],
         "--what does not apply to --format ics (it exports scheduled callbacks)"),
    ],
)  # fmt: skip
def test_export_usage_errors(tmp_path: Path, args: list[str], message: str) -> None:
    db = tmp_path / "book.db"
    build(db)
    result = cli(db, "export", *args)
    assert result.exit_code == 1
    assert result.stderr == f"callbook: {message}\n"


def test_export_of_a_missing_book_creates_nothing(tmp_path: Path) -> None:
    db = tmp_path / "none.db"
    result = cli(db, "export")
    assert result.exit_code == 1
    assert result.stderr == f"callbook: {db}: no such callbook database\n"
    assert not db.exists()
