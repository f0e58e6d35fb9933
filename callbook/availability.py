"""Availability pieces read into rules the queue respects: which days, which hours (in the
prospect's local time), and from which date a prospect can be called.

"not Tuesdays", "in office Tue and Fri", "best after 4pm", "mornings only", "back on 12 Jan",
"lunch 12-1, avoid" ... A phrase is understood whole or not at all: one that is not is returned
with `understood=False` and its text kept, to be shown as it was written, never half-read or
guessed. Pure: no I/O, no clock (relative dates are read from the day the piece was learned).

Reading conventions (the places where a phrase could mean two things):
- A bare hour without am/pm is a business hour: 1-7 is afternoon ("after 3" is 15:00), 8-12 is
  morning or noon, 13-23 is itself.
- "morning" is before 12:00, "afternoon" from 12:00, "evening" from 17:00.
- "until Monday", "back on 12 Jan", "away till the 3rd": callable again on that date. "through"
  or "thru" a date: the day after. A weekday means the next one after the day it was learned;
  "next Tue" is the Tuesday of the next calendar week (as `@next tue` in a capture line).
- Days and hours in one clause go together ("Tue/Thu mornings": Tuesday and Thursday mornings);
  clauses combine ("in office Tue and Fri, best after 4pm": those days, after 16:00). A phrase
  that mixes day-specific hours with hours for any day is not understood.
- Numeric dates such as "12/01" are not understood (day-first or month-first?).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, timedelta

DAY = 24 * 60  # minutes
Window = tuple[int, int]  # [start, end) in minutes from local midnight

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True, slots=True)
class When:
    """A part of the week: some days (None: any day) and some hours (None: all day)."""

    days: frozenset[int] | None = None  # Monday = 0
    windows: tuple[Window, ...] | None = None

    def matches(self, weekday: int, minute: int) -> bool:
        if self.days is not None and weekday not in self.days:
            return False
        if self.windows is None:
            return True
        return any(a <= minute < b for a, b in self.windows)


@dataclass(frozen=True, slots=True)
class Availability:
    """One availability piece, read. With `understood=False` it carries no rules."""

    text: str
    understood: bool
    allowed: tuple[When, ...] = ()  # callable only inside one of these (empty: any time)
    blocked: tuple[When, ...] = ()  # never inside any of these
    back_on: date | None = None  # not callable before this date

    @property
    def has_rules(self) -> bool:
        return bool(self.allowed or self.blocked or self.back_on)

    def allows(self, day: date, minute: int) -> bool:
        """Whether this piece allows a call at `minute` of local `day`."""
        if self.back_on is not None and day < self.back_on:
            return False
        weekday = day.weekday()
        if self.allowed and not any(w.matches(weekday, minute) for w in self.allowed):
            return False
        return not any(w.matches(weekday, minute) for w in self.blocked)

    def windows_on(self, day: date, base: list[Window]) -> list[Window]:
        """The parts of `base` (windows of local `day`) that this piece allows."""
        if self.back_on is not None and day < self.back_on:
            return []
        weekday = day.weekday()
        if self.allowed:
            allowed: list[Window] = []
            for when in self.allowed:
                if when.days is None or weekday in when.days:
                    allowed = union(allowed, list(when.windows or ((0, DAY),)))
            base = intersect(base, allowed)
        for when in self.blocked:
            if when.days is None or weekday in when.days:
                base = subtract(base, list(when.windows or ((0, DAY),)))
        return base


def unknown(text: str) -> Availability:
    return Availability(text=text, understood=False)


# --- windows -------------------------------------------------------------------------------


def union(a: list[Window], b: list[Window]) -> list[Window]:
    merged: list[Window] = []
    for start, end in sorted(a + b):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def intersect(a: list[Window], b: list[Window]) -> list[Window]:
    out = []
    for a0, a1 in a:
        for b0, b1 in b:
            start, end = max(a0, b0), min(a1, b1)
            if start < end:
                out.append((start, end))
    return sorted(out)


def subtract(a: list[Window], b: list[Window]) -> list[Window]:
    out = a
    for b0, b1 in b:
        step = []
        for a0, a1 in out:
            if b1 <= a0 or b0 >= a1:
                step.append((a0, a1))
                continue
            if a0 < b0:
                step.append((a0, b0))
            if b1 < a1:
                step.append((b1, a1))
        out = step
    return out


def hhmm(minute: int) -> str:
    return f"{minute // 60 % 24:02d}:{minute % 60:02d}"


def describe_window(window: Window) -> str:
    start, end = window
    if (start, end) == (0, 12 * 60):
        return "mornings"
    if (start, end) == (12 * 60, DAY):
        return "afternoons"
    if (start, end) == (17 * 60, DAY):
        return "evenings"
    if start == 0:
        return f"before {hhmm(end)}"
    if end == DAY:
        return f"after {hhmm(start)}"
    return f"{hhmm(start)}–{hhmm(end)}"


def describe_days(days: frozenset[int], *, plural: bool = True) -> str:
    """'Tuesdays', 'Tuesdays and Fridays', 'weekdays', 'Mondays, Tuesdays and Wednesdays';
    with plural=False 'Tuesday and Friday' (as in 'Tuesday and Friday mornings')."""
    if days == frozenset(range(5)):
        return "weekdays"
    if days == frozenset({5, 6}):
        return "weekends"
    names = [WEEKDAY_NAMES[d] + ("s" if plural else "") for d in sorted(days)]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def describe_when(when: When) -> str:
    parts = []
    if when.days is not None:
        parts.append(describe_days(when.days, plural=when.windows is None))
    if when.windows is not None:
        parts.append(", ".join(describe_window(w) for w in when.windows))
    return " ".join(parts)


# --- reading a phrase ----------------------------------------------------------------------

_DAY_WORDS = {
    0: "mon monday mondays mons",
    1: "tue tues tuesday tuesdays tu",
    2: "wed weds wednesday wednesdays",
    3: "thu thur thurs thursday thursdays",
    4: "fri friday fridays fris",
    5: "sat saturday saturdays",
    6: "sun sunday sundays",
}
DAYS = {word: day for day, words in _DAY_WORDS.items() for word in words.split()}
_DAY_GROUPS = {
    "weekdays": frozenset(range(5)),
    "weekday": frozenset(range(5)),
    "weekends": frozenset({5, 6}),
    "weekend": frozenset({5, 6}),
}
MONTHS = {
    name: number
    for number, names in enumerate(
        (
            "jan january",
            "feb february",
            "mar march",
            "apr april",
            "may",
            "jun june",
            "jul july",
            "aug august",
            "sep sept september",
            "oct october",
            "nov november",
            "dec december",
        ),  # fmt: skip
        start=1,
    )
    for name in names.split()
}
_PARTS = {
    "morning": (0, 12 * 60),
    "mornings": (0, 12 * 60),
    "am": (0, 12 * 60),
    "afternoon": (12 * 60, DAY),
    "afternoons": (12 * 60, DAY),
    "pm": (12 * 60, DAY),
    "evening": (17 * 60, DAY),
    "evenings": (17 * 60, DAY),
}
# Words that carry no rule, wherever they stand in a clause.
_FILLER = frozenset(
    """best usually normally generally typically mostly often try call calls calling ring reach
    reached him her them he she they is are he's she's they're it's its it time times only
    please ideally
    preferably prefers prefer available availability around works work working in office the
    at to on for good better a an catch free reachable there here days day hours""".split()
)
# Clause openers that turn what follows into a block ("not Tuesdays", "avoid 12-1").
_NEGATIONS = (
    ("does", "not", "work"), ("doesn't", "work"), ("doesnt", "work"), ("do", "not", "call"),
    ("don't", "call"), ("dont", "call"), ("never", "in"), ("not", "in"), ("not", "on"),
    ("not", "available"), ("no", "calls"), ("in", "meetings"), ("in", "meeting"),
    ("not",), ("never",), ("no",), ("off",), ("avoid",), ("unavailable",), ("busy",),
    ("out",), ("closed",), ("except",),
)  # fmt: skip
_AWAY = frozenset(
    """holiday holidays vacation leave away out off ooo sick travelling traveling abroad
    annual paternity maternity parental sabbatical office of""".split()
)
_UNTIL = frozenset({"until", "till", "til", "untill"})
_THROUGH = frozenset({"through", "thru"})
_BACK = frozenset({"back", "returns", "return", "returning"})
_RANGE_JOINERS = frozenset({"-", "to", "until", "till", "til", "and"})

_TOKEN_RE = re.compile(
    r"\d{4}-\d{2}-\d{2}"  # ISO date
    r"|\d{1,2}[:.]\d{2}(?:am|pm)?"  # 9:30, 9.30, 9:30pm
    r"|\d{1,2}(?:am|pm)"  # 4pm
    r"|\d{1,4}(?:st|nd|rd|th)?"  # 4, 12th, 2027
    r"|[a-z]+(?:'[a-z]+)?"  # words, don't
    r"|[-,;/+&.]"
)


def _tokens(text: str) -> list[str] | None:
    """Lower-cased tokens; None when the phrase holds something the reader cannot place."""
    text = text.casefold()
    text = text.replace("–", "-").replace("—", "-").replace("’", "'")
    text = re.sub(r"\b([ap])\.m\.?", r"\1m", text)
    text = re.sub(r"(\d)\s+([ap]m)\b", r"\1\2", text)
    if re.search(r"\d+/\d+", text):  # 12/01: day or month first? not guessed
        return None
    tokens: list[str] = []
    position = 0
    for match in _TOKEN_RE.finditer(text):
        skipped = text[position : match.start()]
        if skipped.strip() and skipped.strip() not in '!"()':
            return None
        tokens.append(match.group())
        position = match.end()
    if text[position:].strip(' !"()'):
        return None
    return tokens


@dataclass
class _Clause:
    negative: bool = False
    days: frozenset[int] | None = None
    windows: list[Window] | None = None
    back_on: date | None = None
    anytime: bool = False


class _Unknown(Exception):
    pass


class _Reader:
    """Reads the tokens of one phrase, clause by clause."""

    def __init__(self, tokens: list[str], learned: date) -> None:
        self.tokens = tokens
        self.at = 0
        self.learned = learned

    # - helpers -

    def peek(self, offset: int = 0) -> str | None:
        index = self.at + offset
        return self.tokens[index] if index < len(self.tokens) else None

    def take(self, *words: str) -> bool:
        """Consume `words` if they come next."""
        if tuple(self.tokens[self.at : self.at + len(words)]) == words:
            self.at += len(words)
            return True
        return False

    def done(self) -> bool:
        return self.at >= len(self.tokens)

    def at_separator(self) -> bool:
        return self.peek() in (None, ",", ";", "but", "and", "or", "+", "&", ".")

    # - the phrase -

    def phrase(self) -> list[_Clause]:
        clauses = []
        while not self.done():
            if self.peek() in (",", ";", "but", "and", "or", "+", "&", "."):
                self.at += 1
                continue
            clauses.append(self.clause())
        return clauses

    def clause(self) -> _Clause:
        clause = _Clause()
        self.skip_filler(keep={"in", "on", "off", "out"})
        if self.peek() in _BACK or self.away_ahead():
            return self.away(clause)
        if self.peek() == "lunch":
            return self.lunch(clause)
        if self.take("not", "before") or self.take("no", "earlier", "than"):
            return self.after_not_before(clause)
        if self.take("not", "after") or self.take("no", "later", "than"):
            clause.windows = [(0, self.time())]
            return self.end(clause)
        for words in _NEGATIONS:
            if self.take(*words):
                clause.negative = True
                break
        progress = True
        while progress and not self.at_separator_of(clause):
            progress = self.item(clause)
        if clause.negative and self.take("avoid"):
            pass  # "no calls 12-1, avoid" reads the same
        return self.end(clause)

    def at_separator_of(self, clause: _Clause) -> bool:
        if (
            self.peek() == "and"
            and self.peek(1) in ("before", "by", *_UNTIL)
            and clause.windows
            and clause.windows[-1][1] == DAY
        ):
            return False  # "after 2 and before 4" is one window
        return self.at_separator()

    def end(self, clause: _Clause) -> _Clause:
        self.skip_filler()
        if self.take("avoid") or self.take("off") or self.take("out"):
            clause.negative = True
        self.skip_filler()
        if not self.at_separator():
            raise _Unknown
        if not (clause.days or clause.windows is not None or clause.back_on or clause.anytime):
            raise _Unknown
        return clause

    def skip_filler(self, keep: frozenset[str] | set[str] = frozenset()) -> None:
        while self.peek() in _FILLER and self.peek() not in keep:
            # "in meetings", "not in" and "out of office" mean something; leave them.
            if self.peek() == "in" and self.peek(1) in ("meetings", "meeting"):
                return
            self.at += 1

    def item(self, clause: _Clause) -> bool:
        """One part of a clause: days, a part of the day, a window. False when none is next."""
        self.skip_filler(keep={"off", "out"})
        word = self.peek()
        if word is None or self.at_separator_of(clause):
            return False
        if word in ("anytime", "whenever", "flexible") or self.take("any", "time"):
            if word != "any":
                self.at += 1
            clause.anytime = True
            return True
        if word in DAYS or word in _DAY_GROUPS:
            clause.days = (clause.days or frozenset()) | self.days()
            return True
        if word in _PARTS:
            self.at += 1
            clause.windows = (clause.windows or []) + [_PARTS[word]]
            return True
        if word in ("after", "from", "since"):
            self.at += 1
            clause.windows = (clause.windows or []) + [(self.time(), DAY)]
            return True
        if word == "and":
            self.at += 1
            return True
        if word in ("before", "by") or word in _UNTIL:
            self.at += 1
            end = self.time()
            if clause.windows and clause.windows[-1][1] == DAY and clause.windows[-1][0] < end:
                clause.windows[-1] = (clause.windows[-1][0], end)  # after 2 (and) before 4
            else:
                clause.windows = (clause.windows or []) + [(0, end)]
            return True
        if word == "between":
            self.at += 1
            clause.windows = (clause.windows or []) + [self.range()]
            return True
        if _is_time(word) or word in ("noon", "midday"):
            clause.windows = (clause.windows or []) + [self.range()]
            return True
        return False

    def days(self) -> frozenset[int]:
        word = self.tokens[self.at]
        self.at += 1
        if word in _DAY_GROUPS:
            return _DAY_GROUPS[word]
        first = DAYS[word]
        if self.peek() in ("-", "to", "through", "thru", "until", "till") and self.peek(1) in DAYS:
            self.at += 1
            last = DAYS[self.tokens[self.at]]
            self.at += 1
            span = (last - first) % 7
            return frozenset((first + i) % 7 for i in range(span + 1))
        found = {first}
        while self.peek() in (",", "and", "/", "&", "or", "+") and self.peek(1) in DAYS:
            self.at += 1
            found.add(DAYS[self.tokens[self.at]])
            self.at += 1
        return frozenset(found)

    # - times -

    def time(self, suffix: str | None = None) -> int:
        word = self.peek()
        if word in ("noon", "midday"):
            self.at += 1
            return 12 * 60
        if word is None or not _is_time(word):
            raise _Unknown
        self.at += 1
        if self.peek() in ("am", "pm") and not word.endswith(("am", "pm")):
            word += self.tokens[self.at]
            self.at += 1
        return _minutes(word, suffix)

    def range(self) -> Window:
        start_word = self.peek()
        start = self.time()
        if self.peek() not in _RANGE_JOINERS:
            raise _Unknown
        self.at += 1
        end_word = self.peek() or ""
        end = self.time()
        if start_word and not start_word.endswith(("am", "pm")) and end_word[-2:] in ("am", "pm"):
            # "2-4pm": the suffix of the end belongs to the start too, when that keeps the order
            with_suffix = _minutes(start_word, end_word[-2:])
            if with_suffix < end:
                start = with_suffix
        if end <= start:
            raise _Unknown
        return (start, end)

    # - special clauses -

    def after_not_before(self, clause: _Clause) -> _Clause:
        day = self.date()
        if day is not None:
            clause.back_on = day
        else:
            clause.windows = [(self.time(), DAY)]
        return self.end(clause)

    def lunch(self, clause: _Clause) -> _Clause:
        # "lunch 12-1", "lunch 12-1, avoid", "lunch 12-1 avoid": at lunch then, so not callable.
        self.at += 1
        self.skip_filler()
        clause.windows = [self.range()]
        clause.negative = True
        if self.peek() == "," and self.peek(1) == "avoid":
            self.at += 1
        return self.end(clause)

    def away_ahead(self) -> bool:
        """A run of away-words ("on holiday", "out of office") followed by until, through,
        back or this week / today."""
        index, away = self.at, False
        while index < len(self.tokens) and (
            self.tokens[index] in _AWAY or self.tokens[index] in ("on", "an", "a", "the")
        ):
            away = away or self.tokens[index] in _AWAY
            index += 1
        following = self.tokens[index] if index < len(self.tokens) else None
        return away and following in _UNTIL | _THROUGH | _BACK | {"this", "today"}

    def away(self, clause: _Clause) -> _Clause:
        while self.peek() in _AWAY or self.peek() in ("on", "an", "a", "the"):
            self.at += 1
        word = self.peek()
        if word in _BACK:
            self.at += 1
            self.take("on")
            self.take("in")
            clause.back_on = self.date_or_fail()
        elif word in _UNTIL:
            self.at += 1
            clause.back_on = self.date_or_fail()
        elif word in _THROUGH:
            self.at += 1
            clause.back_on = self.date_or_fail() + timedelta(days=1)
        elif self.take("this", "week"):
            clause.back_on = _next_monday(self.learned)
        elif self.take("today"):
            clause.back_on = self.learned + timedelta(days=1)
        else:
            raise _Unknown
        return self.end(clause)

    def date_or_fail(self) -> date:
        day = self.date()
        if day is None:
            raise _Unknown
        return day

    def date(self) -> date | None:
        """A date phrase at the cursor, read from the day the piece was learned."""
        learned = self.learned
        word = self.peek()
        if word is None:
            return None
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", word):
            self.at += 1
            try:
                return date.fromisoformat(word)
            except ValueError:
                raise _Unknown from None
        if word == "tomorrow":
            self.at += 1
            return learned + timedelta(days=1)
        if self.take("next", "week"):
            return _next_monday(learned)
        if word == "next" and self.peek(1) in DAYS:
            self.at += 2
            return _next_monday(learned) + timedelta(days=DAYS[self.tokens[self.at - 1]])
        if word in DAYS:
            self.at += 1
            ahead = (DAYS[word] - learned.weekday() - 1) % 7 + 1
            return learned + timedelta(days=ahead)
        self.take("the")
        word = self.peek()
        number = re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)?", word or "")
        if number and self.peek(1) in MONTHS:  # 12 jan
            self.at += 2
            self.take("of")
            return self.calendar(MONTHS[self.tokens[self.at - 1]], int(number[1]))
        if word in MONTHS:  # jan 12
            match = re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)?", self.peek(1) or "")
            if not match:
                raise _Unknown
            self.at += 2
            return self.calendar(MONTHS[word], int(match[1]))
        if number and word != number[1]:  # "the 12th": the next such day of a month
            self.at += 1
            day = int(number[1])
            for months in range(0, 3):
                year, month = divmod(learned.month - 1 + months, 12)
                try:
                    when = date(learned.year + year, month + 1, day)
                except ValueError:
                    continue
                if when >= learned:
                    return when
            raise _Unknown
        return None

    def calendar(self, month: int, day: int) -> date:
        year_word = self.peek()
        if year_word and re.fullmatch(r"\d{4}", year_word):
            self.at += 1
            try:
                return date(int(year_word), month, day)
            except ValueError:
                raise _Unknown from None
        for year in range(self.learned.year, self.learned.year + 5):
            try:
                when = date(year, month, day)
            except ValueError:
                continue
            if when >= self.learned:
                return when
        raise _Unknown


def _next_monday(day: date) -> date:
    return day + timedelta(days=7 - day.weekday())


def _is_time(word: str) -> bool:
    return bool(re.fullmatch(r"\d{1,2}(?:[:.]\d{2})?(?:am|pm)?", word))


def _minutes(word: str, suffix: str | None = None) -> int:
    match = re.fullmatch(r"(\d{1,2})(?:[:.](\d{2}))?(am|pm)?", word)
    if not match:
        raise _Unknown
    hour, minute = int(match[1]), int(match[2] or 0)
    half = match[3] or suffix
    if minute > 59:
        raise _Unknown
    if half:
        if not 1 <= hour <= 12:
            raise _Unknown
        hour = hour % 12 + (12 if half == "pm" else 0)
    elif 1 <= hour <= 7:
        hour += 12  # a business hour: "after 3" is 15:00
    elif hour > 23 or hour == 0:
        raise _Unknown
    return hour * 60 + minute


def _combine(text: str, clauses: list[_Clause]) -> Availability:
    blocked: list[When] = []
    pure_days: list[frozenset[int]] = []
    pure_windows: list[Window] = []
    mixed: list[When] = []
    back_on: date | None = None
    for clause in clauses:
        if clause.back_on is not None:
            back_on = max(back_on, clause.back_on) if back_on else clause.back_on
            if clause.days is None and clause.windows is None:
                continue
        windows = tuple(union([], clause.windows)) if clause.windows is not None else None
        if clause.negative:
            blocked.append(When(clause.days, windows))
        elif clause.days is not None and windows is not None:
            mixed.append(When(clause.days, windows))
        elif clause.days is not None:
            pure_days.append(clause.days)
        elif windows is not None:
            pure_windows.extend(windows)
    allowed: list[When] = []
    days = frozenset().union(*pure_days) if pure_days else None
    if mixed:
        if pure_windows:
            return unknown(text)  # "Fri after 2, mornings": which hours on which days?
        allowed = mixed + ([When(days, None)] if days is not None else [])
    elif days is not None or pure_windows:
        allowed = [When(days, tuple(union([], pure_windows)) if pure_windows else None)]
    return Availability(
        text=text, understood=True, allowed=tuple(allowed), blocked=tuple(blocked),
        back_on=back_on,
    )  # fmt: skip


@functools.lru_cache(maxsize=16384)
def parse(text: str, learned: date) -> Availability:
    """Read one availability phrase learned on `learned` (the prospect's local date).

    Returns `understood=False` (and no rules) for anything not understood whole."""
    cleaned = " ".join(text.split())
    tokens = _tokens(cleaned) if cleaned else None
    if not tokens:
        return unknown(text)
    reader = _Reader(tokens, learned)
    try:
        clauses = reader.phrase()
    except (_Unknown, IndexError, KeyError):
        return unknown(text)
    if not clauses:
        return unknown(text)
    return _combine(text, clauses)
