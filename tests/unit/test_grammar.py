"""The capture grammar: a table of lines and exactly what they parse to, plus properties."""

from __future__ import annotations

import time as timer
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from callbook.capture.grammar import OUTCOME_HELP, complete_slot, parse, parse_when
from callbook.model import Outcome, Role, Slot, Template

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
# Friday 27 November 2026, 10:00 in London (GMT) and, 5 hours later, 10:00 in New York (EST).
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
NOW_NY = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)

TEMPLATE = Template(
    key="test",
    name="Test",
    slots=(
        Slot("gatekeeper", "Gatekeeper", "Who answers?", aliases=("gk",), role=Role.GATEKEEPER),
        Slot("decision_maker", "Decision maker", "Who decides?", aliases=("dm",)),
        Slot("dm_role", "DM role", "What is their title?", aliases=("role", "title")),
        Slot(
            "dm_availability",
            "DM availability",
            "When are they in?",
            aliases=("dm avail", "best time"),
            availability=True,
        ),
        Slot("direct_line", "Direct line", "Direct number?", aliases=("dl", "phone")),
        Slot("current_solution", "Current solution", "What do you use now?", aliases=("vendor",)),
        Slot("pain", "Pain", "What hurts?"),
        Slot("budget", "Budget", "Is there a budget?"),
        Slot("timeline", "Timeline", "By when?"),
        Slot("decision_process", "Decision process", "Who else signs?", aliases=("process",)),
        Slot("next_step", "Next step", "What happens next?"),
    ),
)

WHEN_HINT = "try @tomorrow 9:30, @thu 3pm, @monday morning, @+3d, @2026-12-01 14:30"
CODES = "!na !vm !gk !wrong !dm !cb !mtg !ni !won !dnc"
TAG_RULE = "a tag is + and a word of letters, digits, - or _"
AS_NOTE = "for a note, start the clause with 'note:'"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@dataclass(frozen=True)
class Row:
    line: str
    pieces: tuple[tuple[str, str], ...] = ()
    outcome: Outcome | None = None
    when: datetime | None = None
    objective: str | None = None
    tags: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    errors: tuple[tuple[int, int, str], ...] = ()  # (clause, column, message)
    now: datetime = NOW
    tz: ZoneInfo = LONDON


def err(line: str, message: str, clause: int = 1, column: int = 1) -> Row:
    return Row(line, errors=((clause, column, message),))


