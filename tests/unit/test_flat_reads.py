"""Reads on a caller's path that stay flat at any size: folded name keys for lookups, bounded
candidates for a misspelt name, per-day stats tallies kept in step by every write, indexes for
undo, and long reads that never wait for the Store's lock."""

from __future__ import annotations

import dataclasses
import threading
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from callbook import stats
from callbook.clock import fixed_clock
from callbook.lookup import match_prospect
from callbook.model import NewCall, NewContact, Outcome
from callbook.queue import QueueSettings
from callbook.store import Store, bulk, tallies
from callbook.store.names import NEAR_PREFIX, name_key, near_prefixes

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "book.db", clock=fixed_clock(NOW)) as s:
        yield s


def test_name_keys_fold_case_accents_and_spacing():
    assert name_key("  Müller   Bäckerei ") == "muller backerei"
    assert name_key("   ") is None
    assert name_key(None) is None


def test_every_write_path_keeps_the_name_keys(store):
    added = store.add_prospect("Müller Bäckerei", company="ACME GmbH")
    store.update_prospect(added.id, name="Zoë Café")
    with bulk.writing(store) as conn:
        ids, errors = bulk.add_many(
            store, conn, [bulk.NewProspect({"name": f"Firma {i}"}) for i in range(1500)],
            bulk.now_text(store),
        )  # fmt: skip
        one = bulk.insert_prospect(store, conn, {"name": "Ørsted  A/S"}, bulk.now_text(store))
    assert errors == [] and len(ids) == 1500
    keys = dict(
        (pid, (name, company))
        for pid, name, company in store.conn.execute(
            "select id, name_key, company_key from prospects"
        )
    )
    assert keys[added.id] == ("zoe cafe", "acme gmbh")
    assert keys[ids[0]] == ("firma 0", None)
    assert keys[ids[-1]] == ("firma 1499", None)
    assert keys[one] == ("ørsted a/s", None)


def test_an_exact_lookup_is_an_index_seek_and_ignores_case_and_accents(store):
    mueller = store.add_prospect("Müller Bäckerei")
    acme = store.add_prospect("Acme", company="Acme Dental Ltd")
    assert match_prospect(store, "muller  BACKEREI").prospect.id == mueller.id
    assert match_prospect(store, "acme dental ltd").prospect.id == acme.id
    plan = " ".join(
        r[3]
        for r in store.conn.execute(
            "explain query plan select id from prospects where name_key = ?1 or "
            "company_key = ?1 or name_key is null",
            ("x",),
        )
    )
    assert "SCAN" not in plan and "prospects_name_key" in plan


def test_rows_another_program_wrote_without_keys_are_still_found(store):
    store.conn.execute(
        "insert into prospects (name, company, created_at, updated_at) values "
        "('Beacon Print', 'Beacon Group', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')"
    )
    store.conn.commit()
    found = match_prospect(store, "BEACON GROUP")
    assert found.prospect is not None and found.prospect.name == "Beacon Print"


def test_the_filter_haystack_comes_folded_from_the_keys(store):
    a = store.add_prospect("Müller  Bäckerei", company="Müller Bäckerei")
    b = store.add_prospect("Acme", company="ACME Dental")
    assert store.prospect_name_keys() == [(a.id, "muller backerei"), (b.id, "acme acme dental")]


def test_near_prefixes_cover_one_typo_in_the_first_letters():
    key = "acme dental"
    head = key[: NEAR_PREFIX + 1]
    typed = set()
    for i in range(NEAR_PREFIX):
        typed.add(key[:i] + key[i + 1 :])  # a letter left out
        typed.add(key[:i] + "x" + key[i + 1 :])  # a letter mistyped
        typed.add(key[:i] + "q" + key[i:])  # a letter added
        typed.add(key[:i] + key[i + 1] + key[i] + key[i + 2 :])  # two swapped
    for text in typed:
        assert key[:NEAR_PREFIX] in near_prefixes(text), (text, head)


