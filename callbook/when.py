"""One vocabulary of days, times, horizons and zone names, for every place a caller types one:
`@when` in a capture line, availability pieces, snooze, the config file and imports.

The words:
- Days: `today`, `tomorrow` (`tmrw`, `tmr`, `tmw`), a weekday (`thu`, `thursday`: the next one
  strictly after today), `this thu` (today when today is one), `next week` (next Monday),
  `next thu` (Thursday of next calendar week), `in a fortnight` / `fortnight` (14 days),
  `in 3 days`, `in 2 weeks`, `+3d`, `+1w`, `2026-12-01`, `dec 1` / `1 dec` / `1st of december`,
  with an optional year (without one: the next such date from today on), `the 12th` (the next
  12th of a month).
- Parts of the day: `morning` (before 12:00), `afternoon` (from 12:00), `evening` (from
  17:00); as a moment for a next call: morning 09:00, afternoon 14:00, evening 18:00,
  `eod` (end of day) 17:00, `noon`/`midday` 12:00.
- Times: `9:30`, `9.30`, `3pm`, `3:30 pm`, `noon`, `midnight`, and a bare hour, read by one rule:
  next to a part of the day the hour is read in it (`evening 8` is 20:00, `morning 10` 10:00);
  alone, 1-7 is afternoon (`3` is 15:00), 8-12 morning or noon, 0 and 13-23 themselves.
- Horizon: no date more than `HORIZON_YEARS` years ahead, anywhere (a date without a year looks
  no further either): past it, one line says so.
- Zone names: `resolve_zone` is the one reader of an IANA name, in any case
  (`europe/london`), and HubSpot's `america_slash_new_york`.
"""

from __future__ import annotations

import functools
import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

HORIZON_YEARS = 5
DAY = 24 * 60  # minutes
Window = tuple[int, int]  # [start, end) in minutes from local midnight


class WhenError(ValueError):
    """A day or time that cannot be used, with a message fit to show the caller."""


# --- words ---------------------------------------------------------------------------------

_WEEKDAY_WORDS = (
    "mon monday mondays mons",
    "tue tues tuesday tuesdays tu",
    "wed weds wednesday wednesdays",
    "thu thur thurs thursday thursdays",
    "fri friday fridays fris",
    "sat saturday saturdays",
    "sun sunday sundays",
)
WEEKDAYS = {word: day for day, words in enumerate(_WEEKDAY_WORDS) for word in words.split()}
DAY_GROUPS = {
    "weekdays": frozenset(range(5)),
    "weekday": frozenset(range(5)),
    "weekends": frozenset({5, 6}),
    "weekend": frozenset({5, 6}),
}
_MONTH_WORDS = (
    "jan january", "feb february", "mar march", "apr april", "may", "jun june",
    "jul july", "aug august", "sep sept september", "oct october", "nov november",
    "dec december",
)  # fmt: skip
# English names whatever the locale: the same words on every machine.
MONTHS = {word: n for n, words in enumerate(_MONTH_WORDS, 1) for word in words.split()}
TOMORROW = frozenset({"tomorrow", "tmrw", "tmr", "tmw", "tomorow", "tommorow"})
# A part of the day as hours (availability) ...
PARTS: dict[str, Window] = {
    "morning": (0, 12 * 60),
    "mornings": (0, 12 * 60),
    "am": (0, 12 * 60),
    "afternoon": (12 * 60, DAY),
    "afternoons": (12 * 60, DAY),
    "pm": (12 * 60, DAY),
    "evening": (17 * 60, DAY),
    "evenings": (17 * 60, DAY),
}
# ... and as the moment of a next call.
MOMENTS = {
    "morning": time(9), "afternoon": time(14), "evening": time(18), "eod": time(17),
    "noon": time(12), "midday": time(12), "midnight": time(0),
}  # fmt: skip


# --- horizon -------------------------------------------------------------------------------


def horizon(today: date) -> date:
    """The last day a date may be: `HORIZON_YEARS` years after `today`."""
    try:
        return today.replace(year=today.year + HORIZON_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year + HORIZON_YEARS, day=28)


def check_day(day: date, today: date, text: str | None = None) -> date:
    """`day`, or WhenError when it lies past the horizon."""
    if day > horizon(today):
        shown = text if text is not None else day.isoformat()
        raise WhenError(
            f"{shown} is more than {HORIZON_YEARS} years ahead (the latest is "
            f"{horizon(today).isoformat()})"
        )
    return day