ROWS = [
    # the product brief's example
    Row(
        "gk: Sarah Jenkins; dm: Tom Li, Ops Director; dm avail: not Tuesdays; !gk; @thu 9:30; "
        "> ask Sarah for Tom's direct line",
        pieces=(
            ("gatekeeper", "Sarah Jenkins"),
            ("decision_maker", "Tom Li, Ops Director"),
            ("dm_availability", "not Tuesdays"),
        ),
        outcome=Outcome.GATEKEEPER,
        when=utc(2026, 12, 3, 9, 30),
        objective="ask Sarah for Tom's direct line",
    ),
    # nothing
    Row(""),
    Row("   "),
    Row(";; ;"),
    # pieces
    Row("gk: Sarah", pieces=(("gatekeeper", "Sarah"),)),
    Row("GK:Sarah", pieces=(("gatekeeper", "Sarah"),)),
    Row("  Gatekeeper :   Sarah  ", pieces=(("gatekeeper", "Sarah"),)),
    Row("decision_maker: Tom", pieces=(("decision_maker", "Tom"),)),
    Row("Decision-Maker: Tom", pieces=(("decision_maker", "Tom"),)),
    Row("DM_AVAIL: not Tuesdays", pieces=(("dm_availability", "not Tuesdays"),)),
    Row("best   time: after 3:30", pieces=(("dm_availability", "after 3:30"),)),
    Row("dl: +44 20 7946 0000", pieces=(("direct_line", "+44 20 7946 0000"),)),
    Row("budget: £10k; timeline: Q1", pieces=(("budget", "£10k"), ("timeline", "Q1"))),
    Row("vendor: https://acme.example", pieces=(("current_solution", "https://acme.example"),)),
    Row("gk: Zoë Šimić", pieces=(("gatekeeper", "Zoë Šimić"),)),
    Row("gk: Sa\x00rah\tJ", pieces=(("gatekeeper", "Sa rah J"),)),
    Row("\x00gk:\x1bSarah", pieces=(("gatekeeper", "Sarah"),)),
    err("gk:", "no value for Gatekeeper"),
    err("dm avail:   \x07", "no value for DM availability"),
    Row(
        "gk:  ; dm: Tom",
        pieces=(("decision_maker", "Tom"),),
        errors=((1, 1, "no value for Gatekeeper"),),
    ),
    Row(
        "gk: Sarah; gatekeeper: Sam",
        pieces=(("gatekeeper", "Sarah"),),
        errors=((2, 12, "Gatekeeper given twice (first in clause 1)"),),
    ),
    # unknown slots: errors, never silent notes
    err("gatekeper: Sarah", "unknown slot 'gatekeper'; did you mean 'gatekeeper'?"),
    err("budjet: 10k", "unknown slot 'budjet'; did you mean 'budget'?"),
    err("dm avial: Mondays", "unknown slot 'dm avial'; did you mean 'dm avail'?"),
    err("decision proc: board", "unknown slot 'decision proc'; did you mean 'decision process'?"),
    err("tom said: call back", f"unknown slot 'tom said'; {AS_NOTE}"),
    err("Re: pricing", f"unknown slot 'Re'; {AS_NOTE}"),
    # notes
    Row("left a message", notes=("left a message",)),
    Row("left a message; sounded busy", notes=("left a message", "sounded busy")),
    Row("note: Tom said: call back", notes=("Tom said: call back",)),
    err("Note:", "no text after 'Note:'"),
    Row("ratio 3:1", notes=("ratio 3:1",)),
    Row("call at 9:30 was good", notes=("call at 9:30 was good",)),
    Row("https://acme.example/about", notes=("https://acme.example/about",)),
    Row("re:pricing", notes=("re:pricing",)),
    Row("she said it is fine: call again", notes=("she said it is fine: call again",)),
    Row("at 9: call back", notes=("at 9: call back",)),
    Row("9am: standup", notes=("9am: standup",)),
    Row(": stray colon", notes=(": stray colon",)),
    Row("+44 20 7946 0000", notes=("+44 20 7946 0000",)),
    Row("ring\x1bback", notes=("ring back",)),
    Row("\x00"),
    # outcomes
    Row("!na", outcome=Outcome.NO_ANSWER),
    Row("!VM", outcome=Outcome.VOICEMAIL),
    Row("!voicemail", outcome=Outcome.VOICEMAIL),
    Row("!no answer", outcome=Outcome.NO_ANSWER),
    Row("!do-not-call", outcome=Outcome.DO_NOT_CALL),
    Row("! mtg ", outcome=Outcome.MEETING),
    Row("!wrong", outcome=Outcome.WRONG_NUMBER),
    err("!", f"no outcome after '!'; use one of {CODES}"),
    err("!maybe", f"unknown outcome '!maybe'; use one of {CODES}"),
    Row(
        "!gk; !dm",
        outcome=Outcome.GATEKEEPER,
        errors=((2, 6, "outcome given twice (first in clause 1)"),),
    ),
    # next call, London
    Row("@tomorrow 9:30", when=utc(2026, 11, 28, 9, 30)),
    Row("@tomorrow", when=utc(2026, 11, 28, 9, 0)),
    Row("@Tomorrow at 3:30 pm", when=utc(2026, 11, 28, 15, 30)),
    Row("@today 16:00", when=utc(2026, 11, 27, 16, 0)),
    Row("@ today 4pm", when=utc(2026, 11, 27, 16, 0)),
    Row("@thu", when=utc(2026, 12, 3, 9, 0)),
    Row("@thursday 9:30", when=utc(2026, 12, 3, 9, 30)),
    Row("@fri", when=utc(2026, 12, 4, 9, 0)),  # today is Friday: the next one
    Row("@sat", when=utc(2026, 11, 28, 9, 0)),
    Row("@+3d", when=utc(2026, 11, 30, 9, 0)),
    Row("@+3d 14:00", when=utc(2026, 11, 30, 14, 0)),
    Row("@+2h", when=utc(2026, 11, 27, 12, 0)),
    Row("@+30m", when=utc(2026, 11, 27, 10, 30)),
    Row("@+1w", when=utc(2026, 12, 4, 9, 0)),
    Row("@in 3 days", when=utc(2026, 11, 30, 9, 0)),
    Row("@in 2 hours", when=utc(2026, 11, 27, 12, 0)),
    Row("@in a week", when=utc(2026, 12, 4, 9, 0)),
    Row("@2026-12-01 14:30", when=utc(2026, 12, 1, 14, 30)),
    Row("@2026-12-01", when=utc(2026, 12, 1, 9, 0)),
    Row("@2026-12-01T14:30", when=utc(2026, 12, 1, 14, 30)),
    Row("@next week", when=utc(2026, 11, 30, 9, 0)),
    Row("@next tue", when=utc(2026, 12, 1, 9, 0)),
    Row("@next fri 10:00", when=utc(2026, 12, 4, 10, 0)),
    Row("@9:30", when=utc(2026, 11, 28, 9, 30)),  # 9:30 has passed today
    Row("@09:30", when=utc(2026, 11, 28, 9, 30)),
    Row("@9.30", when=utc(2026, 11, 28, 9, 30)),
    Row("@14:30", when=utc(2026, 11, 27, 14, 30)),
    Row("@3pm", when=utc(2026, 11, 27, 15, 0)),
    Row("@3:30pm", when=utc(2026, 11, 27, 15, 30)),
    Row("@12am", when=utc(2026, 11, 28, 0, 0)),
    Row("@noon", when=utc(2026, 11, 27, 12, 0)),
    Row("@9:30 tomorrow", when=utc(2026, 11, 28, 9, 30)),
    Row("@dec 1", when=utc(2026, 12, 1, 9, 0)),
    Row("@1 Dec", when=utc(2026, 12, 1, 9, 0)),
    Row("@December 1st 2027 11:15", when=utc(2027, 12, 1, 11, 15)),
    Row("@1st of dec, 2027", when=utc(2027, 12, 1, 9, 0)),
    Row("@nov 26", when=utc(2027, 11, 26, 9, 0)),  # passed this year: next year's
    Row("@feb 29", when=utc(2028, 2, 29, 9, 0)),
    # next call errors
    err("@2026-02-30", "no such date: 2026-02-30"),
    err("@feb 30", "no such date: feb 30"),
    err("@25:00", "no such time: 25:00"),
    err("@tomorrow 9:75", "no such time: 9:75"),
    err("@13pm", "no such time: 13pm"),
    err("@2026-01-01 9:00", "2026-01-01 09:00 is in the past"),
    err("@today", "2026-11-27 09:00 is in the past; add a later time"),
    err("@nov 27", "2026-11-27 09:00 is in the past; add a later time"),
    err("@+0h", "2026-11-27 10:00 is in the past"),
    err("@someday", f"cannot read the date 'someday'; {WHEN_HINT}"),
    err("@Next Blue Moon", f"cannot read the date 'Next Blue Moon'; {WHEN_HINT}"),
    err("@tomorrow at", f"cannot read the date 'tomorrow at'; {WHEN_HINT}"),
    err("@", f"no date after '@'; {WHEN_HINT}"),
    err("@+99999d", f"cannot read the date '+99999d'; {WHEN_HINT}"),
    Row(
        "@thu; @fri",
        when=utc(2026, 12, 3, 9, 0),
        errors=((2, 7, "next call given twice (first in clause 1)"),),
    ),
    # next call, New York (10:00 EST = 15:00 UTC)
    Row("@tomorrow 9:30", when=utc(2026, 11, 28, 14, 30), now=NOW_NY, tz=NEW_YORK),
    Row("@thu", when=utc(2026, 12, 3, 14, 0), now=NOW_NY, tz=NEW_YORK),
    Row("@3pm", when=utc(2026, 11, 27, 20, 0), now=NOW_NY, tz=NEW_YORK),
    Row("@9:30", when=utc(2026, 11, 28, 14, 30), now=NOW_NY, tz=NEW_YORK),
    Row("@+2h", when=utc(2026, 11, 27, 17, 0), now=NOW_NY, tz=NEW_YORK),
    Row("@2026-12-01 14:30", when=utc(2026, 12, 1, 19, 30), now=NOW_NY, tz=NEW_YORK),
    # at 02:00 UTC it is still Thursday evening in New York: tomorrow is Friday
    Row("@tomorrow", when=utc(2026, 11, 27, 14, 0), now=utc(2026, 11, 27, 2), tz=NEW_YORK),
    # DST, New York springs forward on Sunday 8 March 2026 (02:00 EST -> 03:00 EDT)
    Row("@tomorrow 9:30", when=utc(2026, 3, 8, 13, 30), now=utc(2026, 3, 7, 15), tz=NEW_YORK),
    Row("@+1d", when=utc(2026, 3, 8, 13, 0), now=utc(2026, 3, 7, 15), tz=NEW_YORK),
    Row("@+24h", when=utc(2026, 3, 8, 15, 0), now=utc(2026, 3, 7, 15), tz=NEW_YORK),
    Row("@mon 9:00", when=utc(2026, 3, 9, 13, 0), now=utc(2026, 3, 7, 15), tz=NEW_YORK),
    # 02:30 does not exist that night: it lands after the gap, at 03:30 EDT
    Row("@tomorrow 2:30", when=utc(2026, 3, 8, 7, 30), now=utc(2026, 3, 7, 15), tz=NEW_YORK),
    # London springs forward on Sunday 29 March 2026 (01:00 GMT -> 02:00 BST)
    Row("@tomorrow 9:00", when=utc(2026, 3, 29, 8, 0), now=utc(2026, 3, 28, 10), tz=LONDON),
    Row("@tomorrow 1:30", when=utc(2026, 3, 29, 1, 30), now=utc(2026, 3, 28, 10), tz=LONDON),
    # New York falls back on Sunday 1 November 2026: 01:30 happens twice, the first is EDT
    Row("@tomorrow 1:30", when=utc(2026, 11, 1, 5, 30), now=utc(2026, 10, 31, 14), tz=NEW_YORK),
    Row("@tomorrow 9:00", when=utc(2026, 11, 1, 14, 0), now=utc(2026, 10, 31, 14), tz=NEW_YORK),
    # objectives
    Row("> ask for the direct line", objective="ask for the direct line"),
    Row(">book a demo", objective="book a demo"),
    err(">", "no objective after '>'"),
    err(">  \x00 ", "no objective after '>'"),
    Row("> a; > b", objective="a", errors=((2, 6, "objective given twice (first in clause 1)"),)),
    # tags
    Row("+hot", tags=("hot",)),
    Row("+Hot +fin-tech +q4_2026", tags=("hot", "fin-tech", "q4_2026")),
    Row("+hot; +HOT", tags=("hot",)),
    Row("+café", tags=("café",)),
    err("+", f"bad tag '+'; {TAG_RULE}"),
    err("+hot stuff", f"bad tag 'stuff'; {TAG_RULE}"),
    err("+hot!", f"bad tag '+hot!'; {TAG_RULE}"),
    err("+_x", f"bad tag '+_x'; {TAG_RULE}"),
    # positions count every clause as split by `;` and skip leading spaces
    Row(
        "gk: Sarah;; !maybe",
        pieces=(("gatekeeper", "Sarah"),),
        errors=((3, 13, f"unknown outcome '!maybe'; use one of {CODES}"),),
    ),
    Row(
        "  gk: Sarah ;   budjet: x",
        pieces=(("gatekeeper", "Sarah"),),
        errors=((2, 17, "unknown slot 'budjet'; did you mean 'budget'?"),),
    ),
    # everything at once
    Row(
        "!dm; dm: Tom; budget: 50k; @+1w; > send proposal; +warm; sounded keen",
        pieces=(("decision_maker", "Tom"), ("budget", "50k")),
        outcome=Outcome.DECISION_MAKER,
        when=utc(2026, 12, 4, 9, 0),
        objective="send proposal",
        tags=("warm",),
        notes=("sounded keen",),
    ),
]


