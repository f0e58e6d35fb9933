"""Availability pieces read into rules the queue respects: which days, which hours (in the
prospect's local time), and from which date a prospect can be called.

"not Tuesdays", "in office Tue and Fri", "best after 4pm", "mornings only", "back on 12 Jan",
"lunch 12-1, avoid" ... A phrase is understood whole or not at all: one that is not is returned
with `understood=False` and its text kept, to be shown as it was written, never half-read or
guessed. Pure: no I/O, no clock (relative dates are read from the day the piece was learned).

Reading conventions (the places where a phrase could mean two things):
- Words for days, months, parts of the day and dates are `callbook.when`'s, and so is the one
  rule for a bare hour: next to a part of the day it is read in it ("evenings before 8" is
  17:00-20:00), alone 1-7 is afternoon ("after 3" is 15:00), 8-12 morning or noon.
- "morning" is before 12:00, "afternoon" from 12:00, "evening" from 17:00.
- Limits narrow: in a clause, parts of the day add up, as do ranges, ranges fall within the
  parts ("evenings 6-8" is 18:00-20:00), and "after"/"before" cut them all ("mornings before
  10" is 00:00-10:00, "mornings after 10" 10:00-12:00); across clauses a
  clause of limits alone cuts the others too ("mornings, after 10") unless it follows "or".
  A phrase whose limits leave no time at all is not understood.
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
from dataclasses import dataclass, field
from datetime import date, timedelta

from callbook import when as when_words
from callbook.when import DAY, Window

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
# Day, month and part-of-day words, bare hours and dates are `callbook.when`'s: one vocabulary.

DAYS = when_words.WEEKDAYS
_DAY_GROUPS = when_words.DAY_GROUPS
_PARTS = when_words.PARTS
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
_SEPARATORS = (",", ";", "but", "and", "or", "+", "&", ".")

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
    alternative: bool = False  # follows "or": it adds hours, never cuts the others
    days: frozenset[int] | None = None
    parts: list[Window] = field(default_factory=list)  # parts of the day named: they add up
    ranges: list[tuple[str, str]] = field(default_factory=list)  # "2-4pm", as typed: add up,
    # within the parts when there are some
    afters: list[str] = field(default_factory=list)  # "after 3": limits, they narrow
    befores: list[str] = field(default_factory=list)
    back_on: date | None = None
    anytime: bool = False

    @property
    def has_hours(self) -> bool:
        return bool(self.parts or self.ranges or self.afters or self.befores)

    @property
    def limits_only(self) -> bool:
        return not (self.parts or self.ranges) and bool(self.afters or self.befores)

    def windows(self) -> list[Window] | None:
        """The hours this clause names (None: all day): its parts and ranges together, cut by
        its limits. A bare hour is read in the clause's part of the day, if it names one."""
        if not self.has_hours:
            return None
        part = self.parts[0] if len(set(self.parts)) == 1 else None
        ranges = union([], [_range(a, b, part) for a, b in self.ranges])
        if ranges and self.parts:  # "evenings 6-8": those hours of that part
            windows = intersect(union([], list(self.parts)), ranges)
        else:
            windows = ranges or union([], list(self.parts)) or [(0, DAY)]
        for word in self.afters:
            windows = intersect(windows, [(_minutes(word, part), DAY)])
        for word in self.befores:
            windows = intersect(windows, [(0, _minutes(word, part))])
        if not windows:
            raise _Unknown  # "mornings after 4pm": nothing left, surely misread
        return union([], windows)


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
        return self.peek() in (None, *_SEPARATORS)

    # - the phrase -

    def phrase(self) -> list[_Clause]:
        clauses = []
        alternative = False
        while not self.done():
            if self.peek() in _SEPARATORS:
                alternative = alternative or self.peek() == "or"
                self.at += 1
                continue
            clause = self.clause()
            clause.alternative = alternative
            alternative = False
            clauses.append(clause)
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
            clause.befores.append(self.time())
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
            and self.peek(1) in ("before", "by", "after", *_UNTIL)
            and clause.has_hours
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
        if not (clause.days or clause.has_hours or clause.back_on or clause.anytime):
            raise _Unknown
        clause.windows()  # hours that leave nothing: not understood
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
            clause.parts.append(_PARTS[word])
            return True
        if word == "from" and self.peek(2) in _RANGE_JOINERS:  # "from 8 to 10am"
            self.at += 1
            clause.ranges.append(self.range())
            return True
        if word in ("after", "from", "since"):
            self.at += 1
            clause.afters.append(self.time())
            return True
        if word == "and":
            self.at += 1
            return True
        if word in ("before", "by") or word in _UNTIL:
            self.at += 1
            clause.befores.append(self.time())
            return True
        if word == "between":
            self.at += 1
            clause.ranges.append(self.range())
            return True
        if _is_time(word) or word in ("noon", "midday"):
            clause.ranges.append(self.range())
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

    # - times: kept as typed, read when the clause is whole (its part of the day known) -

    def time(self) -> str:
        word = self.peek()
        if word in ("noon", "midday", "midnight"):
            self.at += 1
            return word
        if word is None or not _is_time(word):
            raise _Unknown
        self.at += 1
        if self.peek() in ("am", "pm") and not word.endswith(("am", "pm")):
            word += self.tokens[self.at]
            self.at += 1
        return word

    def range(self) -> tuple[str, str]:
        start = self.time()
        if self.peek() not in _RANGE_JOINERS:
            raise _Unknown
        self.at += 1
        return start, self.time()

    # - special clauses -

    def after_not_before(self, clause: _Clause) -> _Clause:
        day = self.date()
        if day is not None:
            clause.back_on = day
        else:
            clause.afters.append(self.time())
        return self.end(clause)

    def lunch(self, clause: _Clause) -> _Clause:
        # "lunch 12-1", "lunch 12-1, avoid", "lunch 12-1 avoid": at lunch then, so not callable.
        self.at += 1
        self.skip_filler()
        clause.ranges.append(self.range())
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
            clause.back_on = self.date_or_fail(skip=("on", "in"))
        elif word in _UNTIL:
            self.at += 1
            clause.back_on = self.date_or_fail()
        elif word in _THROUGH:
            self.at += 1
            clause.back_on = self.date_or_fail() + timedelta(days=1)
        elif self.take("this", "week"):
            clause.back_on = when_words.next_monday(self.learned)
        elif self.take("today"):
            clause.back_on = self.learned + timedelta(days=1)
        else:
            raise _Unknown
        return self.end(clause)

    def date_or_fail(self, skip: tuple[str, ...] = ()) -> date:
        day = self.date()
        if day is None and self.peek() in skip:
            self.at += 1
            day = self.date()
        if day is None:
            raise _Unknown
        return day

    def date(self) -> date | None:
        """The longest run of tokens at the cursor that `when.read_day` reads as a day, read
        from the day the piece was learned."""
        for size in range(min(5, len(self.tokens) - self.at), 0, -1):
            words = self.tokens[self.at : self.at + size]
            if words[-1] in _SEPARATORS:
                continue
            text = " ".join(words).replace(" ,", ",")
            try:
                day = when_words.read_day(text, self.learned)
            except when_words.WhenError:
                raise _Unknown from None
            if day is not None:
                self.at += size
                return day
        return None


