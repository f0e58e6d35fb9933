"""`callbook search` through click's runner, on a temporary book."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner

from callbook.cli import main
from callbook.clock import fixed_clock
from callbook.model import NewCall, NewContact, Outcome, Role
from callbook.store import Store

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)


@pytest.fixture
def db(tmp_path, monkeypatch):
    monkeypatch.setenv("CALLBOOK_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("CALLBOOK_NOW", NOW.isoformat())
    monkeypatch.delenv("CALLBOOK_DB", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    path = tmp_path / "book.db"
    with Store.open(path, clock=fixed_clock(NOW)) as store:
        acme = store.add_prospect("Acme Ltd", phones=["+14155550123"]).id
        globex = store.add_prospect("Globex GmbH").id
        for prospect, days, pieces, contacts in (
            (acme, 3, [("dm_availability", "not Tuesdays")], [("Sarah Jenkins", Role.GATEKEEPER)]),
            (globex, 10, [("gatekeeper", "Zoë Ó'Brien")], []),
        ):
            ended = NOW - timedelta(days=days)
            store.record_call(
                NewCall(
                    prospect,
                    ended - timedelta(minutes=2),
                    ended,
                    Outcome.GATEKEEPER,
                    pieces=tuple(pieces),
                    contacts=tuple(NewContact(n, r) for n, r in contacts),
                )
            )
    return path


def run(db, *args):
    return CliRunner().invoke(main, ["--db", str(db), "search", *args], catch_exceptions=False)


def test_one_line_per_hit_with_the_match_marked(db):
    result = run(db, "tuesdy")
    assert result.exit_code == 0
    assert result.stdout == "Acme Ltd · DM availability · not [Tuesdays] · 3d ago\n"
    result = run(db, "zoe obri")
    assert result.stdout == "Globex GmbH · Gatekeeper · [Zoë] [Ó'Brien] · 10d ago\n"


def test_phone_numbers_in_any_format(db):
    for query in ("(415) 555-0123", "415.555.0123", "+1 415 555 0123", "5550123"):
        result = run(db, query)
        assert result.stdout.startswith("Acme Ltd · prospect · Acme Ltd · +"), query
        assert result.stdout.endswith("0123] · just now\n"), query


def test_limit(db):
    assert len(run(db, "a").stdout.splitlines()) > 1
    assert len(run(db, "a", "--limit", "1").stdout.splitlines()) == 1
    assert run(db, "a", "--limit", "0").exit_code == 2


def test_json(db):
    result = run(db, "jenkns", "--json")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert (document["version"], document["query"]) == (1, "jenkns")
    hits = document["hits"]
    assert [(h["kind"], h["label"], h["text"], h["prospect_name"]) for h in hits] == [
        ("contact", "gatekeeper", "Sarah Jenkins", "Acme Ltd")
    ]
    assert hits[0]["spans"] == [[6, 13]]
    assert datetime.fromisoformat(hits[0]["learned_at"]) == NOW
    assert json.loads(run(db, "nothing-like-this", "--json").stdout) == {
        "version": 1,
        "query": "nothing-like-this",
        "hits": [],
    }


def test_no_matches_says_so_and_succeeds(db):
    result = run(db, "xyzzy")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == "no matches for 'xyzzy'\n"


@pytest.mark.parametrize("query", ['"', "*", "AND", "NEAR(", "-", "a\x00b", "x" * 10_000])
def test_hostile_queries_are_not_errors(db, query):
    result = run(db, query)
    assert result.exit_code == 0
    assert "Error" not in result.output and "Traceback" not in result.output


def test_blank_query_is_bad_input(db):
    result = run(db, "  ")
    assert result.exit_code == 1
    assert result.stderr == "callbook: nothing to search for: give a word, a name or a number\n"


def test_missing_book_is_not_created(tmp_path, monkeypatch):
    monkeypatch.setenv("CALLBOOK_HOME", str(tmp_path / "home"))
    missing = tmp_path / "missing.db"
    result = run(missing, "acme")
    assert result.exit_code == 1
    assert "no such callbook database" in result.stderr
    assert not missing.exists()