@pytest.mark.parametrize("row", ROWS, ids=[f"{i}:{r.line[:40]!r}" for i, r in enumerate(ROWS)])
def test_parse_table(row: Row) -> None:
    capture = parse(row.line, TEMPLATE, row.now, row.tz)
    assert capture.line == row.line
    assert [(p.slot, p.value) for p in capture.pieces] == list(row.pieces)
    assert capture.outcome is row.outcome
    assert capture.next_call_at == row.when
    if capture.next_call_at is not None:
        assert capture.next_call_at.tzinfo is UTC
    assert capture.objective == row.objective
    assert capture.tags == row.tags
    assert capture.notes == row.notes
    assert [(e.clause, e.column, e.message) for e in capture.errors] == list(row.errors)
    assert capture.ok is not row.errors
    for error in capture.errors:
        assert row.line.split(";")[error.clause - 1].strip() == error.text


def test_pieces_carry_their_clause_and_column() -> None:
    line = "!gk;  gk: Sarah ;;dm: Tom"
    capture = parse(line, TEMPLATE, NOW, LONDON)
    assert [(p.clause, p.column) for p in capture.pieces] == [(2, 7), (4, 19)]


# A decision maker's title also fills the title slot, found by the slot's role and key.
ROLE_TEMPLATE = Template(
    "roles",
    "Roles",
    (
        Slot("gatekeeper", "Gatekeeper", "Who answers?", aliases=("gk",), role=Role.GATEKEEPER),
        Slot("buyer", "Buyer", "Who signs?", aliases=("eb", "dm"), role=Role.DECISION_MAKER),
        Slot("dm_role", "DM role", "Their title?", aliases=("title",)),
    ),
)
NO_TITLE_SLOT = Template("bare", "Bare", ROLE_TEMPLATE.slots[:2])


