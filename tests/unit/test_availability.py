"""Availability phrases read into rules, and what those rules allow."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from callbook.availability import Availability, parse
from callbook.config import CallingHours
from callbook.queue import next_callable

LEARNED = date(2026, 11, 26)  # a Thursday
DAYS = "Mon Tue Wed Thu Fri Sat Sun".split()


def summary(av: Availability) -> str:
    """A compact reading of the rules, for the table below."""
    if not av.understood:
        return "?"
    parts = []

    def when(w) -> str:
        bits = []
        if w.days is not None:
            bits.append("+".join(DAYS[d] for d in sorted(w.days)))
        for a, b in w.windows or ():
            bits.append(f"{a // 60:02d}:{a % 60:02d}-{b // 60:02d}:{b % 60:02d}")
        return " ".join(bits)

    parts += [f"only {when(w)}" for w in av.allowed]
    parts += [f"not {when(w)}" for w in av.blocked]
    if av.back_on:
        parts.append(f"from {av.back_on.isoformat()}")
    return "; ".join(parts) or "any time"


PHRASES = [
    # days ruled out
    ("not Tuesdays", "not Tue"),
    ("not on Tuesdays", "not Tue"),
    ("off Fridays", "not Fri"),
    ("Fridays off", "not Fri"),
    ("doesn't work Fridays", "not Fri"),
    ("he's off Fridays", "not Fri"),
    ("never in on Mondays", "not Mon"),
    ("not Mondays or Fridays", "not Mon+Fri"),
    # days allowed
    ("in office Tue and Fri", "only Tue+Fri"),
    ("in the office Tue & Thu", "only Tue+Thu"),
    ("only Thursdays", "only Thu"),
    ("Thursdays only", "only Thu"),
    ("Mon-Wed only", "only Mon+Tue+Wed"),
    ("Mon to Wed", "only Mon+Tue+Wed"),
    ("works Mon-Thu", "only Mon+Tue+Wed+Thu"),
    ("Monday through Wednesday", "only Mon+Tue+Wed"),
    # hours (a bare 1-7 is afternoon)
    ("best after 4pm", "only 16:00-24:00"),
    ("after 4pm", "only 16:00-24:00"),
    ("not before 10", "only 10:00-24:00"),
    ("not before 10am", "only 10:00-24:00"),
    ("before 11am", "only 00:00-11:00"),
    ("mornings only", "only 00:00-12:00"),
    ("afternoons", "only 12:00-24:00"),
    ("between 2 and 4pm", "only 14:00-16:00"),
    ("9:30-11:00", "only 09:30-11:00"),
    ("best time 8-9am", "only 08:00-09:00"),
    ("after 2 and before 4", "only 14:00-16:00"),
    ("noon to 2", "only 12:00-14:00"),
    ("lunch 12-1, avoid", "not 12:00-13:00"),
    ("avoid 12-2", "not 12:00-14:00"),
    # days with hours
    ("Tue/Thu mornings", "only Tue+Thu 00:00-12:00"),
    ("Wednesday afternoons", "only Wed 12:00-24:00"),
    ("weekdays after 3", "only Mon+Tue+Wed+Thu+Fri 15:00-24:00"),
    ("Tue mornings, Thu afternoons", "only Tue 00:00-12:00; only Thu 12:00-24:00"),
    ("not Monday mornings", "not Mon 00:00-12:00"),
    ("usually in meetings Mon am", "not Mon 00:00-12:00"),
    ("mornings, not Fridays", "only 00:00-12:00; not Fri"),
    ("in office Tue and Fri, best after 4pm", "only Tue+Fri 16:00-24:00"),
    # away
    ("back on 12 Jan", "from 2027-01-12"),
    ("on holiday until Monday", "from 2026-11-30"),
    ("on leave until 3 March", "from 2027-03-03"),
    ("away until 2026-12-01", "from 2026-12-01"),
    ("back next week", "from 2026-11-30"),
    ("away this week", "from 2026-11-30"),
    ("out of office till the 3rd", "from 2026-12-03"),
    ("on holiday through Friday", "from 2026-11-28"),
    ("not before 10 Jan", "from 2027-01-10"),
    ("anytime", "any time"),
    # limits narrow: combined limits intersect, a bare hour is read in the part of the day
    ("mornings before 10", "only 00:00-10:00"),
    ("mornings after 10", "only 10:00-12:00"),
    ("evenings before 8", "only 17:00-20:00"),
    ("before 10 in the morning", "only 00:00-10:00"),
    ("afternoons after 2", "only 14:00-24:00"),
    ("evenings 6-8", "only 18:00-20:00"),
    ("mornings 9-11", "only 09:00-11:00"),
    ("mornings, after 10", "only 10:00-12:00"),
    ("mornings or after 4pm", "only 00:00-12:00 16:00-24:00"),
    ("9-11 or 2-4", "only 09:00-11:00 14:00-16:00"),
    ("after 3 and before 5", "only 15:00-17:00"),
    ("not before 9:30, not after 4", "only 09:30-16:00"),
    ("not after 3pm", "only 00:00-15:00"),
    ("between 10 and noon", "only 10:00-12:00"),
    ("from 8 to 10am", "only 08:00-10:00"),
    ("10pm-midnight", "only 22:00-24:00"),
    ("Tue/Thu before 10", "only Tue+Thu 00:00-10:00"),
    ("weekday mornings before 11", "only Mon+Tue+Wed+Thu+Fri 00:00-11:00"),
    ("not Fridays after 3", "not Fri 15:00-24:00"),
    ("monday morning", "only Mon 00:00-12:00"),
    # the day words of `@when` and snooze
    ("back tmrw", "from 2026-11-27"),
    ("back tomorrow", "from 2026-11-27"),
    ("back in a fortnight", "from 2026-12-10"),
    ("back in 3 days", "from 2026-11-29"),
    ("back in 2 weeks", "from 2026-12-10"),
    ("back monday", "from 2026-11-30"),
    ("back thursday", "from 2026-12-03"),
    ("away until next tue", "from 2026-12-01"),
    ("off till tomorrow", "from 2026-11-27"),
    ("back on jan 12, 2027", "from 2027-01-12"),
    ("back on the 3rd", "from 2026-12-03"),
    ("back 1st of december", "from 2026-12-01"),
    # not understood: kept as text, never guessed
    ("not in August", "?"),
    ("call his mobile", "?"),
    ("back 12/01", "?"),
    ("Fridays after 2, mornings", "?"),
    ("after lunch", "?"),
    ("early mornings", "?"),
    ("mornings after 4pm", "?"),  # nothing left: surely misread
    ("back 9999-12-31", "?"),  # past the horizon
    ("back next week mornings", "?"),
    ("after 25", "?"),
    ("ask Sarah first", "?"),
    ("", "?"),
]


@pytest.mark.parametrize(("text", "expected"), PHRASES, ids=[p[0] or "empty" for p in PHRASES])
def test_phrase_table(text: str, expected: str) -> None:
    av = parse(text, LEARNED)
    assert summary(av) == expected
    assert av.text == text


def test_the_table_is_real_sized() -> None:
    understood = [p for p in PHRASES if p[1] != "?"]
    assert len(understood) >= 60 and len(PHRASES) - len(understood) >= 5


def test_unknown_keeps_the_text_and_no_rules() -> None:
    av = parse("usually in Leeds on Mondays", LEARNED)
    assert not av.understood and not av.has_rules and av.text == "usually in Leeds on Mondays"


NY = ZoneInfo("America/New_York")
HOURS = CallingHours()


def at(text: str, when: datetime) -> datetime | None:
    return next_callable(when, NY, HOURS, [parse(text, LEARNED)])


def test_rules_move_the_callable_time() -> None:
    tue_10 = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # Tuesday 10:00 in New York
    assert at("anytime", tue_10) == tue_10
    assert at("not Tuesdays", tue_10) == datetime(2026, 12, 2, 14, 0, tzinfo=UTC)  # Wed 9:00
    assert at("best after 4pm", tue_10) == datetime(2026, 12, 1, 21, 0, tzinfo=UTC)
    assert at("mornings only", tue_10) == tue_10
    assert at("afternoons", tue_10) == datetime(2026, 12, 1, 17, 0, tzinfo=UTC)
    assert at("lunch 12-1, avoid", datetime(2026, 12, 1, 17, 30, tzinfo=UTC)) == datetime(
        2026, 12, 1, 18, 0, tzinfo=UTC
    )
    assert at("back on 12 Jan", tue_10) == datetime(2027, 1, 12, 14, 0, tzinfo=UTC)
    # Inside calling hours only: a time the hours never reach is no time at all.
    assert at("after 6pm", tue_10) is None
    assert at("only Saturdays", tue_10) is None


def test_a_zone_of_unknown_hours_is_callable_any_time() -> None:
    three_am = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
    assert next_callable(three_am, UTC, None, []) == three_am
    assert next_callable(three_am, UTC, None, [parse("not Tuesdays", LEARNED)]) == datetime(
        2026, 12, 2, tzinfo=UTC
    )


def test_reasons_read_as_people_say_them() -> None:
    from callbook.queue import rule_reason

    tue_10 = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)

    def reason(text: str, who: str | None = "Tom", when: datetime = tue_10) -> str:
        return rule_reason(parse(text, LEARNED), when, NY, who)

    assert reason("not Tuesdays") == "Tom is off on Tuesdays"
    assert reason("not Tuesdays", None) == "they are off on Tuesdays"
    assert reason("in office Thu and Fri") == "Tom is in on Thursdays and Fridays only"
    assert reason("best after 4pm") == "Tom: after 16:00 only"
    assert reason("afternoons", None) == "afternoons only"
    assert reason("back on 12 Jan") == "Tom is back Tue 12 Jan"
    assert reason("lunch 12-1, avoid", when=datetime(2026, 12, 1, 17, 30, tzinfo=UTC)) == (
        "Tom: not 12:00–13:00"
    )
    assert reason("Mon-Fri, not Tuesday mornings") == "Tom: not Tuesday mornings"
    assert reason("Wed/Thu afternoons") == "Tom: Wednesday and Thursday afternoons only"
