"""Dates and times as CRM exports write them, read into aware datetimes.

ISO 8601, US `3/14/2027 9:30 AM`, dotted European `14.03.2027`, `2027/03/14 14:30`,
`Mar 14, 2027`, `14 March 2027 09:30`. Numeric day and month that could be either are read in
the import's `--date-order`. Kept here, beside the importer, until the project has one module
for reading dates.
"""

from __future__ import annotations

import re
from datetime import datetime, time, tzinfo

_CLOCK = r"(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([ap]\.?m\.?)?"
_NUMERIC_DATE = re.compile(r"(\d{1,4})[./-](\d{1,2})[./-](\d{1,4})(?:[ T,]+" + _CLOCK + r")?",
                           re.IGNORECASE)  # fmt: skip
_MONTHS = {m: i for i, m in enumerate(
    "jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}  # fmt: skip
_NAMED_DATE = re.compile(
    r"(?:[a-z]+,?\s+)?(?:(\d{1,2})\s+([a-z]{3})[a-z]*\.?|([a-z]{3})[a-z]*\.?\s+(\d{1,2})),?"
    r"\s+(\d{4})(?:[ T,]+(?:at\s+)?" + _CLOCK + r")?",
    re.IGNORECASE,
)


# Before this a date is a typo (year 1 would not even convert to UTC); how far ahead a next call
# may be is `callbook.when`'s horizon, checked by the importer.
FIRST_YEAR = 1970


def read_when(value: str, tz: tzinfo, day_start: time, date_order: str = "mdy") -> datetime | None:
    """A date (and time) as CRM exports write it: ISO 8601, `3/14/2027 9:30 AM`, `14.03.2027`,
    `2027/03/14 14:30`, `Mar 14, 2027`, `14 March 2027 09:30`. Numeric day and month are
    read in `date_order` ("mdy" or "dmy") when both could be either; a dotted date is
    always day first. No offset: the caller's zone `tz`; no time: `day_start`. None for
    what is not a date, or one before `FIRST_YEAR`."""
    when = _read(value.strip(), tz, day_start, date_order)
    return when if when is not None and when.year >= FIRST_YEAR else None


def _read(text: str, tz: tzinfo, day_start: time, date_order: str) -> datetime | None:
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        when = _exported_date(text, date_order)
        if when is None:
            return None
    else:
        if len(text) <= 10:  # a date alone
            when = datetime.combine(when.date(), day_start)
        if when.tzinfo is None:
            when = when.replace(tzinfo=tz)
        return when
    if when.tzinfo is None:
        if (when.hour, when.minute, when.second) == (0, 0, 0) and not re.search(r"\d:\d", text):
            when = datetime.combine(when.date(), day_start)
        when = when.replace(tzinfo=tz)
    return when


def _exported_date(text: str, date_order: str) -> datetime | None:
    numeric = _NUMERIC_DATE.fullmatch(text)
    if numeric:
        a, b, c = numeric.group(1, 2, 3)
        if len(a) == 4:
            year, month, day = int(a), int(b), int(c)
        elif len(c) in (2, 4):
            year = int(c) + (2000 if len(c) == 2 else 0)
            first, second = int(a), int(b)
            day_first = "." in text[: numeric.end(3)] or date_order == "dmy"
            if first > 12:
                day_first = True
            elif second > 12:
                day_first = False
            day, month = (first, second) if day_first else (second, first)
        else:
            return None
        clock = numeric.groups()[3:]
    else:
        named = _NAMED_DATE.fullmatch(text)
        if not named:
            return None
        day_text, month_text, month_text2, day_text2, year_text = named.group(1, 2, 3, 4, 5)
        month = _MONTHS.get((month_text or month_text2 or "").casefold()[:3])
        if month is None:
            return None
        day, year = int(day_text or day_text2), int(year_text)
        clock = named.groups()[5:]
    hour, minute, second, half = clock
    hour = int(hour) if hour else 0
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half.casefold().startswith("p") else 0)
    try:
        return datetime(year, month, day, hour, int(minute or 0), int(second or 0))
    except ValueError:
        return None