@pytest.mark.parametrize(
    ("line", "pieces"),
    [
        ("dm: Tom Li, Ops Director",
         [("buyer", "Tom Li, Ops Director", 1), ("dm_role", "Ops Director", 1)]),
        ("!gk; eb: Ann Ray (CFO)", [("buyer", "Ann Ray (CFO)", 2), ("dm_role", "CFO", 2)]),
        ("dm: Tom Li", [("buyer", "Tom Li", 1)]),
        ("dm: Tom Li, ", [("buyer", "Tom Li,", 1)]),
        # The line's own title wins, before or after the decision maker.
        ("dm: Tom Li, CFO; title: COO", [("buyer", "Tom Li, CFO", 1), ("dm_role", "COO", 2)]),
        ("dm role: COO; dm: Tom Li, CFO", [("dm_role", "COO", 1), ("buyer", "Tom Li, CFO", 2)]),
        # A gatekeeper's title has no slot.
        ("gk: Sarah Jenkins, Reception", [("gatekeeper", "Sarah Jenkins, Reception", 1)]),
    ],
)  # fmt: skip
def test_a_decision_makers_title_fills_the_title_slot(
    line: str, pieces: list[tuple[str, str, int]]
) -> None:
    capture = parse(line, ROLE_TEMPLATE, NOW, LONDON)
    assert capture.ok
    assert [(p.slot, p.value, p.clause) for p in capture.pieces] == pieces


