"""One CSV row -> one prospect record: values checked, phones normalised, the time zone derived.

A value the user mapped explicitly (`--map`) must be right or the row is an error; a value in a
column mapped by a preset's guess that cannot be used is left out with a warning, so that a
guessed mapping never blocks an import. Phone numbers that do not parse are kept as typed and
flagged with a warning; a number with words beside it (`0412 345 678 tina`) is read and the
words kept as its note.

A number without a country code is read in the row's country: its country column, else the
country domain of its email or website (`.com.au`, `.de`), else the file's default (`--region`,
the book's usual country, the config). Numbers are ordered for dialling by their label (direct,
mobile, other, switchboard, home, assistant) and carried with it in `phone_details`.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, tzinfo
from typing import Any

from callbook import phones
from callbook.interop.crm_dates import read_when
from callbook.interop.presets import NOT_FOR_CALLS, Column, fold, label_rank, phone_label
from callbook.interop.problems import Problem
from callbook.model import NewContact, Role, Status

NAME_TARGETS = frozenset({"name", "company", "contact", "first_name", "last_name"})
NOTES_SLOT = "notes"
_EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_TAG_SPLIT = re.compile(r"\s+:::\s+|[;,]")
_PLACEHOLDERS = phones.PLACEHOLDERS
_KEPT_IN_BOOK = "kept as typed in the book"
# A file names a handful of countries, each on thousands of rows.
country_code = functools.lru_cache(maxsize=4096)(phones.country_code)
_COLLEAGUE = re.compile(r"contact[ _]?(\d+)[ _]")
_EXTRA_FIELDS = frozenset({"status", "priority", "template", "next_call_at", "timezone"})


@dataclass
class Candidate:
    """A row ready to become (or merge into) a prospect."""

    line: int
    fields: dict[str, Any]  # prospect fields as `Store.add_prospect` takes them
    contacts: list[NewContact] = field(default_factory=list)
    pieces: dict[str, str] = field(default_factory=dict)  # slot key -> value
    source_id: int | None = None  # the prospect's id in the book a callbook export came from

    @property
    def name(self) -> str:
        return self.fields["name"]

    @property
    def phone_details(self) -> list[dict[str, Any]]:
        return self.fields.get("phone_details", [])


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
    date_order: str = "mdy"  # how 03/04/2027 reads: "mdy" or "dmy"
    # A book's own export: values come back exactly as written ("n/a" is a value, a number
    # kept as typed stays so, tags split on "; " alone), and an empty time zone stays empty
    # (the queue derives one, as it did in the book exported).
    verbatim: bool = False
    numbers: Counter = field(default_factory=Counter)  # "read", "flagged", "default_region"
    flagged: list[str] = field(default_factory=list)  # numbers kept as typed (a sample)
    now: datetime | None = None  # for the horizon of dates ahead (None: the system clock)


class RowReader:
    """Turns rows into Candidates for one column plan."""

    def __init__(self, columns: list[Column], context: RowContext) -> None:
        self.context = context
        self.plan = [
            (c.index, c.target, c.label, c.origin == "--map")
            for c in columns
            if c.target not in (None, "ignore", "phone_label")
        ]
        self._phone_columns = [c.index for c in columns if c.target == "phone"]
        self._country_columns = [c.index for c in columns if c.target == "country"]
        self._domain_columns = [c.index for c in columns if c.target in ("email", "website")]
        self._labels = {
            c.index: (c.phone_label, c.label_column) for c in columns if c.target == "phone"
        }
        self.known: dict[tuple[str, str], phones.Phone] = {}  # numbers normalised ahead
        # Columns of a second, third ... person of the row (Close's contact_2_name): colleagues.
        self._colleague = {
            c.index: int(m.group(1))
            for c in columns
            if c.target in ("contact", "title", "email", "phone")
            and (m := _COLLEAGUE.match(fold(c.header))) and int(m.group(1)) >= 2
        }

    def row_region(self, cells: list[str]) -> str:
        """The country assumed for this row's numbers without a country code."""
        ctx = self.context
        for index in self._country_columns:
            value = cells[index].strip()
            if value and value.casefold() not in _PLACEHOLDERS:
                if ctx.multi_value and ctx.multi_value in value:
                    value = value.split(ctx.multi_value)[0].strip()
                code = country_code(value)
                if code:
                    return code
        for index in self._domain_columns:
            code = domain_region(cells[index])
            if code:
                return code
        return ctx.region

    def phone_requests(self, rows: list[tuple[int, list[str]]]) -> Iterator[tuple[str, str]]:
        """(number as typed, region) of every number `read` will normalise: to do them all
        at once, in parallel, ahead of reading."""
        for _, cells in rows:
            region = None
            for index in self._phone_columns:
                value = cells[index].strip()
                if value and value.casefold() not in _PLACEHOLDERS:
                    region = region or self.row_region(cells)
                    for number in phones.split_phones(value):
                        yield number, region

    def read(self, line: int, cells: list[str]) -> tuple[Candidate | None, list[Problem],
                                                         list[Problem]]:  # fmt: skip
        """(candidate or None, errors, warnings) for one row."""
        ctx = self.context
        errors: list[Problem] = []
        warnings: list[Problem] = []
        single: dict[str, tuple[str, str, bool]] = {}  # field -> (value, column, strict)
        numbers: list[tuple[str, str, int]] = []  # (number as typed, column, its index)
        tags: list[str] = []
        notes: list[str] = []
        pieces: dict[str, str] = {}
        several: set[str] = set()
        multi = ctx.multi_value
        colleagues: dict[int, dict[str, str]] = {}
        for index, target, column, strict in self.plan:
            value = cells[index]
            if not value:
                continue
            value = value.strip()
            if not value or (value.casefold() in _PLACEHOLDERS and not ctx.verbatim):
                continue
            group = self._colleague.get(index) if self._colleague else None
            if group is not None:
                colleague = colleagues.setdefault(group, {})
                colleague.setdefault(target, value)
                if target != "phone":
                    continue
            if target == "phone":
                split = value.split("; ") if ctx.verbatim else phones.split_phones(value)
                numbers.extend((n, column, index) for n in split if n)
            elif target == "tags":
                tags.extend(_tags(value, ctx.verbatim))
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
        if "location" in single:
            self._place(single, single.pop("location"))
            country = single["country"][0] if "country" in single else None
        region_code = self.row_region(cells) if numbers else ctx.region
        details, first_ok, number_zone = self._phones(line, cells, numbers, region_code,
                                                      warnings)  # fmt: skip
        stored = [d["number"] for d in details]
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
            if ctx.verbatim or _EMAIL_RE.fullmatch(email):
                fields["email"] = email
            else:
                _bad(single["email"], "not an email address", line, errors, warnings)
                email = None
        if stored:
            fields["phones"] = stored
            fields["phone_details"] = details
        if tags:
            fields["tags"] = list(dict.fromkeys(tags))
        if not _EXTRA_FIELDS.isdisjoint(single):
            self._extras(single, fields, line, errors, warnings)

        zone = fields.pop("timezone", None)
        if zone is None and not ctx.verbatim:
            zone = number_zone
        if zone is None and not ctx.verbatim and (country or "region" in fields):
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
        for group in sorted(colleagues):
            contact = self._colleague_contact(line, group, colleagues[group], region_code,
                                              warnings)  # fmt: skip
            if contact is not None:
                contacts.append(contact)
        if notes:
            pieces.setdefault(NOTES_SLOT, "\n".join(notes))
        source = get("source_id")
        source_id = int(source[0]) if source and source[0].isdigit() else None
        return Candidate(line, fields, contacts, pieces, source_id), errors, warnings

    def _phones(
        self, line: int, cells: list[str], numbers: list[tuple[str, str, int]], region: str,
        warnings: list[Problem],
    ) -> tuple[list[dict[str, Any]], phones.Phone | None, str | None]:
        """Each number read (words beside it kept as its note), labelled, in dialling order;
        the contact's number (the first that pins a zone, else the first read) and the zone."""
        ctx = self.context
        found: list[tuple[int, int, dict[str, Any], phones.Phone]] = []
        seen: set[str] = set()
        for order, (typed, column, index) in enumerate(numbers):
            label, label_index = self._labels.get(index, (None, None))
            if label_index is not None:
                label = phone_label(cells[label_index]) or label
            if ctx.verbatim and not typed.startswith("+"):
                reading = [(phones.Phone(typed, problem=_KEPT_IN_BOOK), None)]
            else:
                reading = _read_number(typed, region, self.known)
            if region == ctx.region and not typed.lstrip().startswith(("+", "00")):
                ctx.numbers["default_region"] += 1
            for phone, note in reading:
                ctx.numbers["flagged" if phone.e164 is None else "read"] += 1
                if phone.e164 is None and reading[0][0].problem != _KEPT_IN_BOOK:
                    if len(ctx.flagged) < 200:
                        ctx.flagged.append(typed)
                    warnings.append(
                        Problem(line, column, f"{typed!r}: {phone.problem}; kept as typed, flagged")
                    )
                if phone.stored in seen:
                    continue
                seen.add(phone.stored)
                kind = label
                if note and kind in (None, "other"):
                    kind = phone_label(note) or kind
                detail = {
                    "number": phone.stored,
                    "typed": typed,
                    "label": "other" if kind is None or kind in NOT_FOR_CALLS else kind,
                    "note": (f"{kind}; {note}" if note else kind) if kind in NOT_FOR_CALLS
                    else note,
                    "source": f"import:{column}",
                }
                found.append((label_rank(kind), order, detail, phone))
        found.sort(key=lambda item: item[:2])
        # The zone comes from the first number that pins one down (a mobile may not).
        first_ok, zone = None, None
        for *_, phone in found:
            if phone.e164 is not None:
                zone = phone.timezone
                first_ok = first_ok or phone
                if zone:
                    first_ok = phone
                    break
        return [detail for _, _, detail, _ in found], first_ok, zone

    @staticmethod
    def _colleague_contact(line: int, group: int, values: dict[str, str], region: str,
                           warnings: list[Problem]) -> NewContact | None:  # fmt: skip
        """The row's second (third ...) person as a contact of the prospect."""
        email = values.get("email")
        if email and not _EMAIL_RE.fullmatch(email):
            warnings.append(Problem(line, None, f"contact {group}: {email!r}: not an email "
                                    "address; left out"))  # fmt: skip
            email = None
        name = values.get("contact") or email
        if not name:
            if values:
                shown = ", ".join(f"{k} {v!r}" for k, v in values.items())
                warnings.append(Problem(line, None, f"contact {group} has no name ({shown}); "
                                        "its number is kept on the prospect"))  # fmt: skip
            return None
        typed = values.get("phone")
        number = phones.normalize(phones.split_phones(typed)[0], region).stored if (
            typed and phones.split_phones(typed)) else None  # fmt: skip
        return NewContact(name=name, role=Role.OTHER, title=values.get("title"), phone=number,
                          email=email)  # fmt: skip

    @staticmethod
    def _place(single: dict, entry: tuple[str, str, bool]) -> None:
        """"Austin, Texas, United States" -> city, region, country where the row lacks them."""
        value, column, strict = entry
        parts = [p.strip() for p in value.split(",") if p.strip()]
        if not parts:
            return
        country = phones.country_code(parts[-1])
        if country is not None:
            single.setdefault("country", (parts[-1], column, strict))
            parts = parts[:-1]
        if parts and not parts[0].casefold().endswith(("area", "region", "metropolitan")):
            single.setdefault("city", (parts[0], column, strict))
        if len(parts) > 1:
            single.setdefault("region", (parts[1], column, strict))

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
            typed = single["next_call_at"][0]
            # Export forms first (3/14/2027 9:30 AM, 14.03.2027), then callbook's own words.
            when = read_when(typed, ctx.tz, ctx.day_start, ctx.date_order) or _when_in_words(
                typed, ctx
            )
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