def test_a_misspelt_name_is_found_from_its_near_candidates(store):
    for i in range(50):
        store.add_prospect(f"Filler Company {i}")
    dental = store.add_prospect("Acme Dental")
    store.add_prospect("Beacon Print")
    for typed in ("Acme Dentl", "Xcme Dental", "cAme Dental", "Acm Dental"):
        found = match_prospect(store, typed)
        assert found.prospect is not None and found.prospect.id == dental.id, typed
    near = store.prospects_near("Acme Dentl", 10)
    assert [pid for pid, _, _ in near] == [dental.id]
    assert store.prospects_near("Filler Compny", 10) is None  # more than the limit: compare all


def test_a_misspelt_name_that_starts_otherwise_is_found_by_comparing_all(store):
    dental = store.add_prospect("Acme Dental")
    found = match_prospect(store, "Dental Acme")
    assert found.prospect is not None and found.prospect.id == dental.id


# --- stats tallies ---------------------------------------------------------------------------


def _record(store, pid, start, outcome, pieces=()):
    return store.record_call(
        NewCall(pid, start, start + timedelta(minutes=2), outcome, pieces=pieces)
    )


def _tallied(store, tz):
    key = tallies.zone_key(tz)
    days = store.conn.execute(
        "select day, outcome, calls, small_wins, big_wins from stats_days where zone = ? "
        "and calls != 0 order by day, outcome",
        (key,),
    ).fetchall()
    pieces = store.conn.execute(
        "select day, slot, pieces from stats_day_pieces where zone = ? and pieces != 0 "
        "order by day, slot",
        (key,),
    ).fetchall()
    return days, pieces


def _counted(store, tz):
    days, pieces = tallies.counted(store.conn, tz)
    return (
        sorted((d, o, *t) for (d, o), t in days.items()),
        sorted((d, s, n) for (d, s), n in pieces.items()),
    )


def test_calls_and_undo_keep_the_tallies_in_step_with_the_calls(store):
    with store._write() as conn:
        tallies.rebuild(conn, BERLIN, store._now())
    a = store.add_prospect("Acme")
    b = store.add_prospect("Beacon")
    late = datetime(2026, 11, 26, 23, 30, tzinfo=UTC)  # the 27th in Berlin
    first = _record(store, a.id, late, Outcome.GATEKEEPER, (("gatekeeper", "Sarah"),))
    _record(store, a.id, late + timedelta(hours=1), Outcome.MEETING,
            (("gatekeeper", "Sarah"), ("pain", "slow")))  # fmt: skip
    undone = _record(store, b.id, late, Outcome.DECISION_MAKER, (("pain", "cost"),))
    store.undo_call(undone.id)
    store.undo_call(first.id)
    days, pieces = _tallied(store, BERLIN)
    assert (days, pieces) == _counted(store, BERLIN)
    assert days == [("2026-11-27", "meeting", 1, 1, 1)]
    assert pieces == [("2026-11-27", "pain", 1)]
    # The zone the migration tracked (the machine's) is kept in step too.
    for key in tallies.tracked(store.conn):
        tz = tallies.zone_of(key)
        assert _tallied(store, tz) == _counted(store, tz)


def test_stats_from_tallies_equal_stats_counted_from_the_calls(store):
    a = store.add_prospect("Acme")
    for day in range(1, 20):
        start = datetime(2026, 11, day, 22, 50, tzinfo=UTC)
        call = _record(store, a.id, start, Outcome.GATEKEEPER if day % 3 else Outcome.MEETING,
                       (("pain", f"pain {day}"),))  # fmt: skip
        if day % 5 == 0:
            store.undo_call(call.id)
    counted = stats.summary(store, 30, NOW, BERLIN)  # Berlin not tracked: from the calls
    store.queue_settings = dataclasses.replace(QueueSettings(), caller_tz=BERLIN)
    tracked = stats.summary(store, 30, NOW, BERLIN)  # the caller's zone: tracked on first use
    assert tallies.zone_key(BERLIN) in tallies.tracked(store.conn)
    assert tracked == counted
    assert tracked.days[-1].day == date(2026, 11, 27)
    assert sum(d.dials for d in tracked.days) == 19 - 3