def test_without_a_title_slot_the_title_stays_on_the_contact_alone() -> None:
    capture = parse("dm: Tom Li, CFO", NO_TITLE_SLOT, NOW, LONDON)
    assert [(p.slot, p.value) for p in capture.pieces] == [("buyer", "Tom Li, CFO")]


def test_unknown_slot_error_carries_the_suggestion() -> None:
    (error,) = parse("gatekeper: Sarah", TEMPLATE, NOW, LONDON).errors
    assert error.suggestion == "gatekeeper"
    assert error.text == "gatekeper: Sarah"
    (error,) = parse("tom said: hi", TEMPLATE, NOW, LONDON).errors
    assert error.suggestion is None


def test_a_template_slot_named_note_wins_over_the_note_escape() -> None:
    template = Template("t", "T", (Slot("note", "Note", "Anything else?"),))
    capture = parse("note: hi", template, NOW, LONDON)
    assert [(p.slot, p.value) for p in capture.pieces] == [("note", "hi")]


def test_long_labels_resolve_even_when_they_do_not_look_like_slot_names() -> None:
    template = Template("t", "T", (Slot("best", "Best time to call him back", "When?"),))
    capture = parse("best time to call him back: 4pm", template, NOW, LONDON)
    assert [(p.slot, p.value) for p in capture.pieces] == [("best", "4pm")]


