"""Migrations: from an empty file and from every earlier version with data in it."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callbook.model import NewCall, Outcome
from callbook.store import Store
from callbook.store import schema as schema_module
from callbook.store.db import connect
from callbook.store.schema import LATEST, MIGRATIONS, migrate

# Rows written by each schema version, as that version's own SQL. A new migration must add
# the data of the version it upgrades from, so that every path is tested with data in it.
DATA_AT_VERSION = {
    1: [
        "insert into prospects (id, name, phones, tags, created_at, updated_at, next_call_at) "
        "values (1, 'Acme Ltd', '[\"+442079460000\"]', '[\"uk\"]', '2026-01-01T09:00:00Z', "
        "'2026-01-01T09:00:00Z', '2026-01-02T09:00:00Z')",
        "insert into sessions (id, started_at) values (1, '2026-01-01T09:00:00Z')",
        "insert into calls (id, prospect_id, session_id, started_at, ended_at, outcome, notes, "
        "small_wins) values (1, 1, 1, '2026-01-01T09:00:00Z', '2026-01-01T09:02:00Z', "
        "'gatekeeper', 'spoke to someone in March about the renewal', 1)",
        "insert into pieces (id, prospect_id, slot, value, learned_at, call_id) values "
        "(1, 1, 'gatekeeper', 'Sarah Jenkins', '2026-01-01T09:02:00Z', 1)",
        "insert into contacts (id, prospect_id, name, role, call_id, created_at) values "
        "(1, 1, 'Sarah Jenkins', 'gatekeeper', 1, '2026-01-01T09:02:00Z')",
        "insert into drafts (key, text, saved_at) values ('capture', 'gk: Sa', "
        "'2026-01-01T09:03:00Z')",
    ],
}
# Version 2 (recall) writes the same tables, its triggers indexing them; one more prospect with
# a zone of its own for the queue's lanes (version 3) to be built over.
DATA_AT_VERSION[2] = [
    *DATA_AT_VERSION[1],
    "insert into prospects (id, name, timezone, status, priority, created_at, updated_at) "
    "values (2, 'Berlin GmbH', 'Europe/Berlin', 'active', 1, '2026-01-01T09:00:00Z', "
    "'2026-01-01T09:00:00Z')",
]
# Version 3 (the queue): a skip, a do-not-call number, a zone read from a number.
DATA_AT_VERSION[3] = [
    *DATA_AT_VERSION[2],
    "insert into skips (prospect_id, skipped_at) values (2, '2026-01-01T09:05:00Z')",
    "insert into do_not_call_numbers (number, added_at) values ('+442079460001', "
    "'2026-01-01T09:05:00Z')",
    "update prospects set zone = 'Europe/London', zone_source = 'phone' where id = 1",
]

# Version 4 (zone sets): the same rows; a zone may now be a set of names.
DATA_AT_VERSION[4] = [*DATA_AT_VERSION[3]]
# The recall index made scannable: the same rows, indexed again.
SCANNABLE = MIGRATIONS.index(schema_module._v5_open_book) + 1
DATA_AT_VERSION[SCANNABLE] = [*DATA_AT_VERSION[SCANNABLE - 1]]
# The flat-reads step: its derived keys (what the Store writes with each prospect).
_FLAT_READS = MIGRATIONS.index(schema_module._v6_flat_reads) + 1
DATA_AT_VERSION[_FLAT_READS] = [
    *DATA_AT_VERSION[_FLAT_READS - 1],
    "update prospects set name_key = lower(name), company_key = lower(company)",
]
# The book's identity adds no rows of the caller's: the same data as the version before it.
_IDENTITY = MIGRATIONS.index(schema_module._v7_book_identity) + 1
DATA_AT_VERSION[_IDENTITY] = DATA_AT_VERSION[_IDENTITY - 1]
# The call flow: a recorded lift of do-not-call, a draft owned by an app (host, pid, prospect).
CALL_FLOW = MIGRATIONS.index(schema_module._v8_call_flow) + 1
DATA_AT_VERSION[CALL_FLOW] = [
    *DATA_AT_VERSION[CALL_FLOW - 1],
    "insert into status_changes (prospect_id, old_status, new_status, reason, changed_at) "
    "values (2, 'do_not_call', 'active', 'asked to be called', '2026-01-01T09:06:00Z')",
    "insert into drafts (key, text, saved_at, host, pid, prospect_id) values ('capture:ab', "
    "'{\"line\": \"!vm\"}', '2026-01-01T09:07:00Z', 'desk', 4242, 1)",
]

# Attempt plans and freshness: a confirmed piece and a prospect's own plan.
_PLANS = MIGRATIONS.index(schema_module._v9_plans) + 1
DATA_AT_VERSION[_PLANS] = [
    *DATA_AT_VERSION[_PLANS - 1],
    "update pieces set confirmed_at = '2026-01-05T09:00:00Z' where id = 1",
    "update prospects set attempt_plan = '{\"max\": 3, \"then\": \"end\"}' where id = 2",
]
# The phones migration: numbers as rows, the number each call dialled.
PHONES_VERSION = MIGRATIONS.index(schema_module._v10_phones) + 1
DATA_AT_VERSION[PHONES_VERSION] = [
    *DATA_AT_VERSION[PHONES_VERSION - 1],
    "insert into phones (id, prospect_id, number, e164, typed, position, created_at) values "
    "(1, 1, '+442079460000', '+442079460000', '020 7946 0000', 0, '2026-01-01T09:00:00Z')",
    "update calls set phone_id = 1, dialled = '+442079460000', answered_by = 'gatekeeper'",
]


def book_at_version(path, version: int) -> None:
    conn = connect(path, create=True)
    migrate(conn, path, upto=version)
    for sql in DATA_AT_VERSION.get(version, []):
        conn.execute(sql)
    conn.commit()
    conn.close()


def test_every_version_has_sample_data():
    assert all(v in DATA_AT_VERSION for v in range(1, LATEST))


@pytest.mark.parametrize("start", range(0, LATEST + 1))
def test_upgrade_from_each_version_keeps_data(tmp_path, start):
    path = tmp_path / "book.db"
    book_at_version(path, start)
    with Store.open(path) as store:
        assert store.schema_version == LATEST
        assert store.integrity_check() == []
        if start >= 1:
            prospect = store.get_prospect(1)
            assert (prospect.name, prospect.phones, prospect.tags) == (
                "Acme Ltd",
                ("+442079460000",),
                ("uk",),
            )
            assert store.current_pieces(1)["gatekeeper"].value == "Sarah Jenkins"
            assert [c.name for c in store.contacts(1)] == ["Sarah Jenkins"]
            assert store.calls(1)[0].notes == "spoke to someone in March about the renewal"
            assert store.load_draft("capture") == "gk: Sa"
        # The upgraded book still records calls.
        p = store.add_prospect("After upgrade")
        at = datetime(2026, 2, 1, 9, tzinfo=UTC)
        store.record_call(
            NewCall(
                p.id,
                at,
                at + timedelta(minutes=1),
                Outcome.GATEKEEPER,
                pieces=(("gatekeeper", "Bob"),),
            )  # fmt: skip
        )
        assert store.current_pieces(p.id)["gatekeeper"].value == "Bob"


def test_a_failing_migration_leaves_the_old_version(tmp_path, monkeypatch):
    path = tmp_path / "book.db"
    book_at_version(path, LATEST)

    def broken(conn):
        conn.execute("create table half_done (id integer)")
        raise RuntimeError("interrupted")

    monkeypatch.setattr(schema_module, "MIGRATIONS", [*MIGRATIONS, broken])
    conn = connect(path, create=False)
    with pytest.raises(RuntimeError, match="interrupted"):
        migrate(conn, path, upto=LATEST + 1)
    conn.close()
    check = sqlite3.connect(path)
    assert check.execute("pragma user_version").fetchone()[0] == LATEST
    names = [r[0] for r in check.execute("select name from sqlite_master")]
    assert "half_done" not in names
    check.close()


def test_an_upgrade_is_announced_before_it_runs(tmp_path):
    path = tmp_path / "book.db"
    book_at_version(path, 1)
    said: list[tuple[str, int]] = []

    def announce(line: str) -> None:
        said.append((line, version_on_disk(path)))

    with Store.open(path, announce=announce) as store:
        assert store.schema_version == LATEST
    assert said == [
        (
            f"callbook: upgrading {path} (schema 1 → {LATEST}); on a large book this takes "
            "a minute or two. Stopping is safe: the upgrade carries on next time.",
            1,  # said before the work, not after it
        )
    ]
    # Nothing to say for a book that is up to date, or for a new one.
    with Store.open(path, announce=announce):
        pass
    with Store.open(tmp_path / "new.db", announce=announce):
        pass
    assert len(said) == 1


def test_the_cli_says_it_is_upgrading_on_stderr(tmp_path):
    from click.testing import CliRunner

    from callbook.cli import main

    path = tmp_path / "book.db"
    book_at_version(path, 2)
    result = CliRunner().invoke(main, ["--db", str(path), "queue", "--json"])
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith(f"callbook: upgrading {path} (schema 2 → {LATEST})")
    assert "upgrading" not in result.stdout


def version_on_disk(path) -> int:
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        return conn.execute("pragma user_version").fetchone()[0]
    finally:
        conn.close()


def test_the_phones_migration_moves_every_number_of_every_list(tmp_path):
    """Lists with extensions, numbers kept as typed, repeats and a do-not-call number become
    rows in the same order; the list stays, dialable numbers first; a prospect whose every
    number is on the do-not-call list leaves the queue with the reason."""
    path = tmp_path / "book.db"
    book_at_version(path, PHONES_VERSION - 1)
    conn = connect(path, create=False)
    lists = {
        10: '["+442079460010", "+442079460011;ext=23", "call reception", "+442079460010"]',
        11: '["+442079460001", "+14155550101"]',  # +442079460001 is on the do-not-call list
        12: '["+442079460001"]',
        13: "[]",
    }
    for pid, listed in lists.items():
        conn.execute(
            "insert into prospects (id, name, phones, created_at, updated_at) values "
            "(?, ?, ?, '2026-01-01T09:00:00Z', '2026-01-01T09:00:00Z')",
            (pid, f"P{pid}", listed),
        )
    conn.commit()
    conn.close()
    with Store.open(path) as store:
        table = store.conn.execute(
            "select prospect_id, number, e164, typed, extension, status, position from phones "
            "where prospect_id >= 10 order by prospect_id, position"
        ).fetchall()
        assert table == [
            (10, "+442079460010", "+442079460010", "+442079460010", None, "ok", 0),
            (10, "+442079460011", "+442079460011", "+442079460011;ext=23", "23", "ok", 1),
            (10, "call reception", None, "call reception", None, "ok", 2),
            (11, "+442079460001", "+442079460001", "+442079460001", None, "do-not-call", 0),
            (11, "+14155550101", "+14155550101", "+14155550101", None, "ok", 1),
            (12, "+442079460001", "+442079460001", "+442079460001", None, "do-not-call", 0),
        ]
        # Every number of every list is a row (the repeat once).
        for pid, listed in lists.items():
            assert {p.stored for p in store.phones(pid)} == set(json.loads(listed))
        # The list is kept, the dialable numbers first.
        assert store.get_prospect(10).phones == (
            "+442079460010", "+442079460011;ext=23", "call reception",
        )  # fmt: skip
        assert store.get_prospect(11).phones == ("+14155550101", "+442079460001")
        assert store.number_to_dial(11).number == "+14155550101"
        assert store.unreachable(11) is None
        assert store.unreachable(12) == "every number is on the do-not-call list"
        assert store.unreachable(13) is None and store.phones(13) == []
        assert 12 not in {e.prospect.id for e in store.queue(limit=100)}
        assert store.integrity_check() == []


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.lists(
            st.one_of(
                st.sampled_from(["+442079460000", "+442079460001;ext=7", "n/a", " ", ""]),
                st.text(alphabet=st.sampled_from("+0123456789 ;ext=abc\t"), max_size=16),
            ),
            max_size=5,
        ),
        min_size=1,
        max_size=6,
    )
)
def test_the_phones_migration_keeps_every_number_of_any_list(tmp_path_factory, lists):
    path = tmp_path_factory.mktemp("lists") / "book.db"
    book_at_version(path, PHONES_VERSION - 1)
    conn = connect(path, create=False)
    conn.execute("delete from prospects")
    for pid, listed in enumerate(lists, 100):
        conn.execute(
            "insert into prospects (id, name, phones, created_at, updated_at) values "
            "(?, 'P', ?, '2026-01-01T09:00:00Z', '2026-01-01T09:00:00Z')",
            (pid, json.dumps(listed)),
        )
    conn.commit()
    conn.close()
    with Store.open(path) as store:
        for pid, listed in enumerate(lists, 100):
            kept = [n.strip() for n in listed if n.strip()]
            rows = store.phones(pid)
            assert sorted(p.stored for p in rows) == sorted(set(kept))
            assert list(store.get_prospect(pid).phones) == [p.stored for p in rows]
            assert [p.stored for p in rows if p.dialable] == list(dict.fromkeys(
                n for n in kept if n.split(";ext=")[0] != "+442079460001"
            ))  # fmt: skip


def test_zone_sets_migration_reads_unknown_zones_again(tmp_path):
    path = tmp_path / "book.db"
    index = MIGRATIONS.index(schema_module._v4_calling_hours)
    book_at_version(path, index)  # the version before it
    conn = sqlite3.connect(path)
    conn.execute(
        "insert into prospects (id, name, country, created_at, updated_at, zone, zone_source) "
        "values (9, 'Somewhere in the US', 'US', '2026-01-01T09:00:00Z', "
        "'2026-01-01T09:00:00Z', '', NULL)"
    )
    conn.commit()
    conn.close()
    with Store.open(path) as store:
        store.queue(datetime(2026, 1, 5, 15, tzinfo=UTC))  # reads the zones it needs
        zone, source = store.conn.execute(
            "select zone, zone_source from prospects where id = 9"
        ).fetchone()
        london = store.conn.execute("select zone from prospects where id = 1").fetchone()[0]
    # One zone per distinct local clock: Detroit keeps New York time, Chicago its own.
    assert source == "country" and {"America/Detroit", "America/Chicago"} <= set(zone.split())
    assert "Pacific/Honolulu" in zone.split() and london == "Europe/London"
def test_the_recall_index_made_scannable_keeps_finding_and_counts(tmp_path):
    from callbook.jigsaw import TemplateSet, builtin_templates
    from callbook.search import index_in_step, search

    path = tmp_path / "book.db"
    book_at_version(path, SCANNABLE - 1)
    with Store.open(path) as store:
        assert index_in_step(store)
        hits = search(store, "jenkins", templates=TemplateSet(builtin_templates()))
        assert sorted(h.kind for h in hits) == ["contact", "piece"]
    conn = sqlite3.connect(path)
    try:  # documents: 2 prospects, the note, the piece, the contact
        assert conn.execute("select count(*) from recall").fetchone()[0] == 5
        assert conn.execute("select count(*) from recall_docsize").fetchone()[0] == 5
    finally:
        conn.close()


def test_the_flat_reads_step_fills_name_keys_and_stats_tallies(tmp_path, monkeypatch):
    monkeypatch.setenv("TZ", "Europe/Berlin")
    path = tmp_path / "book.db"
    book_at_version(path, _FLAT_READS - 1)
    conn = sqlite3.connect(path)
    conn.execute(
        "insert into prospects (id, name, company, created_at, updated_at) values "
        "(3, '  Müller   Bäckerei ', 'ACME  GmbH', '2026-01-01T09:00:00Z', '2026-01-01T09:00:00Z')"
    )
    # 23:30 UTC is the next day in Berlin: the tally falls on Berlin's day.
    conn.execute(
        "insert into calls (id, prospect_id, started_at, ended_at, outcome, small_wins, "
        "big_wins) values (2, 3, '2026-01-05T23:30:00Z', '2026-01-05T23:32:00Z', 'meeting', 1, 1)"
    )
    conn.execute(
        "insert into pieces (prospect_id, slot, value, learned_at, call_id) values "
        "(3, 'pain', 'slow', '2026-01-05T23:32:00Z', 2)"
    )
    conn.commit()
    conn.close()
    with Store.open(path) as store:
        assert store.schema_version == LATEST
    check = sqlite3.connect(path)
    assert check.execute("select name_key, company_key from prospects where id = 3").fetchone() == (
        "muller backerei",
        "acme gmbh",
    )
    assert check.execute("select zone from stats_zones").fetchall() == [("Europe/Berlin",)]
    assert check.execute(
        "select day, outcome, calls, small_wins, big_wins from stats_days order by day"
    ).fetchall() == [
        ("2026-01-01", "gatekeeper", 1, 1, 0),
        ("2026-01-06", "meeting", 1, 1, 1),
    ]
    learned = "select day, slot, pieces from stats_day_pieces order by day"
    assert check.execute(learned).fetchall() == [
        ("2026-01-01", "gatekeeper", 1),
        ("2026-01-06", "pain", 1),
    ]
    indexes = {r[0] for r in check.execute("select name from sqlite_master where type = 'index'")}
    assert {"pieces_superseded_by", "contacts_call", "prospects_name_key"} <= indexes
    check.close()