def test_a_restore_rebuilds_the_tallies_and_keys(store, tmp_path):
    a = store.add_prospect("Müller")
    _record(store, a.id, datetime(2026, 11, 20, 10, tzinfo=UTC), Outcome.MEETING,
            (("pain", "slow"),))  # fmt: skip
    with bulk.reading(store) as conn:
        data = {t: list(bulk.dump(conn, t)) for t in bulk.tables(conn)}
    for row in data["prospects"]:
        row.pop("name_key"), row.pop("company_key")  # an export made before the keys
    with Store.open(tmp_path / "other.db", clock=fixed_clock(NOW)) as other:
        bulk.restore(other, data)
        assert match_prospect(other, "muller").prospect.name == "Müller"
        for key in tallies.tracked(other.conn):
            tz = tallies.zone_of(key)
            assert _tallied(other, tz) == _counted(other, tz) != ([], [])


def test_fixed_offset_zones_have_a_stable_name():
    from datetime import timezone

    plus = timezone(timedelta(hours=5, minutes=45))
    assert tallies.zone_key(plus) == "UTC+05:45"
    assert tallies.zone_of("UTC+05:45") == plus
    assert tallies.zone_key(UTC) == "UTC" and tallies.zone_of("UTC") == UTC
    assert tallies.zone_of("Europe/Berlin") == BERLIN


# --- undo without scans, reads without the lock --------------------------------------------


def test_undo_reads_by_index(store):
    p = store.add_prospect("Acme")
    call = _record(store, p.id, NOW, Outcome.GATEKEEPER, (("gatekeeper", "Sarah"),))
    statements = []
    store.conn.set_trace_callback(statements.append)
    store.undo_call(call.id)
    store.conn.set_trace_callback(None)
    for sql in statements:
        if not sql.lstrip().lower().startswith(("select", "update")):
            continue
        plan = " ".join(r[3] for r in store.conn.execute(f"explain query plan {sql}"))
        assert "SCAN pieces" not in plan and "SCAN contacts" not in plan, (sql, plan)
        assert "SCAN calls" not in plan and "SCAN prospects" not in plan, (sql, plan)


def test_long_reads_do_not_wait_for_the_store_lock(store):
    p = store.add_prospect("Acme")
    _record(store, p.id, NOW, Outcome.MEETING)
    store.queue(NOW, limit=1)  # a new prospect's zone is read (and written) once
    held, release = threading.Event(), threading.Event()

    def hold():
        with store._lock:
            held.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(5)
    try:
        result = {}

        def read():
            result["names"] = store.prospect_names()
            result["days"] = store.day_tallies(UTC, date(2026, 11, 1), date(2026, 11, 30))
            result["queue_size"] = store.queue_size(NOW)
            result["queue"] = [e.prospect.id for e in store.queue(NOW, limit=5)]

        reader = threading.Thread(target=read)
        reader.start()
        reader.join(5)
        assert not reader.is_alive(), "a long read waited for the Store's lock"
    finally:
        release.set()
        holder.join()
    assert result["names"] == [(p.id, "Acme", None)]
    assert [row[2] for row in result["days"][0]] == [1]
    assert result["queue_size"] == 1 and result["queue"] == [p.id]


def test_contacts_named_by_a_call_are_undone_by_index(store):
    p = store.add_prospect("Acme")
    call = store.record_call(
        NewCall(p.id, NOW, NOW + timedelta(minutes=1), Outcome.GATEKEEPER,
                contacts=(NewContact("Sarah Jenkins", "gatekeeper"),))  # fmt: skip
    )
    store.undo_call(call.id)
    assert store.contacts(p.id) == []
    assert store.conn.execute(
        "select undone_at is not null from contacts where call_id = ?", (call.id,)
    ).fetchone() == (1,)