def test_default_hour() -> None:
    capture = parse("@tomorrow", TEMPLATE, NOW, LONDON, default_hour=14)
    assert capture.next_call_at == utc(2026, 11, 28, 14)


def test_other_zones_and_tzinfos() -> None:
    assert parse_when("tomorrow 9:00", NOW, UTC) == utc(2026, 11, 28, 9)
    tokyo = ZoneInfo("Asia/Tokyo")  # 19:00 local on Friday
    assert parse_when("@tomorrow 9:00", NOW, tokyo) == utc(2026, 11, 28, 0)


def test_parse_when_raises_value_error_with_the_message() -> None:
    with pytest.raises(ValueError, match=r"^no such date: 2026-02-30$"):
        parse_when("2026-02-30", NOW, LONDON)
    with pytest.raises(ValueError, match="is in the past"):
        parse_when("@2026-01-01 9:00", NOW, LONDON)
    assert parse_when("@thu 9:30", NOW, LONDON) == parse_when("thu 9:30", NOW, LONDON)


def test_parse_when_truncates_to_the_minute() -> None:
    now = datetime(2026, 11, 27, 10, 0, 42, 5, tzinfo=UTC)
    assert parse_when("+30m", now, LONDON) == utc(2026, 11, 27, 10, 30)


def test_outcome_help_lists_every_code() -> None:
    for outcome in Outcome:
        assert f"!{outcome.code}" in OUTCOME_HELP


def test_huge_lines_are_quick() -> None:
    started = timer.perf_counter()
    capture = parse("x" * 1_000_000, TEMPLATE, NOW, LONDON)
    assert capture.notes == () and len(capture.errors) == 1  # too long: refused, quickly
    capture = parse("gk: a; " * 1_400, TEMPLATE, NOW, LONDON)
    assert len(capture.pieces) == 1 and len(capture.errors) == 1_399
    parse("a " * 100_000 + ": b", TEMPLATE, NOW, LONDON)
    parse("@" + "1" * 100_000, TEMPLATE, NOW, LONDON)
    assert timer.perf_counter() - started < 10


# --- completion ----------------------------------------------------------------------------

D_NAMES = ["dm", "dl", "dm role", "dm avail", "direct line", "decision maker", "dm availability"]
D_NAMES += ["decision process"]  # shortest first, then template order
LONG_FORMS = [o for o in Outcome if o.value != o.code]  # every one but !won


