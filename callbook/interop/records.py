"""One CSV row -> one prospect record: values checked, phones normalised, the time zone derived.

A value the user mapped explicitly (`--map`) must be right or the row is an error; a value in a
column mapped by a preset's guess that cannot be used is left out with a warning, so that a
guessed mapping never blocks an import. Phone numbers that do not parse are kept as typed and
flagged with a warning.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, tzinfo
from typing import Any

from callbook import phones
from callbook.interop.presets import Column
from callbook.interop.problems import Problem
from callbook.model import NewContact, Role, Status

NAME_TARGETS = frozenset({"name", "company", "contact", "first_name", "last_name"})
NOTES_SLOT = "notes"
_EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_TAG_SPLIT = re.compile(r"\s+:::\s+|[;,]")
_PLACEHOLDERS = phones.PLACEHOLDERS
_EXTRA_FIELDS = frozenset({"status", "priority", "template", "next_call_at", "timezone"})


@dataclass
class Candidate:
    """A row ready to become (or merge into) a prospect."""

    line: int
    fields: dict[str, Any]  # prospect fields as `Store.add_prospect` takes them
    contacts: list[NewContact] = field(default_factory=list)
    pieces: dict[str, str] = field(default_factory=dict)  # slot key -> value

    @property
    def name(self) -> str:
        return self.fields["name"]


@dataclass
class RowContext:
    """What every row of one file shares."""

    region: str  # phone region for numbers without a country code
    tz: tzinfo  # the caller's zone: dates without an offset are read in it
    day_start: time  # a date without a time means this time that day
    template: str
    templates: frozenset[str]
    multi_value: str | None = None
    several: Counter = field(default_factory=Counter)  # field -> rows with several values
    now: datetime | None = None  # for the horizon of dates ahead (None: the system clock)


class RowReader:
    """Turns rows into Candidates for one column plan."""

    def __init__(self, columns: list[Column], context: RowContext) -> None:
        self.context = context
        self.plan = [
            (c.index, c.target, c.label, c.origin == "--map")
            for c in columns
            if c.target not in (None, "ignore")
        ]
        self._phone_columns = [c.index for c in columns if c.target == "phone"]
        self._country_columns = [c.index for c in columns if c.target == "country"]
        self.known: dict[tuple[str, str], phones.Phone] = {}  # numbers normalised ahead

    def phone_requests(self, rows: list[tuple[int, list[str]]]) -> Iterator[tuple[str, str]]:
        """(number as typed, region) of every number `read` will normalise: to do them all
        at once, in parallel, ahead of reading."""
        ctx = self.context
        for _, cells in rows:
            region = ctx.region
            for index in self._country_columns:
                value = cells[index].strip()
                if value and value.casefold() not in _PLACEHOLDERS:
                    if ctx.multi_value and ctx.multi_value in value:
                        value = value.split(ctx.multi_value)[0].strip()
                    region = phones.country_code(value) or ctx.region
                    break
            for index in self._phone_columns:
                value = cells[index].strip()
                if value and value.casefold() not in _PLACEHOLDERS:
                    for number in phones.split_phones(value):
                        yield number, region

    def read(self, line: int, cells: list[str]) -> tuple[Candidate | None, list[Problem],
                                                         list[Problem]]:  # fmt: skip
        """(candidate or None, errors, warnings) for one row."""
        ctx = self.context
        errors: list[Problem] = []
        warnings: list[Problem] = []
        single: dict[str, tuple[str, str, bool]] = {}  # field -> (value, column, strict)
        numbers: list[tuple[str, str]] = []  # (number as typed, column)
        tags: list[str] = []
        notes: list[str] = []
        pieces: dict[str, str] = {}
        several: set[str] = set()
        multi = ctx.multi_value
        for index, target, column, strict in self.plan:
            value = cells[index]
            if not value:
                continue
            value = value.strip()
            if not value or value.casefold() in _PLACEHOLDERS:
                continue
            if target == "phone":
                numbers.extend((n, column) for n in phones.split_phones(value))
            elif target == "tags":
                tags.extend(_tags(value))
            elif target == "notes":
                notes.append(value)
            else:
                if multi and multi in value:
                    value = value.split(multi)[0].strip()
                    several.add(target[6:] if target.startswith("piece:") else target)
                if target.startswith("piece:"):
                    if target[6:] in pieces:
                        several.add(target[6:])
                    else:
                        pieces[target[6:]] = value
                elif target in single:
                    if single[target][0].casefold() != value.casefold():
                        several.add(target)
                else:
                    single[target] = (value, column, strict)
        for name in several:
            ctx.several[name] += 1

        country = single["country"][0] if "country" in single else None
        region_code = (phones.country_code(country) if country else None) or ctx.region
        stored: list[str] = []
        first_ok: phones.Phone | None = None
        known = self.known
        for typed, column in numbers:
            phone = known.get((typed, region_code)) or phones.normalize(typed, region_code)
            if phone.e164 is None:
                warnings.append(
                    Problem(line, column, f"{typed!r}: {phone.problem}; kept as typed, flagged")
                )
            elif first_ok is None:
                first_ok = phone
            if phone.stored not in stored:
                stored.append(phone.stored)

        get = single.get
        person = get("contact") or _joined(get("first_name"), get("middle_name"), get("last_name"))
        person_name = person[0] if person else ""
        company = get("company")
        named = get("name") or company or person
        if not named:
            # Address books hold numbers nobody named: keep them, named after what they have.
            stand_in = get("email") or ((numbers[0][0], numbers[0][1], False) if numbers else None)
            if stand_in is None:
                errors.append(Problem(line, None, "no name, company, phone or email in this row"))
                return None, errors, warnings
            named = stand_in
            warnings.append(Problem(line, None, f"no name or company: named after {stand_in[0]!r}"))

        fields: dict[str, Any] = {"name": named[0], "template": ctx.template}
        for key in ("company", "website", "city", "region", "country", "next_objective"):
            if key in single:
                fields[key] = single[key][0]
        email = None
        if "email" in single:
            email = single["email"][0]
            if _EMAIL_RE.fullmatch(email):
                fields["email"] = email
            else:
                _bad(single["email"], "not an email address", line, errors, warnings)
                email = None
        if stored:
            fields["phones"] = stored
        if tags:
            fields["tags"] = list(dict.fromkeys(tags))
        if not _EXTRA_FIELDS.isdisjoint(single):
            self._extras(single, fields, line, errors, warnings)

        zone = fields.pop("timezone", None)
        if zone is None and first_ok is not None:
            zone = first_ok.timezone
        if zone is None and (country or "region" in fields):
            zone = phones.timezone_for_place(country, fields.get("region"))
        if zone:
            fields["timezone"] = zone

        contacts = []
        if person_name:
            title = get("title")
            contacts.append(
                NewContact(
                    name=person_name,
                    role=Role.OTHER,
                    title=title[0] if title else None,
                    phone=first_ok.stored if first_ok else None,
                    email=email,
                )
            )
        if notes:
            pieces.setdefault(NOTES_SLOT, "\n".join(notes))
        return Candidate(line, fields, contacts, pieces), errors, warnings

    def _extras(self, single: dict, fields: dict, line: int, errors: list, warnings: list) -> None:
        ctx = self.context
        if "status" in single:
            status = _status(single["status"][0])
            if status is None:
                choices = ", ".join(s.value for s in Status)
                _bad(single["status"], f"not a status (one of: {choices})", line, errors,
                     warnings)  # fmt: skip
            else:
                fields["status"] = status
        if "priority" in single:
            value = single["priority"][0]
            if value.isdigit() and 1 <= int(value) <= 5:
                fields["priority"] = int(value)
            else:
                _bad(single["priority"], "not a priority from 1 (highest) to 5 (lowest)", line,
                     errors, warnings)  # fmt: skip
        if "template" in single:
            value = single["template"][0]
            if value in ctx.templates:
                fields["template"] = value
            else:
                known = ", ".join(sorted(ctx.templates))
                _bad(single["template"], f"no such template (templates: {known})", line,
                     errors, warnings)  # fmt: skip
        if "next_call_at" in single:
            when = _when(single["next_call_at"][0], ctx)
            beyond = _beyond_horizon(when, ctx) if when is not None else None
            if when is None:
                _bad(single["next_call_at"], "not a date and time (write it like "
                     "2026-12-01 14:30)", line, errors, warnings)  # fmt: skip
            elif beyond:
                _bad(single["next_call_at"], beyond, line, errors, warnings)
            else:
                fields["next_call_at"] = when
        if "timezone" in single:
            zone = phones.valid_timezone(single["timezone"][0])
            if zone is None:
                _bad(single["timezone"], "not a time zone (write it like America/New_York)",
                     line, errors, warnings)  # fmt: skip
            else:
                fields["timezone"] = zone


def _bad(entry: tuple[str, str, bool], reason: str, line: int, errors: list[Problem],
         warnings: list[Problem]) -> None:  # fmt: skip
    """An unusable value: an error where the user mapped the column, else left out."""
    value, column, strict = entry
    if strict:
        errors.append(Problem(line, column, f"{value!r}: {reason}"))
    else:
        warnings.append(Problem(line, column, f"{value!r}: {reason}; left out"))


def _joined(*parts: tuple[str, str, bool] | None) -> tuple[str, str, bool] | None:
    words = [p[0] for p in parts if p]
    return (" ".join(words), "", False) if words else None


def _tags(value: str) -> list[str]:
    # Google marks its own groups with "* " ("* myContacts", "* starred"): not the caller's tags.
    return [
        t.strip() for t in _TAG_SPLIT.split(value) if t.strip() and not t.strip().startswith("*")
    ]


def _status(value: str) -> Status | None:
    key = "_".join(value.strip().casefold().replace("-", " ").split())
    try:
        return Status(key)
    except ValueError:
        return None


def _beyond_horizon(when: datetime, ctx: RowContext) -> str | None:
    """Why `when` cannot be a next call (past the horizon of `callbook.when`), or None."""
    from callbook.when import WhenError, check_instant

    try:
        check_instant(when, ctx.now or datetime.now(UTC), f"{when:%Y-%m-%d}")
    except WhenError as exc:
        return str(exc)
    return None


def _when_in_words(value: str, ctx: RowContext) -> datetime | None:
    """A date in `callbook.when`'s words ("1 Dec 2026", "Dec 1, 2026 14:30"), in the caller's
    zone, at the time given or the start of the calling day; None when it is not one. Only a
    date with its year: "next week" in a file has no day to count from."""
    from callbook.when import WhenError, instant, read_day, read_time

    if not re.search(r"\b\d{4}\b", value):
        return None
    today = (ctx.now or datetime.now(UTC)).astimezone(ctx.tz).date()
    words = " ".join(value.replace(",", " ").split()).casefold()
    date_words, _, last = words.rpartition(" ")
    try:
        day, at = read_day(words, today), ctx.day_start
        if day is None and date_words and (":" in last or last.endswith(("am", "pm"))):
            day, at = read_day(date_words, today), read_time(last)
    except WhenError:
        return None
    return instant(day, at, ctx.tz) if day is not None and at is not None else None


def _when(value: str, ctx: RowContext) -> datetime | None:
    text = value.strip().replace("Z", "+00:00")
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return _when_in_words(value, ctx)
    if len(text) <= 10:  # a date alone
        when = datetime.combine(when.date(), ctx.day_start)
    if when.tzinfo is None:
        when = when.replace(tzinfo=ctx.tz)
    return when
