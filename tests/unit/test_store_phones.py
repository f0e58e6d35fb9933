"""Numbers and people as rows: what a call does to the phones, calls and contacts tables."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from callbook.clock import fixed_clock
from callbook.model import NewCall, NewContact, Outcome, Role
from callbook.store import Store

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
SWITCHBOARD, MOBILE = "+442087112817", "+447400123456"


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "book.db", clock=fixed_clock(NOW)) as s:
        yield s


def call(prospect_id, outcome=Outcome.GATEKEEPER, minutes=0, **kw):
    start = NOW + timedelta(minutes=minutes)
    return NewCall(prospect_id, start, start + timedelta(minutes=2), outcome, **kw)


def table(store, pid):
    return store.conn.execute(
        "select number, extension, label, status, position, dialled, answered, reached_dm, "
        "machine, wrong from phones where prospect_id = ? order by position, id",
        (pid,),
    ).fetchall()


def route(store, call_id):
    return store.conn.execute(
        "select dialled, phone_id is not null, answered_by, contact_id from calls where id = ?",
        (call_id,),
    ).fetchone()


@pytest.fixture
def acme(store):
    return store.add_prospect("Acme", country="GB", phones=[SWITCHBOARD, MOBILE])


def test_a_call_records_the_first_number_and_who_answered(store, acme):
    saved = store.record_call(call(acme.id, Outcome.VOICEMAIL))
    assert route(store, saved.id) == (SWITCHBOARD, 1, "machine", None)
    assert (saved.dialled, saved.answered_by.value) == (SWITCHBOARD, "machine")
    assert table(store, acme.id) == [
        (SWITCHBOARD, None, "other", "ok", 0, 1, 0, 0, 1, 0),
        (MOBILE, None, "other", "ok", 1, 0, 0, 0, 0, 0),
    ]
    # A number given (as the call flow passes it, in any format) is the one recorded.
    second = store.record_call(call(acme.id, Outcome.NO_ANSWER, 5, dialled="07400 123456"))
    assert route(store, second.id) == (MOBILE, 1, None, None)
    assert store.conn.execute(
        "select dialled, last_dialled_at from phones where number = ?", (MOBILE,)
    ).fetchone() == (1, "2026-11-27T15:05:00Z")


def test_gatekeeper_named_on_the_line_is_who_answered(store, acme):
    saved = store.record_call(
        call(acme.id, Outcome.GATEKEEPER, pieces=(("gatekeeper", "Lukas Patel"),),
             contacts=(NewContact("Lukas Patel", Role.GATEKEEPER),))
    )  # fmt: skip
    lukas = store.contacts(acme.id)[0]
    assert route(store, saved.id) == (SWITCHBOARD, 1, "gatekeeper", lukas.id)
    assert table(store, acme.id)[0][5:] == (1, 1, 0, 0, 0)


def test_wrong_retires_the_number_and_the_next_is_offered(store, acme):
    store.record_call(call(acme.id, Outcome.WRONG_NUMBER))
    assert [r[:4] for r in table(store, acme.id)] == [
        (SWITCHBOARD, None, "other", "wrong"),
        (MOBILE, None, "other", "ok"),
    ]
    assert store.number_to_dial(acme.id).number == MOBILE
    assert store.get_prospect(acme.id).phones == (MOBILE, SWITCHBOARD)  # dialable first
    assert acme.id in {e.prospect.id for e in store.queue(NOW + timedelta(days=1), limit=10)}
    # The last number wrong too: the prospect leaves the queue, with the reason.
    last = store.record_call(call(acme.id, Outcome.WRONG_NUMBER, 10))
    assert last.dialled == MOBILE and last.answered_by.value == "someone"
    assert [r[3] for r in table(store, acme.id)] == ["wrong", "wrong"]
    assert store.number_to_dial(acme.id) is None
    assert store.unreachable(acme.id) == "every number is wrong"
    later = NOW + timedelta(days=1)
    assert acme.id not in {e.prospect.id for e in store.queue(later, limit=10)}
    assert store.queue_size(later) == 0
    # Undone, the number is back.
    store.undo_call(last.id)
    assert [r[3] for r in table(store, acme.id)] == ["wrong", "ok"]
    assert store.unreachable(acme.id) is None
    assert store.queue_size(later) == 1


def test_dnc_bans_the_prospect_and_every_number_for_everyone(store, acme):
    other = store.add_prospect("Acme duplicate", phones=[MOBILE])
    saved = store.record_call(call(acme.id, Outcome.DO_NOT_CALL))
    assert [n for n, _, _ in store.do_not_call_numbers()] == sorted([SWITCHBOARD, MOBILE])
    assert [r[3] for r in table(store, acme.id)] == ["do-not-call", "do-not-call"]
    # The duplicate holding the mobile leaves the queue too.
    assert [r[3] for r in table(store, other.id)] == ["do-not-call"]
    assert store.unreachable(other.id) == "every number is on the do-not-call list"
    assert store.queue_size(NOW + timedelta(days=1)) == 0
    # A re-import of the number is marked at once.
    again = store.add_prospect("Acme again", phones=[SWITCHBOARD, MOBILE])
    assert [r[3] for r in table(store, again.id)] == ["do-not-call", "do-not-call"]
    # Undo takes the numbers off the list again.
    store.undo_call(saved.id)
    assert store.do_not_call_numbers() == []
    assert [r[3] for r in table(store, other.id)] == ["ok"]
    assert store.unreachable(other.id) is None


def test_a_direct_line_learned_on_a_call_is_dialled_first(store, acme):
    saved = store.record_call(
        call(acme.id, Outcome.GATEKEEPER, pieces=(("direct_line", "020 8711 2900 ext 23"),))
    )
    rows = table(store, acme.id)
    assert rows[0][:4] == ("+442087112900", "23", "direct", "ok")
    assert rows[0][4] < rows[1][4]
    assert store.number_to_dial(acme.id).stored == "+442087112900;ext=23"
    source = store.conn.execute("select source from phones where label = 'direct'").fetchone()
    assert source == (f"call:{saved.id}",)
    # An extension alone goes with the number dialled first so far.
    store.record_call(call(acme.id, Outcome.GATEKEEPER, 5, pieces=(("direct_line", "x 41"),)))
    assert store.number_to_dial(acme.id).stored == "+442087112900;ext=41"
    # A known number said again moves to the front, labelled direct.
    moved = store.record_call(
        call(acme.id, Outcome.GATEKEEPER, 9, pieces=(("direct_line", MOBILE),))
    )
    assert store.number_to_dial(acme.id).label == "direct"
    assert store.number_to_dial(acme.id).number == MOBILE
    assert len(table(store, acme.id)) == 4
    # Undone, the mobile goes back to its place and label.
    store.undo_call(moved.id)
    assert store.number_to_dial(acme.id).stored == "+442087112900;ext=41"
    assert table(store, acme.id)[-1][:3] == (MOBILE, None, "other")


def test_undo_takes_back_a_number_only_its_call_added(store, acme):
    saved = store.record_call(call(acme.id, pieces=(("direct_line", "020 8711 2900"),)))
    assert len(table(store, acme.id)) == 3
    store.undo_call(saved.id)
    assert [r[0] for r in table(store, acme.id)] == [SWITCHBOARD, MOBILE]
    assert store.get_prospect(acme.id).phones == (SWITCHBOARD, MOBILE)


def test_a_known_person_by_first_name_is_that_person(store, acme):
    first = store.record_call(
        call(acme.id, Outcome.GATEKEEPER, pieces=(("gatekeeper", "Lukas Patel"),),
             contacts=(NewContact("Lukas Patel", Role.GATEKEEPER),))
    )  # fmt: skip
    assert first.small_wins == 1
    for minutes, name in ((5, "Lukas"), (10, "lucas"), (15, "LP")):
        again = store.record_call(
            call(acme.id, Outcome.GATEKEEPER, minutes, pieces=(("gatekeeper", name),),
                 contacts=(NewContact(name, Role.GATEKEEPER),))
        )  # fmt: skip
        assert again.small_wins == 0, name
        assert store.current_pieces(acme.id)["gatekeeper"].value == "Lukas Patel"
        assert [c.name for c in store.contacts(acme.id)] == ["Lukas Patel"]
        assert route(store, again.id)[3] == store.contacts(acme.id)[0].id
    assert [p.value for p in store.pieces(acme.id)] == ["Lukas Patel"]  # nothing superseded


def test_a_new_person_is_a_new_contact_and_shifts_keep_both(store, acme):
    def gk(name, minutes):
        return store.record_call(
            call(acme.id, Outcome.GATEKEEPER, minutes, pieces=(("gatekeeper", name),),
                 contacts=(NewContact(name, Role.GATEKEEPER),))
        )  # fmt: skip

    gk("Lukas Patel", 0)
    maria = gk("Maria Gomez", 5)
    assert maria.small_wins == 1
    assert [c.name for c in store.contacts(acme.id)] == ["Lukas Patel", "Maria Gomez"]
    # The morning shift again: Lukas answered; Maria stays the gatekeeper in force, no win.
    morning = gk("Lukas", 10)
    assert morning.small_wins == 0
    assert store.current_pieces(acme.id)["gatekeeper"].value == "Maria Gomez"
    lukas = store.contacts(acme.id)[0]
    assert route(store, morning.id)[2:] == ("gatekeeper", lukas.id)
    assert [(g.contact.name, g.answered, g.gave) for g in store.gatekeepers(acme.id)] == [
        ("Lukas Patel", 2, ()),
        ("Maria Gomez", 1, ()),
    ]
    told = store.record_call(
        call(acme.id, Outcome.GATEKEEPER, 20, pieces=(("gatekeeper", "Maria"),
             ("dm_availability", "not Tuesdays")), contacts=(NewContact("Maria", Role.GATEKEEPER),))
    )  # fmt: skip
    maria = store.gatekeepers(acme.id)[1]
    assert (maria.answered, maria.last_answered_at, maria.gave) == (
        2, told.started_at, ("dm availability: not Tuesdays",),
    )  # fmt: skip


def test_a_surname_learned_for_a_known_first_name(store, acme):
    store.record_call(
        call(acme.id, pieces=(("gatekeeper", "Lukas"),),
             contacts=(NewContact("Lukas", Role.GATEKEEPER),))
    )  # fmt: skip
    fuller = store.record_call(
        call(acme.id, minutes=5, pieces=(("gatekeeper", "Lukas Patel"),),
             contacts=(NewContact("Lukas Patel", Role.GATEKEEPER),))
    )  # fmt: skip
    assert fuller.small_wins == 1
    assert [c.name for c in store.contacts(acme.id)] == ["Lukas Patel"]
    store.undo_call(fuller.id)
    assert [c.name for c in store.contacts(acme.id)] == ["Lukas"]


def test_a_number_put_on_and_off_the_list_by_hand(store, acme):
    assert store.add_do_not_call_number(SWITCHBOARD + ";ext=9")
    assert [r[3] for r in table(store, acme.id)] == ["do-not-call", "ok"]  # by position
    assert store.blocked_numbers(store.get_prospect(acme.id)) == (SWITCHBOARD,)
    assert store.number_to_dial(acme.id).number == MOBILE
    assert store.remove_do_not_call_number(SWITCHBOARD)
    assert [r[0] for r in table(store, acme.id) if r[3] == "ok"] == [SWITCHBOARD, MOBILE]


def test_editing_the_list_keeps_the_rows_history(store, acme):
    store.record_call(call(acme.id, Outcome.WRONG_NUMBER))
    store.update_prospect(acme.id, phones=[MOBILE, SWITCHBOARD, "+442087112999"])
    rows = table(store, acme.id)
    assert [(r[0], r[3]) for r in rows] == [
        (MOBILE, "ok"), (SWITCHBOARD, "wrong"), ("+442087112999", "ok"),
    ]  # fmt: skip
    assert rows[1][9] == 1  # the wrong tally stays
    store.update_prospect(acme.id, phones=[MOBILE])
    # The switchboard was dialled: kept for its history; the other goes.
    assert [(r[0], r[3]) for r in table(store, acme.id)] == [(MOBILE, "ok"), (SWITCHBOARD, "wrong")]


def test_phone_details_give_labels_and_sources(store):
    p = store.add_prospect(
        "Detailed",
        phones=[SWITCHBOARD, MOBILE],
        phone_details=[
            {"number": MOBILE, "typed": "07400 123456", "label": "Mobile", "source": "import:Cell"},
            {"number": SWITCHBOARD, "typed": "020 8711 2817", "label": "main",
             "source": "import:Phone", "note": "reception"},
        ],
    )  # fmt: skip
    assert store.conn.execute(
        "select number, typed, label, source, note from phones where prospect_id = ? "
        "order by position",
        (p.id,),
    ).fetchall() == [
        (MOBILE, "07400 123456", "mobile", "import:Cell", None),
        (SWITCHBOARD, "020 8711 2817", "switchboard", "import:Phone", "reception"),
    ]
    assert store.get_prospect(p.id).phones == (MOBILE, SWITCHBOARD)


@pytest.mark.parametrize(
    "query", ["020 8711 2900", "02087112900", "+44 20 8711 2900", "0044 20 8711 2900", "87112900"]
)
def test_recall_finds_a_number_learned_on_a_call_in_any_format(store, query):
    from callbook.jigsaw import TemplateSet, builtin_templates
    from callbook.search import search as search_with

    def search(store, query):
        return search_with(store, query, templates=TemplateSet(builtin_templates()))

    other = store.add_prospect("Somebody else", phones=[MOBILE])
    acme = store.add_prospect("Acme", country="GB", phones=[SWITCHBOARD])
    store.record_call(call(acme.id, pieces=(("direct_line", "020 8711 2900"),)))
    store.record_call(call(other.id, Outcome.WRONG_NUMBER))  # a wrong number is still found
    found = {(h.kind, h.prospect_id) for h in search(store, query)}
    assert ("prospect", acme.id) in found
    assert {h.prospect_id for h in search(store, "07400 123456")} == {other.id}


@pytest.mark.parametrize(
    ("line", "shown", "small"),
    [
        ("gk: Lukas; !gk", [("gatekeeper", "Lukas Patel", "same")], 0),
        ("gk: LP, receptionist; !gk", [("gatekeeper", "Lukas Patel, receptionist", "changed")], 1),
        ("gk: Maria; !gk", [("gatekeeper", "Maria", "changed")], 1),
    ],
)
def test_the_preview_promises_what_the_commit_records(store, acme, line, shown, small):
    from callbook.desk import Desk

    desk = Desk.around(store)
    desk.commit(acme, "gk: Lukas Patel; !gk")
    preview = desk.preview(acme, line)
    assert [(p.slot.key, p.value, p.change.value) for p in preview.pieces] == shown
    assert preview.wins.small == small
    assert desk.commit(acme, line).small_wins == small
    assert store.current_pieces(acme.id)["gatekeeper"].value == shown[0][1]


def test_an_import_writes_rows_from_phone_details_and_honours_the_list(store):
    from callbook.store import bulk

    store.add_do_not_call_number(MOBILE)
    records = [
        bulk.NewProspect({
            "name": "Imported", "phones": [MOBILE, SWITCHBOARD],
            "phone_details": [
                {"number": MOBILE, "typed": "07400 123456", "label": "cell",
                 "source": "import:Mobile Phone"},
                {"number": SWITCHBOARD, "typed": "020 8711 2817", "label": "switchboard",
                 "source": "import:Phone", "note": "ask for accounts"},
            ],
        }),
        bulk.NewProspect({"name": "Plain", "phones": [SWITCHBOARD + ";ext=4"]}),
        bulk.NewProspect({"name": "Banned", "phones": [MOBILE]}),
    ]  # fmt: skip
    with bulk.writing(store) as conn:
        ids, errors = bulk.add_many(store, conn, records, "2026-11-27T15:00:00Z")
    assert errors == []
    imported, plain, banned = ids
    assert store.conn.execute(
        "select prospect_id, number, typed, extension, label, source, note, status, position "
        "from phones order by id"
    ).fetchall() == [
        (imported, MOBILE, "07400 123456", None, "mobile", "import:Mobile Phone", None,
         "do-not-call", 0),
        (imported, SWITCHBOARD, "020 8711 2817", None, "switchboard", "import:Phone",
         "ask for accounts", "ok", 1),
        (plain, SWITCHBOARD, SWITCHBOARD + ";ext=4", "4", "other", "import", None, "ok", 0),
        (banned, MOBILE, MOBILE, None, "other", "import", None, "do-not-call", 0),
    ]  # fmt: skip
    assert store.get_prospect(imported).phones == (SWITCHBOARD, MOBILE)  # dialable first
    assert store.unreachable(banned) == "every number is on the do-not-call list"
    assert store.number_to_dial(imported).number == SWITCHBOARD
    # A merge into a known prospect (bulk.update_prospect) keeps the rows' statuses.
    with bulk.writing(store) as conn:
        bulk.update_prospect(store, conn, plain, {"phones": [MOBILE, SWITCHBOARD + ";ext=4"]},
                             "2026-11-27T15:00:00Z")  # fmt: skip
    assert [(p.number, p.status) for p in store.phones(plain)] == [
        (SWITCHBOARD, "ok"), (MOBILE, "do-not-call"),
    ]  # fmt: skip


def test_an_export_from_before_the_phones_table_restores_its_numbers_as_rows(tmp_path):
    from callbook.store import bulk

    data = {
        "prospects": [
            {"id": 7, "name": "Old", "phones": [SWITCHBOARD, MOBILE],
             "created_at": "2026-01-01T09:00:00Z", "updated_at": "2026-01-01T09:00:00Z"},
        ],
        "do_not_call_numbers": [{"number": MOBILE, "added_at": "2026-01-01T09:00:00Z"}],
    }  # fmt: skip
    with Store.open(tmp_path / "restored.db", clock=fixed_clock(NOW)) as fresh:
        counts = bulk.restore(fresh, data)
        assert counts["phones"] == 2
        assert [(p.number, p.status) for p in fresh.phones(7)] == [
            (SWITCHBOARD, "ok"), (MOBILE, "do-not-call"),
        ]  # fmt: skip


def test_what_an_outcome_will_do_to_the_numbers_is_said_before(store, acme):
    from callbook.desk import Desk

    desk = Desk.around(store)
    assert desk.number_effect(acme, Outcome.GATEKEEPER) is None
    assert desk.number_effect(acme, Outcome.WRONG_NUMBER) == (
        "wrong number: 020 8711 2817 retired; next 07400 123456"
    )
    assert desk.number_effect(acme, Outcome.DO_NOT_CALL) == (
        "do not call: the prospect and 020 8711 2817, 07400 123456"
    )
    desk.commit(acme, "!wrong")
    assert desk.number_effect(acme, Outcome.WRONG_NUMBER) == (
        "wrong number: 07400 123456 retired; no number left, it leaves the queue"
    )


def test_callbook_log_says_what_it_did_to_the_numbers(tmp_path):
    from click.testing import CliRunner

    from callbook.cli import main

    db = str(tmp_path / "cli.db")
    runner = CliRunner()
    runner.invoke(main, ["--db", db, "add", "Acme Ltd", "--phone", "+44 20 8711 2817",
                         "--phone", "+44 7400 123456", "--country", "GB"])  # fmt: skip
    result = runner.invoke(main, ["--db", db, "log", "acme", "!wrong"])
    assert result.output.splitlines()[1] == (
        "wrong number: 020 8711 2817 retired; next 07400 123456"
    )
    result = runner.invoke(main, ["--db", db, "log", "acme", "!vm", "--number", "07400 123456"])
    assert result.exit_code == 0
    result = runner.invoke(main, ["--db", db, "log", "acme", "!dnc"])
    assert result.output.splitlines()[1] == (
        "do not call: the prospect and 07400 123456, 020 8711 2817"
    )
    shown = json.loads(runner.invoke(main, ["--db", db, "show", "acme", "--json"]).output)
    assert [(c["dialled"], c["answered_by"]) for c in shown["calls"]] == [
        ("+447400123456", "someone"), ("+447400123456", "machine"), ("+442087112817", "someone"),
    ]  # fmt: skip
    assert [(p["number"], p["status"], p["wrong"]) for p in shown["phones"]] == [
        ("+442087112817", "do-not-call", 1), ("+447400123456", "do-not-call", 0),
    ]  # fmt: skip
    wrong = runner.invoke(main, ["--db", db, "log", "acme", "!wrong", "--number", "+1 415"])
    assert wrong.exit_code == 1  # the prospect is do-not-call now: refused, nothing written
    assert shown["unreachable"] == "every number is on the do-not-call list"
    listed = runner.invoke(main, ["--db", db, "dnc"]).output.splitlines()
    assert [(n, why) for n, _, why in (line.split("  ") for line in listed)] == [
        ("+442087112817", "!dnc on call 3"),
        ("+447400123456", "!dnc on call 3"),
    ]


def test_the_list_and_the_reason_follow_the_rows_through_any_sequence(store):
    """Random calls, undos, bans and edits: each prospect's list is its rows, dialable first,
    and its reason to be out of the queue says what its rows say."""
    import random

    from callbook.store import phone_rows

    rnd = random.Random(14)
    pool = [f"+4420871128{i:02d}" for i in range(12)]
    ids = [store.add_prospect(f"P{i}", phones=rnd.sample(pool, 2)).id for i in range(5)]
    calls = []
    for step in range(120):
        pid = rnd.choice(ids)
        action = rnd.random()
        if action < 0.45:
            outcome = rnd.choice([Outcome.WRONG_NUMBER, Outcome.DO_NOT_CALL, Outcome.NO_ANSWER])
            pieces = (("direct_line", rnd.choice(pool)),) if rnd.random() < 0.2 else ()
            calls.append(store.record_call(call(pid, outcome, step, pieces=pieces)).id)
        elif action < 0.6 and calls:
            undone = calls.pop(rnd.randrange(len(calls)))
            store.undo_call(undone)
        elif action < 0.75:
            store.add_do_not_call_number(rnd.choice(pool))
        elif action < 0.9:
            store.remove_do_not_call_number(rnd.choice(pool))
        else:
            store.update_prospect(pid, phones=rnd.sample(pool, rnd.randint(1, 3)))
        for each in ids:
            held = store.phones(each)
            assert store.get_prospect(each).phones == tuple(p.stored for p in held), step
            statuses = [p.status for p in held]
            assert store.unreachable(each) == phone_rows.unreachable_reason(statuses), step
            banned = {n for n, _, _ in store.do_not_call_numbers()}
            assert all((p.number in banned) == (p.status == "do-not-call") for p in held), step
    assert store.integrity_check() == []


def test_the_last_conversation_is_found_past_any_number_of_unanswered_calls(store, acme):
    said = store.record_call(call(acme.id, Outcome.GATEKEEPER, notes="Tom is in on Thursdays"))
    for minutes in range(10, 80, 10):
        store.record_call(call(acme.id, Outcome.NO_ANSWER, minutes, notes="rang out"))
    store.record_call(call(acme.id, Outcome.VOICEMAIL, 90, notes="left a message"))  # a machine
    assert store.last_conversation(acme.id).id == said.id
    store.undo_call(said.id)
    assert store.last_conversation(acme.id) is None


def test_every_outcome_says_who_answered_by_the_outcome_table():
    """The route follows the outcome table's "who was on the line": a gatekeeper's callback is
    the gatekeeper on the line, nobody's voicemail a machine."""
    from callbook.model import Answerer, Outcome, Reach
    from callbook.route import answered_by

    on_the_line = {
        Reach.GATEKEEPER: {Answerer.GATEKEEPER},
        Reach.DECISION_MAKER: {Answerer.DECISION_MAKER},
        Reach.SOMEONE: {Answerer.SOMEONE},
        Reach.NOBODY: {None, Answerer.MACHINE, Answerer.SOMEONE},  # a wrong number: a stranger
    }
    for outcome in Outcome:
        assert answered_by(outcome) in on_the_line[outcome.rule.reached], outcome
    assert answered_by(Outcome.GATEKEEPER_CALLBACK) is Answerer.GATEKEEPER