@pytest.mark.parametrize(
    ("line", "cursor", "expected"),
    [
        ("g", 1, ["gk", "gatekeeper"]),
        ("GK", 2, ["gk"]),
        ("gk: Sarah; d", None, D_NAMES),
        ("dm ", None, ["dm role", "dm avail", "dm availability"]),
        ("dm_a", None, ["dm avail", "dm availability"]),
        ("decision", None, ["decision maker", "decision process"]),
        ("  ti", None, ["title", "timeline"]),
        ("gk: Sar", None, []),
        ("xyz", None, []),
        ("@tom", None, []),
        ("+ho", None, []),
        ("> ask", None, []),
        ("one two three four five", None, []),
        ("!", None, [f"!{o.code}" for o in Outcome] + [f"!{o.value}" for o in LONG_FORMS]),
        ("!d", None, ["!dm", "!dnc", "!decision_maker", "!do_not_call"]),
        ("!vo", None, ["!voicemail"]),
        ("! no a", None, ["!no_answer"]),
        ("gk: Sarah; !M", None, ["!mtg", "!meeting"]),
        ("budg; gk: x", 4, ["budget"]),  # the clause under the cursor, not the last one
        ("bu", 99, ["budget"]),  # cursor past the end is clamped
    ],
)
def test_complete_slot(line: str, cursor: int | None, expected: list[str]) -> None:
    assert complete_slot(line, len(line) if cursor is None else cursor, TEMPLATE) == expected


def test_complete_slot_with_nothing_typed_offers_every_name_once() -> None:
    names = complete_slot("gk: x; ", 7, TEMPLATE)
    assert len(names) == len(set(names))
    assert names[:3] == ["gk", "dm", "dl"]
    assert "dm availability" in names and "dm_availability" not in names


# --- properties ----------------------------------------------------------------------------

GRAMMAR_TOKENS = st.sampled_from(
    list("gkdmavilbuet :;;;!!@@>>++0123456789-_./ptwhnroys\x00\t\u00e9\u200b\U0001f600")
    + ["gk", "dm avail", "tomorrow", "thu", "next", "dec", "pm", "am", "note", "+3d", "@+"]
)
ANY_LINE = st.one_of(st.text(), st.lists(GRAMMAR_TOKENS, max_size=40).map("".join))
ANY_ZONE = st.sampled_from([LONDON, NEW_YORK, UTC, ZoneInfo("Asia/Kolkata")])
ANY_NOW = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)
)


@settings(max_examples=400)
@given(line=ANY_LINE, tz=ANY_ZONE, now=ANY_NOW)
def test_parse_never_raises_and_errors_point_at_their_clause(
    line: str, tz: ZoneInfo, now: datetime
) -> None:
    capture = parse(line, TEMPLATE, now, tz)
    assert capture.line == line
    clauses = line.split(";")
    for error in capture.errors:
        assert error.text
        assert line[error.column - 1 :].startswith(error.text)
        assert clauses[error.clause - 1].strip() == error.text
        before = ";".join(clauses[: error.clause - 1])
        assert len(before) < error.column
    for piece in capture.pieces:
        assert piece.value and piece.value == piece.value.strip()
        assert line[piece.column - 1 :].startswith(clauses[piece.clause - 1].strip())
    if capture.next_call_at is not None:
        assert capture.next_call_at > now and capture.next_call_at.tzinfo is UTC


@given(text=ANY_LINE, tz=ANY_ZONE, now=ANY_NOW)
def test_parse_when_returns_a_future_utc_instant_or_a_value_error(
    text: str, tz: ZoneInfo, now: datetime
) -> None:
    try:
        when = parse_when(text, now, tz)
    except ValueError as exc:
        assert str(exc)
    else:
        assert when > now and when.tzinfo is UTC


SLOT_NAMES = st.sampled_from(TEMPLATE.slots).flatmap(lambda s: st.sampled_from(s.names))
VALUES = st.text(
    st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters=";"), min_size=1
).filter(str.strip)
WHENS = st.sampled_from(["@tomorrow 9:30", "@thu", "@+3d", "@next week", "@+2h", "@dec 1"])


