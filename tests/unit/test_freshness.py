"""Freshness: slot lifetimes, stale pieces counted half, the confirm objective, and
confirmation through the store (a small win only when it refreshes a stale piece)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from callbook.clock import fixed_clock
from callbook.freshness import stale_at
from callbook.jigsaw import TemplateError, build_jigsaw, load_template
from callbook.model import NewCall, Outcome, Piece
from callbook.store import Store, tallies
from callbook.when import read_span

TEMPLATE = """
key = "t"
name = "T"

[[slots]]
key = "gatekeeper"
label = "Gatekeeper"
question = "Who am I speaking with?"
weight = 4
lifetime = "6 months"

[[slots]]
key = "avail"
label = "Availability"
question = "When are they in?"
weight = 1
availability = true

[[slots]]
key = "budget"
label = "Budget"
question = "What budget is there?"
weight = 1
"""
LEARNED = datetime(2026, 1, 1, 10, tzinfo=UTC)


def piece(slot: str, value: str, learned=LEARNED, confirmed=None, pid=1) -> Piece:
    return Piece(pid, 1, slot, value, learned, confirmed_at=confirmed)


@pytest.mark.parametrize(
    ("text", "days"),
    [("6 months", 180), ("1 year", 365), ("2 weeks", 14), ("30d", 30), ("a fortnight", 14),
     ("60 days", 60), ("two years", 730), ("3 mo", 90), ("soon", None), ("6", None), ("", None)],
)  # fmt: skip
def test_read_span(text, days):
    assert read_span(text) == days


def test_a_lifetime_that_is_not_a_length_names_file_line_and_value():
    bad = TEMPLATE.replace('lifetime = "6 months"', 'lifetime = "forever"')
    with pytest.raises(TemplateError) as caught:
        load_template(bad, "mine.toml")
    assert str(caught.value) == (
        "mine.toml:10: slot 'gatekeeper': lifetime must be a length of time such as "
        '"6 months", "1 year" or "60 days", got \'forever\''
    )


def test_a_piece_goes_stale_after_its_lifetime_and_counts_half():
    template = load_template(TEMPLATE, "t.toml")
    pieces = [piece("gatekeeper", "Sarah Jenkins"), piece("budget", "10k", pid=2)]
    fresh = build_jigsaw(template, pieces, LEARNED + timedelta(days=179))
    assert [k.stale for k in fresh.known] == [False, False]
    assert fresh.completion == pytest.approx(5 / 6)
    assert fresh.suggested_objective == "When are they in?"

    stale = build_jigsaw(template, pieces, LEARNED + timedelta(days=180))
    assert [(k.slot.key, k.stale) for k in stale.known] == [("gatekeeper", True), ("budget", False)]
    assert stale.completion == pytest.approx((2 + 1) / 6)
    # Half the gatekeeper's weight (2) is at stake: more than the missing availability (1).
    assert stale.suggested_objective == "confirm Gatekeeper is still Sarah Jenkins"
    # Without a clock nothing is stale (callers that do not ask).
    assert build_jigsaw(template, pieces).stale == ()


def test_a_confirmed_piece_is_fresh_from_its_confirmation():
    template = load_template(TEMPLATE, "t.toml")
    confirmed = LEARNED + timedelta(days=170)
    jigsaw = build_jigsaw(
        template, [piece("gatekeeper", "Sarah", confirmed=confirmed)], LEARNED + timedelta(days=200)
    )
    assert jigsaw.stale == ()
    assert stale_at(template.slot("gatekeeper"), jigsaw.known[0].piece, UTC) == (
        confirmed + timedelta(days=180)
    )


def test_back_on_a_date_is_stale_once_the_date_has_passed_in_their_zone():
    template = load_template(TEMPLATE, "t.toml")
    said = piece("avail", "back on 12 Jan", learned=datetime(2026, 12, 20, 15, tzinfo=UTC))
    tokyo = ZoneInfo("Asia/Tokyo")
    # 13 Jan 00:00 in Tokyo is 12 Jan 15:00 UTC.
    assert stale_at(template.slot("avail"), said, tokyo) == datetime(2027, 1, 12, 15, tzinfo=UTC)
    before = build_jigsaw(template, [said], datetime(2027, 1, 12, 14, 59, tzinfo=UTC), tokyo)
    after = build_jigsaw(template, [said], datetime(2027, 1, 12, 15, 0, tzinfo=UTC), tokyo)
    assert (before.stale, [k.slot.key for k in after.stale]) == ((), ["avail"])
    # A rule with no date ("not Tuesdays") and no lifetime never goes stale.
    rule = piece("avail", "not Tuesdays")
    assert stale_at(template.slot("avail"), rule, UTC) is None


def test_built_in_cold_call_slots_have_lifetimes():
    from callbook.jigsaw import builtin_templates

    slots = {s.key: s.lifetime_days for s in builtin_templates()["cold_call"].slots}
    assert (slots["gatekeeper"], slots["current_solution"], slots["dm_availability"]) == (
        180, 365, 60
    )  # fmt: skip


def say(store, prospect_id, at, value, outcome=Outcome.GATEKEEPER):
    new = NewCall(
        prospect_id, at, at + timedelta(minutes=1), outcome, pieces=(("gatekeeper", value),)
    )
    return store.record_call(new)


def test_saying_the_same_value_again_confirms_it_in_the_book(tmp_path):
    with Store.open(tmp_path / "b.db", clock=fixed_clock(LEARNED)) as store:
        p = store.add_prospect("Acme", timezone="Europe/London")
        first = say(store, p.id, LEARNED, "Sarah Jenkins")
        assert first.small_wins == 1
        learned = store.current_pieces(p.id)["gatekeeper"].learned_at

        # A week later: still fresh, so the confirmation is recorded but wins nothing.
        week = LEARNED + timedelta(days=7)
        again = say(store, p.id, week, "sarah jenkins")
        assert again.small_wins == 0
        now = store.current_pieces(p.id)["gatekeeper"]
        assert (now.learned_at, now.confirmed_at) == (learned, week + timedelta(minutes=1))

        # Seven months on it is stale: confirming it is a small win.
        later = LEARNED + timedelta(days=210)
        confirm = say(store, p.id, later, "Sarah Jenkins")
        assert confirm.small_wins == 1
        rows = store.conn.execute(
            "select value, learned_at, confirmed_at, superseded_by is null from pieces "
            "where prospect_id = ? order by id",
            (p.id,),
        ).fetchall()
        assert [r[2] for r in rows] == [
            None, "2026-01-08T10:01:00Z", "2026-07-30T10:01:00Z",
        ]  # fmt: skip
        assert {r[1] for r in rows} == {"2026-01-01T10:01:00Z"}
        assert [r[3] for r in rows] == [0, 0, 1]

        # Undoing the confirming call takes the confirmation back.
        store.undo_call(confirm.id)
        assert store.current_pieces(p.id)["gatekeeper"].confirmed_at == week + timedelta(minutes=1)
        # A confirmation learns nothing: the per-day tallies of pieces learned count the first
        # call's piece only, and stay in step with the rows through the undo.
        assert tallies.out_of_step(store.conn) == []
        learned = store.conn.execute(
            "select slot, sum(pieces) from stats_day_pieces group by zone, slot"
        ).fetchall()
        assert {n for _, n in learned} == {1}


def test_the_demo_book_shows_a_plan_a_window_and_stale_pieces(tmp_path, monkeypatch):
    import json

    from click.testing import CliRunner

    from callbook.cli import main

    monkeypatch.setenv("CALLBOOK_NOW", "2026-12-02T10:30:00+00:00")
    db = str(tmp_path / "demo.db")

    def run(*args):
        result = CliRunner().invoke(main, ["--db", db, *args])
        assert result.exit_code == 0, result.output
        return result.output

    run("demo")
    stale = json.loads(run("show", "Wrenbury", "--json"))
    assert [k["slot"] for k in stale["known"] if k["stale"]] == [
        "gatekeeper", "dm_availability", "pain", "budget", "timeline", "next_step",
    ]  # fmt: skip
    assert stale["next_objective"] == "confirm Gatekeeper is still Sarah Jenkins"
    assert "  ⌛ Gatekeeper: Sarah Jenkins  (34w ago, call #518; stale: confirm Gatekeeper is " \
        "still Sarah Jenkins)" in run("show", "Wrenbury")
    window = json.loads(run("show", "Tallowmere", "--json"))["best_time"]
    assert window == {
        "hours": [9], "learned": True,
        "evidence": "reached Tue 09:40 and Thu 09:50; no answer at 14:00 three times",
    }  # fmt: skip
    planned = json.loads(run("show", "Quillfield", "--json"))["plan"]
    assert (planned["label"], planned["due_at"]) == ("attempt 3 of 5", "2026-12-03T00:00:00+00:00")
    queue = json.loads(run("queue", "--json", "--limit", "500"))["queue"]
    [row] = [e for e in queue if e["prospect"]["name"] == "Quillfield Roofing Ltd"]
    assert (row["attempt"], row["attempts_max"], row["callable"]) == (3, 5, False)