def check_instant(when: datetime, now: datetime, text: str | None = None) -> datetime:
    """`when`, or WhenError when it lies past the horizon counted from `now` (a day later in
    UTC, so that a local date on the horizon passes in every zone)."""
    try:
        day = when.astimezone(UTC).date() - timedelta(days=1)
    except OverflowError:
        day = date.max
    check_day(day, now.astimezone(UTC).date(), text or f"{when:%Y-%m-%d %H:%M}")
    return when


# --- hours ---------------------------------------------------------------------------------

_TIME_WORD = re.compile(r"(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm|a\.m\.?|p\.m\.?)?", re.ASCII)


def bare_hour(hour: int, part: Window | None = None) -> int:
    """A bare hour (no am/pm) as 0-23, by the one rule: next to a part of the day, read in it
    (morning as written, afternoon/evening as pm); alone, 1-7 is pm, 8-12 as written."""
    if not 0 <= hour <= 23:
        raise WhenError(f"no such hour: {hour}")
    if hour >= 13 or hour == 0:
        return hour
    if part is not None:
        return hour % 12 + 12 if part[0] >= 12 * 60 else hour
    return hour + 12 if hour <= 7 else hour


def read_time(word: str, part: Window | None = None) -> time | None:
    """`9:30`, `9.30`, `3pm`, `3:30 pm`, `noon`, `midnight`, `3` (bare hour): a time of day.
    None when `word` is not one; WhenError when it is one that does not exist (25:00, 13pm)."""
    word = word.strip().casefold()
    if word in ("noon", "midday", "midnight"):
        return MOMENTS[word]
    match = _TIME_WORD.fullmatch(word)
    if match is None:
        return None
    hour, minute = int(match[1]), int(match[2] or 0)
    if minute > 59:
        raise WhenError(f"no such time: {word}")
    if match[3]:
        if not 1 <= hour <= 12:
            raise WhenError(f"no such time: {word}")
        return time(hour % 12 + (12 if match[3].startswith("p") else 0), minute)
    if match[2] is not None:
        if hour > 23:
            raise WhenError(f"no such time: {word}")
        return time(hour, minute)
    return time(bare_hour(hour, part), minute)


def minutes(at: time) -> int:
    return at.hour * 60 + at.minute


# --- days ----------------------------------------------------------------------------------

_NUM = r"(\d{1,4}|an?|one|two|three|four|five|six|seven|eight|nine|ten)"
_COUNTS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
           "seven": 7, "eight": 8, "nine": 9, "ten": 10}  # fmt: skip
DAY_OFFSET = re.compile(rf"(?:\+|in )\s*{_NUM}\s*(d|days?|w|wks?|weeks?|fortnights?)", re.ASCII)
SHORT_OFFSET = re.compile(rf"(?:\+|in )\s*{_NUM}\s*(m|mins?|minutes?|h|hrs?|hours?)", re.ASCII)
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})", re.ASCII)
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_DAY_NUM = r"(\d{1,2})(?:st|nd|rd|th)?"
_MONTH_DAY = re.compile(rf"({_MONTH})\.? (?:the )?{_DAY_NUM}(?:,? (\d{{4}}))?", re.ASCII)
_DAY_MONTH = re.compile(rf"(?:the )?{_DAY_NUM}(?: of)? ({_MONTH})\.?(?:,? (\d{{4}}))?", re.ASCII)
_NTH = re.compile(r"the (\d{1,2})(?:st|nd|rd|th)", re.ASCII)


def count(word: str) -> int:
    return _COUNTS.get(word) or int(word)