def _tags(value: str, verbatim: bool = False) -> list[str]:
    if verbatim:
        return [t.strip() for t in value.split(";") if t.strip()]
    # Google marks its own groups with "* " ("* myContacts", "* starred"): not the caller's
    # tags. A tag of the caller's that happens to start with "*" is kept.
    return [
        t.strip()
        for t in _TAG_SPLIT.split(value)
        if t.strip() and "".join(t.split()).casefold() not in GOOGLE_SYSTEM_GROUPS
    ]


# Google's own groups, spaces and case aside ("* myContacts", "* My Contacts", "* starred").
GOOGLE_SYSTEM_GROUPS = frozenset(
    f"*{g}" for g in ("mycontacts", "starred", "friends", "family", "coworkers", "imported")
)


def _status(value: str) -> Status | None:
    key = "_".join(value.strip().casefold().replace("-", " ").split())
    try:
        return Status(key)
    except ValueError:
        return None


# Country-code top-level domains used as generic names: they say nothing of where one is.
_GENERIC_CC = frozenset("co io ai me tv fm ly to gg ws cc app so sh ac".split())


def domain_region(value: str | None) -> str | None:
    """The country of an email's or website's domain (`.com.au` -> AU, `.co.uk` -> GB)."""
    if not value:
        return None
    text = value.strip().casefold()
    host = text.rsplit("@", 1)[-1] if "@" in text else text.split("://", 1)[-1]
    host = re.split(r"[/?#:\s]", host, maxsplit=1)[0].rstrip(".")
    label = host.rsplit(".", 1)[-1] if "." in host else ""
    if len(label) != 2 or not label.isalpha() or label in _GENERIC_CC:
        return None
    code = "GB" if label == "uk" else label.upper()
    return code if phones.is_region(code) else None


