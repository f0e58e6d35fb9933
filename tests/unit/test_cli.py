"""The command line through click's runner, on a temporary book."""

from __future__ import annotations

import json
import sqlite3

import pytest
from click.testing import CliRunner

from callbook.cli import main

NOW = "2026-11-27T15:00:00+00:00"  # a Friday


@pytest.fixture
def db(tmp_path, monkeypatch):
    monkeypatch.setenv("CALLBOOK_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("CALLBOOK_NOW", NOW)
    monkeypatch.setenv("TZ", "Europe/London")
    monkeypatch.delenv("CALLBOOK_DB", raising=False)
    return tmp_path / "book.db"


def run(db, *args):
    return CliRunner().invoke(main, ["--db", str(db), *args], catch_exceptions=False)


def rows(db, sql):
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def counts(db):
    return {t: rows(db, f"select count(*) from {t}")[0][0] for t in ("calls", "pieces", "contacts")}


def test_add_log_show(db):
    assert run(db, "add", "Acme Ltd", "--phone", "+44 20 7946 0000").output == "added #1 Acme Ltd\n"
    line = (
        "gk: Sarah Jenkins; dm: Tom Li, Ops Director; dm avail: not Tuesdays; !gk; @thu 9:30; "
        "> ask Sarah for Tom's direct line"
    )
    result = run(db, "log", "acme", line)
    assert result.exit_code == 0
    assert result.output == (
        "logged call #1 to Acme Ltd: blocked at gatekeeper · 4 small wins · "
        "next call Thu 3 Dec 09:30 their time and yours\n"
    )
    assert rows(db, "select phones from prospects") == [('["+442079460000"]',)]
    assert rows(db, "select slot, value, call_id from pieces order by id") == [
        ("gatekeeper", "Sarah Jenkins", 1),
        ("decision_maker", "Tom Li, Ops Director", 1),
        ("dm_role", "Ops Director", 1),
        ("dm_availability", "not Tuesdays", 1),
    ]
    assert rows(db, "select name, role, title from contacts order by id") == [
        ("Sarah Jenkins", "gatekeeper", None),
        ("Tom Li", "decision_maker", "Ops Director"),
    ]
    assert rows(db, "select next_call_at, next_objective from prospects") == [
        ("2026-12-03T09:30:00Z", "ask Sarah for Tom's direct line")
    ]
    assert rows(db, "select dialled, answered_by, contact_id from calls") == [
        ("+442079460000", "gatekeeper", 1)
    ]
    shown = run(db, "show", "#1").output
    assert "  ☎ +44 20 7946 0000\n" in shown  # formatted: no country, so international
    assert "  just now: blocked at gatekeeper (Sarah Jenkins) on +44 20 7946 0000, 4 small" in shown
    assert "✔ Gatekeeper: Sarah Jenkins  (just now, call #1)" in shown
    assert "? Direct line — " in shown
    assert "objective: ask Sarah for Tom's direct line" in shown
    data = json.loads(run(db, "show", "acme", "--json").output)
    assert [k["slot"] for k in data["known"]] == [
        "gatekeeper",
        "decision_maker",
        "dm_role",
        "dm_availability",
    ]
    assert data["completion"] == round(14 / 31, 3)


def test_log_without_an_objective_suggests_one(db):
    run(db, "add", "Acme Ltd")
    result = run(db, "log", "acme", "gk: Sarah Jenkins; !gk")
    assert result.exit_code == 0
    assert result.output.splitlines()[1] == (
        "suggested next objective: Who looks after this there? Who would make the call on "
        "something like it? (Decision maker is the most important piece still missing; `> …` "
        "in the line sets your own)"
    )
    # A line that plans the next call, or a prospect out of the queue, gets no suggestion.
    assert len(run(db, "log", "acme", "!na; > ask for Tom").output.splitlines()) == 1
    assert len(run(db, "log", "acme", "!ni").output.splitlines()) == 1


@pytest.mark.parametrize(
    "prospect, line, message",
    [
        ("nobody here", "!na", "callbook: no prospect matches 'nobody here'"),
        ("acme", "!na", "callbook: 'acme' is ambiguous: #1 Acme Ltd; #2 Acme Holdings"),
        (
            "acme ltd",
            "gatkeeper: Sarah; !gk",
            "callbook: clause 1 (column 1) 'gatkeeper: Sarah': unknown slot 'gatkeeper'; "
            "did you mean 'gatekeeper'?",
        ),
        (
            "acme ltd",
            "gk: Sarah; !gk; @2026-02-30",
            "callbook: clause 3 (column 17) '@2026-02-30': no such date: 2026-02-30",
        ),
        ("acme ltd", "gk: Sarah", "callbook: no outcome: say how the call ended with !na !vm"),
        ("#9", "!na", "callbook: no prospect matches '#9'"),
    ],
)
def test_bad_log_input_says_why_and_writes_nothing(db, prospect, line, message):
    run(db, "add", "Acme Ltd")
    run(db, "add", "Acme Holdings")
    before = counts(db)
    result = CliRunner().invoke(main, ["--db", str(db), "log", prospect, line])
    assert result.exit_code == 1
    assert result.output.startswith(message)
    assert result.output.count("\n") == 1
    assert counts(db) == before


def test_do_not_call_is_refused_without_force(db):
    run(db, "add", "Acme Ltd")
    assert run(db, "log", "acme", "!dnc").exit_code == 0
    result = CliRunner().invoke(main, ["--db", str(db), "log", "acme", "!na"])
    assert result.exit_code == 1
    assert "marked do-not-call; nothing recorded" in result.output
    assert counts(db)["calls"] == 1
    assert run(db, "log", "acme", "!na", "--force").exit_code == 0
    assert counts(db)["calls"] == 2


def test_do_not_call_ends_only_by_a_recorded_lift(db):
    run(db, "add", "Acme Ltd")
    run(db, "log", "acme", "!dnc")
    run(db, "log", "acme", "!mtg; @2026-12-10 10:00", "--force")  # no outcome lifts it
    assert rows(db, "select status from prospects") == [("do_not_call",)]
    result = CliRunner().invoke(main, ["--db", str(db), "lift-dnc", "acme", "--reason", " "])
    assert (result.exit_code, result.output) == (
        1,
        "callbook: lifting do-not-call needs a reason\n",
    )
    assert run(db, "lift-dnc", "acme", "--reason", "asked us to call").output == (
        "#1 Acme Ltd may be called again (active)\n"
    )
    assert rows(db, "select old_status, new_status, reason from status_changes") == [
        ("do_not_call", "active", "asked us to call")
    ]
    assert run(db, "log", "acme", "!na").exit_code == 0


def test_a_do_not_call_number_is_refused_without_force(db):
    run(db, "add", "Acme Ltd", "--phone", "+44 20 7946 0000")
    assert run(db, "dnc", "+44 20 7946 0000").exit_code == 0
    result = CliRunner().invoke(main, ["--db", str(db), "log", "acme", "!na"])
    assert result.exit_code == 1
    assert result.output == (
        "callbook: #1 Acme Ltd: +442079460000 on the do-not-call list; nothing recorded (--force)\n"
    )
    assert counts(db)["calls"] == 0


def test_demo_builds_a_book_once(db):
    result = run(db, "demo")
    assert result.output == f"demo book ready: 243 prospects in {db}\n"
    assert rows(db, "select count(distinct country) from prospects")[0][0] >= 5
    assert rows(db, "select count(*) from calls")[0][0] > 300
    again = CliRunner().invoke(main, ["--db", str(db), "demo"])
    assert again.exit_code == 1 and "already holds 243 prospects" in again.output


def test_demo_is_the_same_every_time(tmp_path, db):
    run(db, "demo")
    other = tmp_path / "other.db"
    run(other, "demo")
    sql = "select name, phones, next_call_at from prospects order by id"
    assert rows(db, sql) == rows(other, sql)
    sql = "select prospect_id, slot, value, learned_at from pieces order by id"
    assert rows(db, sql) == rows(other, sql)


def test_queue_json_and_text(db):
    run(db, "add", "Low", "--priority", "5")
    run(db, "add", "High", "--priority", "1")
    data = json.loads(run(db, "queue", "--json").output)
    assert data["version"] == 1
    assert [(e["prospect"]["name"], e["reason"]) for e in data["queue"]] == [
        ("High", "never called"),
        ("Low", "never called"),
    ]
    assert run(db, "queue").output.splitlines()[0].split()[:3] == ["#2", "High", "never"]


def test_templates_lists_builtins(db):
    out = run(db, "templates").output
    for key in ("cold_call", "bant", "meddpicc", "champ", "gpctba"):
        assert f"{key}: " in out
    data = json.loads(run(db, "templates", "--json").output)
    assert data["templates"][0]["key"] == "cold_call"


def test_add_rejects_bad_input(db):
    for args, message in [
        (["add", "X", "--template", "nope"], "unknown template 'nope'"),
        (["add", "X", "--timezone", "Mars/Base"], "unknown time zone 'Mars/Base'"),
        (["add", "  "], "a prospect needs a name"),
    ]:
        result = CliRunner().invoke(main, ["--db", str(db), *args])
        assert result.exit_code == 1 and message in result.output, args
    assert rows(db, "select count(*) from prospects") == [(0,)]


def test_a_foreign_file_is_refused_in_one_line(db):
    db.write_text("name,phone\nAcme,123\n")
    result = CliRunner().invoke(main, ["--db", str(db), "queue"])
    assert result.exit_code == 1
    assert result.output == (
        f"callbook: {db} is not a callbook database (not an SQLite file); left untouched\n"
    )
    assert db.read_text() == "name,phone\nAcme,123\n"


def test_every_command_has_help(db):
    for name in main.commands:
        result = CliRunner().invoke(main, [name, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output, name