def _make_date(year: int, month: int, day: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise WhenError(f"no such date: {text}") from None


def _next_date(month: int, day: int, today: date, text: str) -> date:
    """The first `month`/`day` on or after today, within the horizon (29 Feb looks ahead up to
    four years)."""
    for year in range(today.year, today.year + HORIZON_YEARS + 1):
        try:
            when = date(year, month, day)
        except ValueError:
            continue
        if when >= today:
            return check_day(when, today, text)
    raise WhenError(f"no such date: {text}")


def next_monday(today: date) -> date:
    return today + timedelta(days=7 - today.weekday())


def read_day(text: str, today: date) -> date | None:
    """A day phrase (the words in the module docstring), lower case with single spaces, as a
    date counted from `today`. None when it is not a day phrase; WhenError for an impossible
    date or one past the horizon."""
    day = _read_day(text, today)
    return check_day(day, today, text) if day is not None else None


def _read_day(text: str, today: date) -> date | None:
    if text == "today":
        return today
    if text in TOMORROW:
        return today + timedelta(days=1)
    if text in ("fortnight", "a fortnight", "in a fortnight"):
        return today + timedelta(days=14)
    if text in WEEKDAYS:
        return today + timedelta(days=(WEEKDAYS[text] - today.weekday() - 1) % 7 + 1)
    first, _, rest = text.partition(" ")
    if first == "this" and rest in WEEKDAYS:
        return today + timedelta(days=(WEEKDAYS[rest] - today.weekday()) % 7)
    if text == "next week":
        return next_monday(today)
    if first == "next" and rest in WEEKDAYS:
        return next_monday(today) + timedelta(days=WEEKDAYS[rest])
    if match := DAY_OFFSET.fullmatch(text):
        unit = match[2][0]
        days = count(match[1]) * {"d": 1, "w": 7, "f": 14}[unit]
        if days > 366 * HORIZON_YEARS + 1:
            raise WhenError(f"{text} is more than {HORIZON_YEARS} years ahead")
        return today + timedelta(days=days)
    if match := _ISO_DATE.fullmatch(text):
        return _make_date(int(match[1]), int(match[2]), int(match[3]), text)
    for pattern, month_group, day_group in ((_MONTH_DAY, 1, 2), (_DAY_MONTH, 2, 1)):
        if match := pattern.fullmatch(text):
            month, day = MONTHS[match[month_group]], int(match[day_group])
            if match[3]:
                return _make_date(int(match[3]), month, day, text)
            return _next_date(month, day, today, text)
    if match := _NTH.fullmatch(text):  # the next such day of a month
        wanted = int(match[1])
        for ahead in range(3):
            year, month = divmod(today.month - 1 + ahead, 12)
            try:
                when = date(today.year + year, month + 1, wanted)
            except ValueError:
                continue
            if when >= today:
                return when
        raise WhenError(f"no such date: {text}")
    return None


# --- a next-call time ----------------------------------------------------------------------

WHEN_HELP = "try @tomorrow 9:30, @thu 3pm, @monday morning, @+3d, @2026-12-01 14:30"
# "mine", "my time": the time is the caller's own, not the prospect's ("theirs": the default).
_MINE = re.compile(r"\s*(?:\b(?:mine|my time)|\(mine\))$", re.ASCII)
_THEIRS = re.compile(r"\s*(?:\b(?:theirs|their time|local))$", re.ASCII)
_CLOCK = (
    r"(?:\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)"  # 3pm, 3:30 pm
    r"|\d{1,2}[:.]\d{2}"  # 9:30, 09:30, 9.30
    r"|noon|midday|midnight|eod|morning|afternoon|evening"
    r"|\d{1,2})"  # a bare hour
)
_TIME_AT_END = re.compile(rf"(?:^|\s|(?<=\d)t)(?:at\s+|by\s+)?({_CLOCK})$", re.ASCII)
_TIME_AT_START = re.compile(rf"^(?:at\s+|by\s+)?({_CLOCK})(?:\s+|$)", re.ASCII)
_PART_WORDS = ("morning", "afternoon", "evening")


def split_mine(text: str) -> tuple[str, bool]:
    """("thu 9:30", True) for "thu 9:30 mine": the words, and whether the caller said the
    time is in their own zone rather than the prospect's."""
    if match := _MINE.search(text):
        return text[: match.start()].strip(), True
    if match := _THEIRS.search(text):
        return text[: match.start()].strip(), False
    return text, False


def _split_time(text: str) -> tuple[str, time | None]:
    """Peel a time of day off the end (or the start) of `text`: ("tomorrow", 09:30);
    "monday morning 8" reads 8 in the morning, "evening 8" 20:00."""
    for pattern in (_TIME_AT_END, _TIME_AT_START):
        match = pattern.search(text)
        if match is None:
            continue
        rest = (text[: match.start()] + " " + text[match.end() :]).strip()
        rest = re.sub(r"(?:^|\s)(?:at|by|in the)$", "", rest).strip()
        word = match[1]
        if word in MOMENTS:
            return rest, MOMENTS[word]
        # A bare hour after a part of the day is read in that part.
        part = None
        for name in _PART_WORDS:
            if rest == name or rest.endswith(" " + name):
                part = PARTS[name]
                rest = rest[: -len(name)].strip()
                break
        at = read_time(word, part)
        return rest, at
    return text, None


def parse_when(
    text: str, now: datetime, tz: tzinfo, *, default_hour: int = 9, mine_tz: tzinfo | None = None
) -> datetime:
    """Read a next-call time ("tomorrow 9:30", "thu 3", "monday morning", "+3d") as an aware
    UTC datetime, to the minute. Read in `tz` (the prospect's zone when known), or in `mine_tz`
    (the caller's) when it ends in `mine` / `my time`.

    Raises WhenError with a message fit to show the caller: not read, in the past, impossible,
    or past the horizon.
    """
    raw = " ".join(text.split()).strip()
    if raw.startswith("@"):
        raw = raw[1:].strip()
    if not raw:
        raise WhenError(f"no date after '@'; {WHEN_HELP}")
    now = now.astimezone(UTC)
    words, mine = split_mine(raw.casefold())
    if mine:
        tz = mine_tz or tz
    try:
        when = _when(words, now, tz, default_hour)
    except OverflowError:
        raise WhenError(f"'{raw}' is out of range") from None
    if when is None:
        raise WhenError(f"cannot read the date '{raw}'; {WHEN_HELP}")
    return check_instant(when, now, raw)


def instant(day: date, at: time, tz: tzinfo) -> datetime:
    """`at` on local `day` in `tz`, as UTC. fold=0: a time in the spring-forward gap uses the
    offset before the change, which lands it after the gap; a repeated fall-back time is its
    first occurrence."""
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def _when(text: str, now: datetime, tz: tzinfo, default_hour: int) -> datetime | None:
    minute_now = now.replace(second=0, microsecond=0)
    if match := SHORT_OFFSET.fullmatch(text):
        unit = 60 if match[2].startswith("h") else 1
        amount = count(match[1]) * unit
        if amount > DAY * 366 * HORIZON_YEARS:
            raise WhenError(f"{text} is more than {HORIZON_YEARS} years ahead")
        when = minute_now + timedelta(minutes=amount)
        if when <= now:
            raise WhenError(f"{when.astimezone(tz):%Y-%m-%d %H:%M} is in the past")
        return when

    today = now.astimezone(tz).date()
    whole = read_day(text, today)  # "dec 1" is a day, not "dec" at 1 o'clock
    rest, at = (text, None) if whole is not None else _split_time(text)
    if not rest:
        if at is None:
            return None
        # A time alone: today if it is still ahead, else tomorrow.
        when = instant(today, at, tz)
        return when if when > now else instant(today + timedelta(days=1), at, tz)

    day = whole if whole is not None else read_day(rest, today)
    if day is None:
        return None
    hint = "; add a later time" if at is None and day == today else ""
    at = at if at is not None else time(default_hour)
    when = instant(day, at, tz)
    if when <= now:
        raise WhenError(f"{day.isoformat()} {at:%H:%M} is in the past{hint}")
    return when


# --- zones ---------------------------------------------------------------------------------


def resolve_zone(name: str | None) -> str | None:
    """The canonical spelling of an IANA zone name (any case, surrounding spaces, HubSpot's
    "america_slash_new_york"), or None when it is not one. The one reader of zone names."""
    if not name or not isinstance(name, str) or not name.strip():
        return None
    text = name.strip().replace("_slash_", "/")
    try:
        return ZoneInfo(text).key  # spelled as the database spells it: no need for the list
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return _zone_names().get(text.casefold())  # listing every zone: ~30 ms, once


@functools.lru_cache(maxsize=1024)
def zone(name: str | None) -> ZoneInfo | None:
    """The zone of a name as `resolve_zone` reads it; None for None or a name that is not one."""
    canonical = resolve_zone(name)
    if canonical is None:
        return None
    try:
        return ZoneInfo(canonical)
    except (ZoneInfoNotFoundError, ValueError):
        return None


@functools.cache
def _zone_names() -> dict[str, str]:
    import zoneinfo

    names = {z.casefold(): z for z in zoneinfo.available_timezones()}
    names.setdefault("utc", "UTC")
    return names