_WORDS = re.compile(r"[^\W\d_]{2,}")
# Words that belong to the number itself, not a note about it.
_NUMBER_WORDS = frozenset({"ext", "extn", "extension", "tel", "telephone", "phone", "ph", "nr",
                           "no", "number", "poste", "durchwahl", "dw"})  # fmt: skip


Known = dict[tuple[str, str], phones.Phone]


def _read_number(typed: str, region: str, known: Known) -> list[tuple[phones.Phone, str | None]]:
    """The number(s) in one piece of a cell, each with the words around it as a note
    ("0412 345 678 tina" -> the mobile, note "tina"); as typed and flagged when none reads."""
    phone = known.get((typed, region)) or phones.normalize(typed, region)
    if not _WORDS.search(typed):
        return [(phone, None)]
    if phone.e164 is not None:  # read whole, words and all ("cell: 0412 345 678")
        words = [w for w in _WORDS.findall(typed) if w.casefold() not in _NUMBER_WORDS]
        return [(phone, " ".join(words) or None)]
    import phonenumbers

    found = []
    rest = typed
    try:
        leniency = phonenumbers.Leniency.POSSIBLE
        matches = list(phonenumbers.PhoneNumberMatcher(typed, region, leniency=leniency))
    except Exception:  # the matcher on odd text: fall back to "as typed"
        matches = []
    for match in matches:
        read = phones.normalize(match.raw_string, region)
        if read.e164 is None:
            continue
        found.append(read)
        rest = rest.replace(match.raw_string, " ")
    if not found:
        return [(phone, None)]
    note = " ".join(rest.replace(",", " ").split()).strip(" -:()[]") or None
    return [(read, note) for read in found]


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
