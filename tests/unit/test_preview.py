"""The capture preview: new / changed / same pieces, the wins they score and the nudge."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from callbook.capture.grammar import parse
from callbook.capture.preview import NUDGE, PiecePreview, preview, wins_for
from callbook.model import Capture, CapturedPiece, Change, Role, Slot, Template, Wins

NOW = datetime(2026, 11, 27, 10, tzinfo=UTC)
LONDON = ZoneInfo("Europe/London")
GATEKEEPER = Slot("gatekeeper", "Gatekeeper", "Who answers?", aliases=("gk",))
DECISION_MAKER = Slot("decision_maker", "Decision maker", "Who decides?", aliases=("dm",))
BUDGET = Slot("budget", "Budget", "Is there a budget?")
TIMELINE = Slot("timeline", "Timeline", "By when?")
TEMPLATE = Template("test", "Test", (GATEKEEPER, DECISION_MAKER, BUDGET, TIMELINE))
KNOWN = {"gatekeeper": "Sarah Jenkins", "budget": "10k"}


def capture(line: str) -> Capture:
    parsed = parse(line, TEMPLATE, NOW, LONDON)
    assert parsed.ok, parsed.errors
    return parsed


def test_new_changed_and_same_pieces() -> None:
    result = preview(capture("gk:  sarah   JENKINS ; dm: Tom Li; budget: 50k"), TEMPLATE, KNOWN)
    assert result.pieces == (
        PiecePreview(GATEKEEPER, "sarah   JENKINS", Change.SAME, "Sarah Jenkins"),
        PiecePreview(DECISION_MAKER, "Tom Li", Change.NEW, None),
        PiecePreview(BUDGET, "50k", Change.CHANGED, "10k"),
    )
    assert result.wins == Wins(small=2, big=0, reasons=("new: Decision maker", "changed: Budget"))
    assert result.nudge is None


@pytest.mark.parametrize(
    ("line", "small", "big", "reasons"),
    [
        ("", 0, 0, ()),
        ("just a note", 0, 0, ()),
        ("dm: Tom", 1, 0, ("new: Decision maker",)),
        ("!dm", 0, 1, ("reached decision maker",)),
        ("!cb; timeline: Q1", 1, 1, ("new: Timeline", "callback requested")),
        ("!mtg", 0, 1, ("meeting booked",)),
        ("!won", 0, 1, ("won",)),
        ("!gk; gk: Sam", 1, 0, ("changed: Gatekeeper",)),
        ("!ni; budget: 10K", 0, 0, ()),
        ("!vm", 0, 0, ()),
    ],
)
def test_wins(line: str, small: int, big: int, reasons: tuple[str, ...]) -> None:
    wins = preview(capture(line), TEMPLATE, KNOWN).wins
    assert wins == Wins(small=small, big=big, reasons=reasons)


def test_wins_for_is_what_the_preview_shows() -> None:
    parsed = capture("!dm; dm: Tom; budget: 50k; gk: Sarah Jenkins")
    assert wins_for(parsed, KNOWN, TEMPLATE) == preview(parsed, TEMPLATE, KNOWN).wins
    # without a template the reasons name slot keys
    assert wins_for(parsed, KNOWN) == Wins(
        small=2, big=1, reasons=("new: decision_maker", "changed: budget", "reached decision maker")
    )


@pytest.mark.parametrize(
    ("line", "nudge"),
    [
        ("!gk", NUDGE),  # a connect that learned nothing
        ("!dm; gk: Sarah Jenkins", NUDGE),  # repeating a known piece is not learning
        ("!mtg", NUDGE),
        ("!gk; gk: Sam", None),
        ("!gk; dm: Tom", None),
        ("!na", None),  # nobody answered: nothing to learn
        ("!vm", None),
        ("!wrong", None),
        ("dm: Tom", None),  # no outcome yet
        ("", None),
    ],
)
def test_nudge(line: str, nudge: str | None) -> None:
    assert preview(capture(line), TEMPLATE, KNOWN).nudge == nudge


def test_nudge_text() -> None:
    assert NUDGE == "what did you learn?"


def test_the_preview_keeps_the_capture_and_ignores_its_errors() -> None:
    parsed = parse("dm: Tom; budjet: 5; !cb", TEMPLATE, NOW, LONDON)
    assert not parsed.ok
    result = preview(parsed, TEMPLATE, {})
    assert result.capture is parsed
    assert [p.slot.key for p in result.pieces] == ["decision_maker"]
    assert (result.wins.small, result.wins.big) == (1, 1)


def test_a_piece_for_a_slot_outside_the_template_still_previews() -> None:
    parsed = Capture("x: y", pieces=(CapturedPiece("legacy", "y", 1, 1),))
    (piece,) = preview(parsed, TEMPLATE, {"legacy": "y"}).pieces
    assert (piece.slot.key, piece.slot.label, piece.change) == ("legacy", "legacy", Change.SAME)


DM = Slot(
    "decision_maker", "Decision maker", "Who decides?", aliases=("dm",), role=Role.DECISION_MAKER
)
DM_ROLE = Slot("dm_role", "DM role", "What is their title?")


@pytest.mark.parametrize(
    ("known_title", "change", "wins"),
    [
        (None, Change.NEW, Wins(small=1, reasons=("new: DM role",))),
        ("ops  DIRECTOR", Change.SAME, Wins()),
        ("CFO", Change.CHANGED, Wins(small=1, reasons=("changed: DM role",))),
    ],
)
def test_a_decision_makers_title_previews_as_its_own_piece(
    known_title: str | None, change: Change, wins: Wins
) -> None:
    template = Template("roles", "Roles", (DM, DM_ROLE))
    known = {"decision_maker": "Tom Li, Ops Director"}
    if known_title is not None:
        known["dm_role"] = known_title
    parsed = parse("dm: Tom Li, Ops Director", template, NOW, LONDON)
    result = preview(parsed, template, known)
    assert result.pieces == (
        PiecePreview(DM, "Tom Li, Ops Director", Change.SAME, "Tom Li, Ops Director"),
        PiecePreview(DM_ROLE, "Ops Director", change, known_title),
    )
    assert result.wins == wins