def _is_time(word: str) -> bool:
    return bool(re.fullmatch(r"\d{1,2}(?:[:.]\d{2})?(?:am|pm)?", word))


def _minutes(word: str, part: Window | None = None) -> int:
    try:
        at = when_words.read_time(word, part)
    except when_words.WhenError:
        raise _Unknown from None
    if at is None:
        raise _Unknown
    return when_words.minutes(at)


def _range(start_word: str, end_word: str, part: Window | None) -> Window:
    start, end = _minutes(start_word, part), _minutes(end_word, part)
    if not start_word.endswith(("am", "pm")) and end_word[-2:] in ("am", "pm"):
        # "2-4pm": the suffix of the end belongs to the start too, when that keeps the order
        with_suffix = _minutes(start_word + end_word[-2:])
        if with_suffix < end:
            start = with_suffix
    if end == 0 and start > 0:
        end = DAY  # "10pm-midnight"
    if end <= start:
        raise _Unknown
    return (start, end)


def _combine(text: str, clauses: list[_Clause]) -> Availability:
    blocked: list[When] = []
    pure_days: list[frozenset[int]] = []
    pure_windows: list[Window] = []
    limits: list[list[Window]] = []  # clauses of limits alone: they cut the others
    mixed: list[When] = []
    back_on: date | None = None
    for clause in clauses:
        if clause.back_on is not None:
            back_on = max(back_on, clause.back_on) if back_on else clause.back_on
            if clause.days is None and not clause.has_hours:
                continue
        windows = clause.windows()
        hours = tuple(windows) if windows is not None else None
        if clause.negative:
            blocked.append(When(clause.days, hours))
        elif clause.days is not None and hours is not None:
            mixed.append(When(clause.days, hours))
        elif clause.days is not None:
            pure_days.append(clause.days)
        elif windows is not None and clause.limits_only and not clause.alternative:
            limits.append(windows)
        elif windows is not None:
            pure_windows.extend(windows)
    if limits:
        cut = union([], pure_windows) if pure_windows else [(0, DAY)]
        for windows in limits:
            cut = intersect(cut, windows)
        if not cut:
            return unknown(text)
        pure_windows = cut
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
        return _combine(text, clauses) if clauses else unknown(text)
    except (_Unknown, IndexError, KeyError):
        return unknown(text)