@given(
    pairs=st.lists(st.tuples(SLOT_NAMES, VALUES), max_size=6),
    outcome=st.none() | st.sampled_from(Outcome),
    when=st.none() | WHENS,
    tags=st.lists(st.from_regex(r"[a-z][a-z0-9_-]{0,8}", fullmatch=True), max_size=3),
    objective=st.none() | VALUES,
    spacer=st.sampled_from([";", "; ", " ;  ", ";;"]),
)
def test_valid_clauses_round_trip(
    pairs: list[tuple[str, str]],
    outcome: Outcome | None,
    when: str | None,
    tags: list[str],
    objective: str | None,
    spacer: str,
) -> None:
    keys = [next(s.key for s in TEMPLATE.slots if name in s.names) for name, _ in pairs]
    assume(len(set(keys)) == len(keys))
    clauses = [f"{name}: {value}" for name, value in pairs]
    if outcome is not None:
        clauses.append(f"!{outcome.code}")
    if when is not None:
        clauses.append(when)
    if tags:
        clauses.append(" ".join(f"+{t}" for t in tags))
    if objective is not None:
        clauses.append(f"> {objective}")
    capture = parse(spacer.join(clauses), TEMPLATE, NOW, LONDON)
    assert capture.errors == ()
    assert [(p.slot, p.value) for p in capture.pieces] == [
        (key, value.strip()) for key, (_, value) in zip(keys, pairs, strict=True)
    ]
    assert capture.outcome is outcome
    assert (capture.next_call_at is not None) == (when is not None)
    assert capture.tags == tuple(dict.fromkeys(tags))
    assert capture.objective == (objective.strip() if objective is not None else None)
    assert capture.notes == ()


@given(
    day=st.dates(min_value=datetime(2026, 11, 28).date(), max_value=datetime(2031, 11, 26).date()),
    hour=st.integers(0, 23),
    minute=st.integers(0, 59),
    tz=ANY_ZONE,
)
def test_iso_dates_keep_their_wall_time(day, hour: int, minute: int, tz: ZoneInfo) -> None:
    when = parse_when(f"@{day.isoformat()} {hour}:{minute:02d}", NOW, tz)
    local = when.astimezone(tz).replace(tzinfo=None)
    wall = datetime(day.year, day.month, day.day, hour, minute)
    probe = wall.replace(tzinfo=tz).astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    if probe == wall:
        assert local == wall
    else:  # a time in the spring-forward gap: moved forward by the gap
        assert timedelta(0) < local - wall <= timedelta(hours=1)


@given(days=st.integers(1, 1800), tz=ANY_ZONE)
def test_day_offsets_land_on_the_default_hour(days: int, tz: ZoneInfo) -> None:
    when = parse_when(f"+{days}d", NOW, tz).astimezone(tz)
    assert when.date() == NOW.astimezone(tz).date() + timedelta(days=days)
    assert (when.hour, when.minute) == (9, 0)


def test_a_clause_or_a_line_too_long_is_an_error_not_a_piece() -> None:
    from callbook.capture.grammar import MAX_CLAUSE_CHARS, MAX_LINE_CHARS

    value = "x" * (MAX_CLAUSE_CHARS + 10)
    capture = parse(f"gk: {value}; !gk", TEMPLATE, NOW, UTC)
    assert capture.pieces == () and capture.outcome is Outcome.GATEKEEPER
    (error,) = capture.errors
    assert (error.clause, error.column, error.text) == (1, 1, "gk: " + "x" * 36 + "…")
    said = f"too long ({MAX_CLAUSE_CHARS + 14} characters; a clause holds at most 2000)"
    assert error.message == said
    huge = parse("note; " * (MAX_LINE_CHARS // 5), TEMPLATE, NOW, UTC)
    assert [e.message for e in huge.errors] == [
        f"the line is too long ({len('note; ' * (MAX_LINE_CHARS // 5))} characters; the most is "
        f"{MAX_LINE_CHARS})"
    ]
    assert huge.notes == ()
    assert parse("gk: " + "x" * 1990, TEMPLATE, NOW, UTC).errors == ()
