"""The store: all-or-nothing calls, append-only pieces, undo, sessions, queue, drafts, files."""

from __future__ import annotations

import os
import re
import sqlite3
import stat
from datetime import UTC, datetime, timedelta

import pytest

from callbook.clock import fixed_clock
from callbook.model import NewCall, NewContact, Outcome, QueueReason, Role, Status
from callbook.store import Store, StoreError

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "book.db", clock=fixed_clock(NOW)) as s:
        yield s


def call(prospect_id, outcome=Outcome.GATEKEEPER, minutes=0, **kw):
    start = NOW + timedelta(minutes=minutes)
    return NewCall(prospect_id, start, start + timedelta(minutes=2), outcome, **kw)


def dump(path) -> dict:
    conn = sqlite3.connect(path)
    tables = [
        r[0]
        for r in conn.execute(
            "select name from sqlite_master where type = 'table' "
            "and sql not like 'CREATE VIRTUAL TABLE%'"
        )
    ]
    out = {t: sorted(conn.execute(f"select * from [{t}]").fetchall(), key=repr) for t in tables}
    conn.close()
    return out


def test_new_book_is_private_and_identified(tmp_path):
    path = tmp_path / "sub" / "book.db"
    Store.open(path).close()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    conn = sqlite3.connect(path)
    assert conn.execute("pragma application_id").fetchone()[0] == 0x43424B31
    assert conn.execute("pragma journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_connection_pragmas(store):
    assert store.conn.execute("pragma foreign_keys").fetchone()[0] == 1
    assert store.conn.execute("pragma busy_timeout").fetchone()[0] == 10_000


def test_record_call_writes_everything_and_counts_wins(store):
    p = store.add_prospect("Acme Ltd", phones=["+442079460000"])
    session = store.start_session()
    c = store.record_call(
        call(
            p.id,
            Outcome.GATEKEEPER,
            pieces=(("gatekeeper", "Sarah Jenkins"), ("dm_availability", "not Tuesdays")),
            contacts=(NewContact("Sarah Jenkins", Role.GATEKEEPER),),
            session_id=session.id,
            notes="friendly",
            next_call_at=NOW + timedelta(days=1),
            next_objective="ask Sarah for Tom",
            tags=("uk",),
            capture="gk: Sarah Jenkins; dm avail: not Tuesdays; !gk",
        )
    )
    assert (c.small_wins, c.big_wins, c.outcome) == (2, 0, Outcome.GATEKEEPER)
    pieces = store.pieces(p.id)
    assert [(x.slot, x.value, x.call_id) for x in pieces] == [
        ("gatekeeper", "Sarah Jenkins", c.id),
        ("dm_availability", "not Tuesdays", c.id),
    ]
    assert pieces[0].learned_at == c.ended_at
    [gk] = store.contacts(p.id)
    assert (gk.name, gk.role, gk.call_id) == ("Sarah Jenkins", Role.GATEKEEPER, c.id)
    after = store.get_prospect(p.id)
    assert after.next_call_at == NOW + timedelta(days=1)
    assert after.next_objective == "ask Sarah for Tom"
    assert after.status is Status.ACTIVE and after.tags == ("uk",) and after.call_count == 1
    assert store.call_capture(c.id) == "gk: Sarah Jenkins; dm avail: not Tuesdays; !gk"


def test_new_value_supersedes_and_history_stays(store):
    p = store.add_prospect("Acme")
    first = store.record_call(call(p.id, pieces=(("gatekeeper", "Sarah"),)))
    same = store.record_call(call(p.id, minutes=5, pieces=(("gatekeeper", " sarah "),)))
    second = store.record_call(call(p.id, minutes=9, pieces=(("gatekeeper", "Sarah Jenkins"),)))
    assert same.small_wins == 0 and second.small_wins == 1
    # The same value said again is a confirmation: a row that keeps when it was learned.
    old, confirmed, new = store.pieces(p.id)
    assert (old.value, old.call_id, old.superseded_by) == ("Sarah", first.id, confirmed.id)
    assert (confirmed.value, confirmed.call_id, confirmed.superseded_by) == (
        "Sarah", same.id, new.id
    )  # fmt: skip
    assert (confirmed.learned_at, confirmed.confirmed_at) == (old.learned_at, same.ended_at)
    assert confirmed.superseded_at == second.ended_at and not old.current
    assert new.current and store.current_pieces(p.id)["gatekeeper"].value == "Sarah Jenkins"


def test_a_failing_call_writes_nothing(store, tmp_path):
    p = store.add_prospect("Acme")
    before = dump(store.path)
    bad = call(p.id, pieces=(("gatekeeper", "Sarah"), ("pain", "   ")))
    with pytest.raises(ValueError, match="empty value for slot 'pain'"):
        store.record_call(bad)
    assert dump(store.path) == before
    with pytest.raises(StoreError, match="no prospect with id 999"):
        store.record_call(call(999, pieces=(("gatekeeper", "x"),)))
    assert dump(store.path) == before


def test_a_crash_inside_the_transaction_rolls_back(store, monkeypatch):
    p = store.add_prospect("Acme")
    before = dump(store.path)

    def boom(*args, **kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(store, "_insert_contact", boom)
    with pytest.raises(RuntimeError):
        store.record_call(
            call(p.id, pieces=(("gatekeeper", "Sarah"),), contacts=(NewContact("Sarah"),))
        )
    assert dump(store.path) == before


def test_a_call_takes_its_draft_with_it_in_one_transaction(store, monkeypatch):
    p = store.add_prospect("Acme")
    store.save_draft("capture", '{"line": "gk: Sarah; !gk"}')
    store.save_draft("other", "kept")
    store.record_call(call(p.id, pieces=(("gatekeeper", "Sarah"),)), clear_draft="capture")
    assert store.load_draft("capture") is None
    assert store.load_draft("other") == "kept"
    # A call that fails to record leaves its draft: the line is not lost.
    store.save_draft("capture", '{"line": "gk: Bob; !gk"}')

    def boom(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(store, "_insert_piece", boom)
    with pytest.raises(RuntimeError):
        store.record_call(call(p.id, pieces=(("gatekeeper", "Bob"),)), clear_draft="capture")
    assert store.load_draft("capture") == '{"line": "gk: Bob; !gk"}'
    assert len(store.calls(p.id)) == 1


def test_undo_marks_and_restores(store):
    p = store.add_prospect("Acme")
    first = store.record_call(
        call(
            p.id,
            pieces=(("gatekeeper", "Sarah"),),
            next_call_at=NOW + timedelta(days=1),
            next_objective="ask for Tom",
        )  # fmt: skip
    )
    second = store.record_call(
        call(
            p.id,
            Outcome.DO_NOT_CALL,
            minutes=5,
            pieces=(("gatekeeper", "Bob"),),
            contacts=(NewContact("Bob", Role.GATEKEEPER),),
        )  # fmt: skip
    )
    assert store.get_prospect(p.id).status is Status.DO_NOT_CALL
    undone = store.undo_call(second.id)
    assert undone.undone_at == NOW
    pieces = store.pieces(p.id)
    assert len(pieces) == 2  # marked, not deleted
    assert pieces[1].undone_at == NOW and not pieces[1].current
    assert pieces[0].current and pieces[0].superseded_by is None
    assert store.contacts(p.id) == []
    restored = store.get_prospect(p.id)
    assert restored.status is Status.ACTIVE and restored.call_count == 1
    assert restored.next_call_at == NOW + timedelta(days=1)
    assert restored.next_objective == "ask for Tom"
    assert restored.last_call_at == first.ended_at
    with pytest.raises(StoreError, match="already undone"):
        store.undo_call(second.id)


def test_undo_keeps_a_later_calls_schedule(store):
    p = store.add_prospect("Acme")
    first = store.record_call(call(p.id, next_call_at=NOW + timedelta(days=1)))
    store.record_call(call(p.id, minutes=5, next_call_at=NOW + timedelta(days=3)))
    store.undo_call(first.id)
    assert store.get_prospect(p.id).next_call_at == NOW + timedelta(days=3)


def test_wrap_up_objective_goes_to_the_call_and_the_prospect(store):
    p = store.add_prospect("Acme")
    first = store.record_call(call(p.id, next_objective="ask for Tom"))
    second = store.record_call(call(p.id, minutes=5))  # its line set no objective: kept
    assert store.get_prospect(p.id).next_objective == "ask for Tom"
    assert second.next_objective == "ask for Tom"
    saved = store.set_next_objective(second.id, "  who signs off\non budget? ")
    assert saved.next_objective == "who signs off on budget?"
    assert store.get_prospect(p.id).next_objective == "who signs off on budget?"
    # Undoing the call takes its wrap-up back with it.
    store.undo_call(second.id)
    assert store.get_prospect(p.id).next_objective == "ask for Tom"
    with pytest.raises(StoreError, match=f"call {second.id} was undone"):
        store.set_next_objective(second.id, "anything")
    # A later call's plan is kept: the objective lands on the earlier call only.
    store.record_call(call(p.id, minutes=10, next_objective="send the deck"))
    assert store.set_next_objective(first.id, "ask for Tom's mobile").next_objective == (
        "ask for Tom's mobile"
    )
    assert store.get_prospect(p.id).next_objective == "send the deck"


def test_wrap_up_objective_refuses_bad_input_and_writes_nothing(store):
    p = store.add_prospect("Acme")
    done = store.record_call(call(p.id))
    before = dump(store.path)
    with pytest.raises(ValueError, match="an objective needs some words"):
        store.set_next_objective(done.id, "   ")
    with pytest.raises(StoreError, match="no call with id 999"):
        store.set_next_objective(999, "ask for Tom")
    assert dump(store.path) == before


def test_scoreboard_counts_the_session_and_ignores_undone(store):
    a, b = store.add_prospect("A"), store.add_prospect("B")
    s = store.start_session()
    store.record_call(call(a.id, Outcome.NO_ANSWER, session_id=s.id))
    store.record_call(call(a.id, Outcome.GATEKEEPER, pieces=(("gatekeeper", "Sam"),),
                           session_id=s.id))  # fmt: skip
    store.record_call(call(b.id, Outcome.MEETING, pieces=(("pain", "x"), ("budget", "y")),
                           session_id=s.id))  # fmt: skip
    undone = store.record_call(call(b.id, Outcome.WON, session_id=s.id))
    store.record_call(call(b.id, Outcome.DECISION_MAKER))  # another session
    store.undo_call(undone.id)
    board = store.scoreboard(session_id=s.id)
    # The gatekeeper's block is a call, not a connect; the meeting is both.
    assert (board.calls, board.connects, board.decision_makers) == (3, 1, 1)
    assert (board.small_wins, board.big_wins, board.meetings) == (3, 1, 1)
    assert store.last_call_of_session(s.id).outcome is Outcome.MEETING


def test_queue_order_and_window(store):
    later = store.add_prospect("Later", next_call_at=NOW + timedelta(hours=2))
    due2 = store.add_prospect("Due second", next_call_at=NOW - timedelta(minutes=5))
    due1 = store.add_prospect("Due first", next_call_at=NOW - timedelta(hours=1), priority=5)
    low = store.add_prospect("Never, low", priority=4)
    high = store.add_prospect("Never, high", priority=1)
    called = store.add_prospect("Called once", priority=1)
    store.record_call(call(called.id, Outcome.NO_ANSWER))
    gone = store.add_prospect("Do not call", status="do_not_call")
    entries = store.queue(NOW)
    assert [e.prospect.id for e in entries] == [due1.id, due2.id, high.id, low.id, called.id]
    assert [e.reason for e in entries[:3]] == [
        QueueReason.CALLBACK, QueueReason.CALLBACK, QueueReason.NEVER_CALLED
    ]  # fmt: skip
    ids = [e.prospect.id for e in entries]
    assert later.id not in ids and gone.id not in ids
    window = store.queue(NOW, limit=2, offset=1)
    assert [e.prospect.id for e in window] == [due2.id, high.id]
    assert [e.prospect.id for e in store.queue(NOW, limit=10, offset=4)] == [called.id]
    assert store.queue_size(NOW) == 5


def test_drafts_survive_reopen(tmp_path):
    path = tmp_path / "b.db"
    with Store.open(path) as s:
        s.save_draft("capture", "gk: Sarah; !g")
    with Store.open(path) as s:
        assert s.load_draft("capture") == "gk: Sarah; !g"
        s.save_draft("capture", "")
        assert s.load_draft("capture") is None


def test_two_stores_on_one_file_see_each_other(tmp_path):
    path = tmp_path / "b.db"
    with Store.open(path) as one, Store.open(path) as two:
        p = one.add_prospect("Acme")
        version = two.data_version()
        one.record_call(call(p.id, pieces=(("gatekeeper", "Sarah"),)))
        assert two.data_version() != version
        assert two.current_pieces(p.id)["gatekeeper"].value == "Sarah"


@pytest.mark.parametrize(
    "content, message",
    [
        (b"hello, this is a text file\n" * 10, "not a callbook database (not an SQLite file)"),
        (b"SQLite f", "not a callbook database (too short)"),
    ],
)
def test_foreign_files_are_refused_and_untouched(tmp_path, content, message):
    path = tmp_path / "x.db"
    path.write_bytes(content)
    with pytest.raises(StoreError, match=re.escape(message)):
        Store.open(path)
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.db"]


def test_another_programs_sqlite_file_is_refused(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("create table invoices (id integer primary key, total real)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(
        StoreError, match=r"SQLite database of another program \(tables: invoices\)"
    ):
        Store.open(path)
    assert path.read_bytes() == before


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "b.db"
    Store.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute("pragma user_version = 99")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match=r"newer callbook \(schema 99"):
        Store.open(path)
    assert path.read_bytes() == before


def test_missing_book_is_not_created_when_asked_not_to(tmp_path):
    with pytest.raises(StoreError, match="no such callbook database"):
        Store.open(tmp_path / "nope.db", create=False)
    assert not (tmp_path / "nope.db").exists()


def test_prospect_validation(store):
    with pytest.raises(ValueError, match="needs a name"):
        store.add_prospect("  ")
    with pytest.raises(ValueError, match="priority must be 1"):
        store.add_prospect("A", priority=9)
    with pytest.raises(ValueError, match="unknown prospect field"):
        store.add_prospect("A", colour="red")
    assert store.count_prospects() == 0
