"""The jigsaw: known and missing slots, completion, the next objective, slot names."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from callbook.jigsaw import (
    Jigsaw,
    KnownSlot,
    build_jigsaw,
    builtin_templates,
    current_pieces,
    resolve_slot,
    suggest_slot,
)
from callbook.model import Piece, Slot, Template

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

TEMPLATE = Template(
    key="t",
    name="T",
    slots=(
        Slot("gatekeeper", "Gatekeeper", "Who am I speaking with?", 2.0, ("gk",)),
        Slot("decision_maker", "Decision maker", "Who decides?", 5.0, ("dm",)),
        Slot("direct_line", "Direct line", "Direct line?", 3.0, ("dl",)),
        Slot("pain", "Pain", "What hurts?", 3.0),
        Slot("next_step", "Next step", "What next?", 1.0),
    ),
)  # total weight 14


def piece(pid: int, slot: str, value: str, minutes: int = 0, **changes: object) -> Piece:
    return Piece(
        id=pid,
        prospect_id=1,
        slot=slot,
        value=value,
        learned_at=T0 + timedelta(minutes=minutes),
        **changes,  # type: ignore[arg-type]
    )


def test_empty_jigsaw() -> None:
    jigsaw = build_jigsaw(TEMPLATE, [])
    assert jigsaw.known == ()
    assert jigsaw.missing == TEMPLATE.slots
    assert jigsaw.extra == ()
    assert jigsaw.completion == 0.0
    assert jigsaw.most_important_missing.key == "decision_maker"
    assert jigsaw.suggested_objective == "Who decides?"
    assert jigsaw.known_values() == {}


def test_known_missing_and_weighted_completion() -> None:
    gk = piece(1, "gatekeeper", "Sarah Jenkins")
    dm = piece(2, "decision_maker", "Tom Li")
    jigsaw = build_jigsaw(TEMPLATE, [dm, gk])
    # Template order, not the order the pieces came in.
    assert jigsaw.known == (
        KnownSlot(TEMPLATE.slots[0], gk),
        KnownSlot(TEMPLATE.slots[1], dm),
    )
    assert [s.key for s in jigsaw.missing] == ["direct_line", "pain", "next_step"]
    assert jigsaw.completion == pytest.approx(7 / 14)
    assert jigsaw.known_values() == {"gatekeeper": "Sarah Jenkins", "decision_maker": "Tom Li"}


def test_completion_counts_weights_not_slots() -> None:
    only_next_step = build_jigsaw(TEMPLATE, [piece(1, "next_step", "demo")])
    only_dm = build_jigsaw(TEMPLATE, [piece(1, "decision_maker", "Tom")])
    assert only_next_step.completion == pytest.approx(1 / 14)
    assert only_dm.completion == pytest.approx(5 / 14)


def test_full_jigsaw() -> None:
    pieces = [piece(i, s.key, f"v{i}") for i, s in enumerate(TEMPLATE.slots, start=1)]
    jigsaw = build_jigsaw(TEMPLATE, pieces)
    assert jigsaw.missing == ()
    assert jigsaw.completion == 1.0
    assert jigsaw.most_important_missing is None
    assert jigsaw.suggested_objective is None


def test_superseded_piece_is_not_current() -> None:
    old = piece(1, "gatekeeper", "Sara", 0, superseded_by=2, superseded_at=T0)
    new = piece(2, "gatekeeper", "Sarah", 5)
    jigsaw = build_jigsaw(TEMPLATE, [new, old])
    assert jigsaw.known_values() == {"gatekeeper": "Sarah"}
    # Even when the superseded piece looks newer, it does not count.
    odd = piece(3, "pain", "old", 60, superseded_by=4, superseded_at=T0)
    assert "pain" not in build_jigsaw(TEMPLATE, [odd]).known_values()


def test_undone_piece_is_not_current() -> None:
    undone = piece(1, "decision_maker", "Tom", 10, undone_at=T0 + timedelta(minutes=11))
    jigsaw = build_jigsaw(TEMPLATE, [undone])
    assert jigsaw.known == ()
    assert jigsaw.completion == 0.0
    assert jigsaw.suggested_objective == "Who decides?"
    # An undone newer value leaves the older current one in place.
    older = piece(2, "decision_maker", "Tim", 0)
    assert build_jigsaw(TEMPLATE, [undone, older]).known_values() == {"decision_maker": "Tim"}


def test_newest_current_piece_wins() -> None:
    a = piece(1, "pain", "slow reports", 0)
    b = piece(2, "pain", "manual data entry", 30)
    c = piece(3, "pain", "same time, higher id", 30)
    assert build_jigsaw(TEMPLATE, [b, a]).known_values() == {"pain": "manual data entry"}
    assert build_jigsaw(TEMPLATE, [c, b, a]).known_values() == {"pain": "same time, higher id"}
    assert current_pieces([a, b, c]) == {"pain": c}


def test_suggested_objective_is_heaviest_missing_question() -> None:
    dm = piece(1, "decision_maker", "Tom")
    jigsaw = build_jigsaw(TEMPLATE, [dm])
    # direct_line and pain both weigh 3: the first in template order wins.
    assert jigsaw.most_important_missing.key == "direct_line"
    assert jigsaw.suggested_objective == "Direct line?"
    jigsaw = build_jigsaw(TEMPLATE, [dm, piece(2, "direct_line", "555-0101")])
    assert jigsaw.suggested_objective == "What hurts?"
    jigsaw = build_jigsaw(TEMPLATE, [dm, piece(2, "direct_line", "x"), piece(3, "pain", "y")])
    assert jigsaw.suggested_objective == "Who am I speaking with?"


def test_cold_call_plan_starts_with_the_decision_maker() -> None:
    cold_call = builtin_templates()["cold_call"]
    jigsaw = build_jigsaw(cold_call, [])
    assert jigsaw.suggested_objective == cold_call.slot("decision_maker").question
    jigsaw = build_jigsaw(cold_call, [piece(1, "decision_maker", "Tom Li")])
    assert jigsaw.suggested_objective == cold_call.slot("gatekeeper").question


def test_extra_pieces_are_shown_not_counted() -> None:
    metrics = piece(1, "metrics", "cut churn 5%", 0)
    champion = piece(2, "champion", "Ana", 20)
    old_champion = piece(3, "champion", "Bo", 10)
    undone = piece(4, "competition", "Acme", 30, undone_at=T0)
    gk = piece(5, "gatekeeper", "Sarah", 0)
    jigsaw = build_jigsaw(TEMPLATE, [metrics, champion, old_champion, undone, gk])
    assert jigsaw.extra == (champion, metrics)  # newest first, one per slot, current only
    assert jigsaw.completion == pytest.approx(2 / 14)
    assert jigsaw.known_values() == {"gatekeeper": "Sarah"}


def test_pieces_carry_over_between_templates() -> None:
    templates = builtin_templates()
    pieces = [piece(1, "decision_maker", "Tom Li"), piece(2, "budget", "20k")]
    bant = build_jigsaw(templates["bant"], pieces)
    assert bant.known_values() == {"budget": "20k", "decision_maker": "Tom Li"}
    assert bant.completion == pytest.approx(7 / 14)
    meddpicc = build_jigsaw(templates["meddpicc"], pieces)
    assert meddpicc.known == ()
    # Learned at the same moment: the later piece (higher id) comes first.
    assert [p.slot for p in meddpicc.extra] == ["budget", "decision_maker"]


def test_jigsaw_is_frozen() -> None:
    jigsaw = build_jigsaw(TEMPLATE, [])
    assert isinstance(jigsaw, Jigsaw)
    with pytest.raises(AttributeError):
        jigsaw.completion = 1.0  # type: ignore[misc]


def test_template_without_weight_is_empty_not_an_error() -> None:
    empty = Template(key="e", name="E", slots=())
    jigsaw = build_jigsaw(empty, [piece(1, "pain", "x")])
    assert jigsaw.completion == 0.0
    assert jigsaw.suggested_objective is None
    assert [p.slot for p in jigsaw.extra] == ["pain"]


COLD_CALL = builtin_templates()["cold_call"]


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("gk", "gatekeeper"),
        ("GK", "gatekeeper"),
        ("Gatekeeper", "gatekeeper"),
        ("decision maker", "decision_maker"),
        ("Decision_Maker", "decision_maker"),
        ("decision-maker", "decision_maker"),
        ("DM avail", "dm_availability"),
        ("dm_avail", "dm_availability"),
        ("dm-avail", "dm_availability"),
        ("  dm   avail ", "dm_availability"),
        ("dm availability", "dm_availability"),
        ("best_time", "dm_availability"),
        ("direct line", "direct_line"),
        ("dl", "direct_line"),
    ],
)
def test_resolve_slot(name: str, key: str) -> None:
    slot = resolve_slot(COLD_CALL, name)
    assert slot is not None and slot.key == key


@pytest.mark.parametrize("name", ["", "  ", "gate keeper x", "gatekeper", "dmavail", "tuesday"])
def test_resolve_slot_misses(name: str) -> None:
    assert resolve_slot(COLD_CALL, name) is None


def test_resolve_slot_prefers_keys_over_aliases() -> None:
    # Built by hand, so not validated: "pain" is one slot's key and another slot's alias.
    template = Template(
        key="odd",
        name="Odd",
        slots=(Slot("problem", "Problem", "?", aliases=("pain",)), Slot("pain", "Hurt", "?")),
    )
    assert resolve_slot(template, "pain").key == "pain"


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("gatekeper", "gatekeeper"),
        ("gatekeepr", "gatekeeper"),
        ("budjet", "budget"),
        ("timline", "timeline"),
        ("dm avial", "dm_availability"),
        ("decison maker", "decision_maker"),
        ("decision proc", "decision_process"),
        ("pian", "pain"),
        ("best tme", "dm_availability"),
        ("gk", "gatekeeper"),  # an exact name is its own best suggestion
    ],
)
def test_suggest_slot(name: str, key: str) -> None:
    slot = suggest_slot(COLD_CALL, name)
    assert slot is not None and slot.key == key


@pytest.mark.parametrize("name", ["", "xyz", "weather", "dn", "decision", "tuesday", "q"])
def test_suggest_slot_gives_up(name: str) -> None:
    assert suggest_slot(COLD_CALL, name) is None
