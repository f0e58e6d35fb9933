"""User settings from `config.toml` in the config folder, with defaults for everything.

A broken, unknown or senseless setting never stops callbook: it is reported (file, line,
reason, the default used) in `Config.errors` and the default is used instead.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import time, tzinfo
from pathlib import Path

from callbook import toml_errors
from callbook.clock import zone
from callbook.dial import HANDOFFS, DialSettings
from callbook.paths import Paths
from callbook.when import resolve_zone

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class CallingHours:
    start: time = time(9, 0)
    end: time = time(17, 30)
    days: tuple[int, ...] = (0, 1, 2, 3, 4)  # Monday = 0


@dataclass(frozen=True)
class LegalHours:
    """The legal floor: no call outside it, in the prospect's local time, whatever else says
    so. `stricter` narrows it for a country ("US") or a state ("US-FL"): (place, start, end)."""

    start: time = time(8, 0)
    end: time = time(21, 0)
    stricter: tuple[tuple[str, time, time], ...] = ()

    @property
    def widest(self) -> tuple[int, int]:
        """The floor in minutes of the local day, before any stricter window."""
        return _minute(self.start), _minute(self.end) or 24 * 60

    def window(self, place: str | None) -> tuple[int, int]:
        """The floor for a prospect in `place` ("US-FL", "US" or None): the widest one cut by
        the stricter windows of its country and its state."""
        start, end = self.widest
        if place and self.stricter:
            country = place.split("-")[0]
            for where, a, b in self.stricter:
                if where in (place, country):
                    start, end = max(start, _minute(a)), min(end, _minute(b) or 24 * 60)
        return start, max(start, end)


def _minute(at: time) -> int:
    return at.hour * 60 + at.minute


@dataclass(frozen=True)
class QueueRules:
    cooldown_hours: float = 4.0  # not again within this, unless a callback says so
    daily_attempts: int = 3  # per prospect per day


@dataclass(frozen=True)
class Config:
    timezone: str | None = None  # the caller's zone; None = the machine's
    region: str = "US"  # default region for phone numbers without a country code
    default_template: str = "cold_call"
    calling_hours: CallingHours = field(default_factory=CallingHours)
    legal_hours: LegalHours = field(default_factory=LegalHours)
    queue: QueueRules = field(default_factory=QueueRules)
    keys: dict[str, str] = field(default_factory=dict)  # binding id -> keys
    backups_keep: int = 7
    wrap_up: bool = True  # after a line with no `> objective`, offer one for the next call
    dial: DialSettings = field(default_factory=DialSettings)  # the number handed to a dialer
    theme: str | None = None  # a Textual theme name; the palette's choice is remembered
    templates_dir: Path | None = None
    errors: tuple[str, ...] = ()

    @property
    def tz(self) -> tzinfo:
        return zone(self.timezone)


MAX_CONFIG_BYTES = 64 * 1024
MAX_KEYS_BYTES = 100  # one binding's keys, e.g. "down,n"
MAX_COOLDOWN_HOURS = 24 * 365
MAX_DAILY_ATTEMPTS = 100
MAX_BACKUPS_KEEP = 1000


def load_config(paths: Paths | None = None, *, file: Path | None = None) -> Config:
    """Read the config file (missing is fine) and return settings with defaults filled in.
    Nothing in the file can stop callbook: a file that cannot be read (a folder, too large,
    not TOML, nested too deeply) keeps every default, a bad setting keeps its own; each is one
    line in `errors` (file:line: setting: what is wrong; the default used)."""
    path = file if file is not None else (paths.config_file if paths else None)
    base = Config(templates_dir=paths.templates_dir if paths else None)
    if path is None or not os.path.lexists(path):
        return base
    try:
        text = toml_errors.read_text(path, MAX_CONFIG_BYTES)
        data = toml_errors.loads(text)
    except toml_errors.TomlFileError as exc:
        return replace(base, errors=(f"{path}:{exc.line}: {exc.reason}; using every default",))
    return _apply(base, data, path, text)


def _line_of(text: str, key: str, table: str | None = None) -> int | str:
    """The line that sets `key` (in `[table]`, or at the top), by scanning the text."""
    current = None
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("[") and not stripped.startswith("[["):
            current = stripped.strip("[] \t").split("]")[0].strip().strip("\"'")
            if table is None and current == key:
                return number
            continue
        if current == table and stripped.startswith((key, f'"{key}"', f"'{key}'")):
            rest = stripped.split(key, 1)[1].lstrip("\"' \t")
            if rest.startswith("="):
                return number
        dotted = f"{table}.{key}" if table else None
        if current is None and dotted and stripped.startswith(dotted):
            return number
    return "?"


class _Said(str):
    """A default described in words, shown as it is (not quoted)."""


def _shown(value: object) -> str:
    """A setting's value for a message: short, whatever it is."""
    text = str(value) if isinstance(value, _Said) else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _apply(config: Config, data: dict, path: Path, text: str) -> Config:
    errors: list[str] = []
    defaults = Config()

    def bad(key: str, reason: str, default: object = None, table: str | None = None) -> None:
        line = _line_of(text, key, table)
        used = f"; using the default {_shown(default)}" if default is not None else "; ignored"
        errors.append(f"{path}:{line}: {key}: {reason}{used}")

    changes: dict = {}
    for key, value in data.items():
        if key == "timezone":
            if isinstance(value, str) and resolve_zone(value):
                changes["timezone"] = resolve_zone(value)
            else:
                bad(key, f"unknown time zone {_shown(value)}", _Said("the machine's zone"))
        elif key == "region":
            if isinstance(value, str) and len(value) == 2 and value.isalpha():
                changes["region"] = value.upper()
            else:
                bad(key, "a two-letter country code, like 'GB' or 'US'", defaults.region)
        elif key == "default_template":
            if isinstance(value, str) and _TEMPLATE_KEY.fullmatch(value):
                changes["default_template"] = value
            else:
                bad(key, "a template key, like 'bant'", defaults.default_template)
        elif key == "backups_keep":
            if _whole(value) and 0 <= value <= MAX_BACKUPS_KEEP:
                changes["backups_keep"] = value
            else:
                bad(key, f"a whole number of backups to keep, 0 (off) to {MAX_BACKUPS_KEEP}",
                    defaults.backups_keep)  # fmt: skip
        elif key == "wrap_up":
            if isinstance(value, bool):
                changes["wrap_up"] = value
            else:
                bad(key, "true or false", defaults.wrap_up)
        elif key == "theme":
            if isinstance(value, str) and value.strip():
                changes["theme"] = value.strip()
            else:
                bad(key, "a theme name, like \"nord\" (the command palette lists them)",
                    _Said("callbook's own"))  # fmt: skip
        elif key in _TABLES and not isinstance(value, dict):
            bad(key, f"a table written as [{key}]", _Said("settings"))
        elif key == "calling_hours":
            changes["calling_hours"] = _hours(value, bad)
        elif key == "legal_hours":
            changes["legal_hours"] = _legal(value, bad)
        elif key == "queue":
            changes["queue"] = _queue(value, bad)
        elif key == "dial" and isinstance(value, dict):
            changes["dial"] = _dial(value, bad)
        elif key == "keys":
            changes["keys"] = _keys(value, bad)
        else:
            bad(key, "unknown setting")
    return replace(config, **changes, errors=tuple(errors))


_TABLES = ("calling_hours", "legal_hours", "queue", "keys")
_TEMPLATE_KEY = re.compile(r"[a-z][a-z0-9_]{0,63}")


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def with_templates(config: Config, known: Iterable[str]) -> Config:
    """The config checked against the templates there are: a default_template no template
    has is a warning in `errors`, and the built-in default is used instead."""
    from callbook.jigsaw import DEFAULT_TEMPLATE

    known = list(known)
    if config.default_template in known:
        return config
    where = config.templates_dir or "the templates folder"
    said = (
        f"default_template: no template {config.default_template!r} (in {where} or built in); "
        f"using {DEFAULT_TEMPLATE!r}; known: {', '.join(known)}"
    )
    return replace(config, default_template=DEFAULT_TEMPLATE, errors=(*config.errors, said))


def _legal(value: dict, bad) -> LegalHours:
    """[legal_hours] start/end, and [legal_hours.stricter] "US-FL" = "08:00-20:00"."""
    legal = LegalHours()
    for key in ("start", "end"):
        if key in value:
            try:
                legal = replace(legal, **{key: _time(value[key])})
            except ValueError:
                usual = _Said(f"{getattr(LegalHours(), key):%H:%M}")
                bad(key, f"a time like '08:00', not {_shown(value[key])}", usual, "legal_hours")
    stricter = []
    for place, span in (value.get("stricter") or {}).items():
        where = str(place).strip().upper()
        parts = str(span).replace("–", "-").split("-")
        try:
            if not re.fullmatch(r"[A-Z]{2}(?:-[A-Z0-9]{1,3})?", where) or len(parts) != 2:
                raise ValueError
            a, b = (_time(p.strip()) for p in parts)
        except ValueError:
            bad(str(place), f"a country or state like 'US-FL' = '08:00-20:00', not {span!r}",
                None, "legal_hours.stricter")  # fmt: skip
            continue
        stricter.append((where, a, b))
    return replace(legal, stricter=tuple(stricter))


def _time(text: object) -> time:
    """A time of day in `callbook.when`'s words ('09:00', '9am', '5:30pm'); ValueError if not."""
    from callbook.when import WhenError, read_time

    try:
        found = read_time(str(text))
    except WhenError:
        found = None
    if found is None:
        raise ValueError(text)
    return found


def _hours(value: dict, bad) -> CallingHours:
    hours = defaults = CallingHours()

    def wrong(key: str, reason: str, default: object) -> None:
        bad(key, reason, default, "calling_hours")

    for key in value:
        if key not in ("start", "end", "days"):
            wrong(key, "unknown setting in [calling_hours] (start, end, days)", None)
    for key in ("start", "end"):
        if key in value:
            raw = value[key]
            try:
                when = raw if isinstance(raw, time) else _time(_text(raw))
            except (TypeError, ValueError):
                usual = f"{getattr(defaults, key):%H:%M}"
                wrong(key, f"a time like '09:00', not {_shown(raw)}", _Said(usual))
                continue
            hours = replace(hours, **{key: when.replace(tzinfo=None)})
    if hours.end <= hours.start:
        wrong("end", f"calling hours end ({hours.end:%H:%M}) at or before they start "
              f"({hours.start:%H:%M}): no call could ever be offered",
              _Said(f"{defaults.start:%H:%M}-{defaults.end:%H:%M}"))  # fmt: skip
        hours = replace(hours, start=defaults.start, end=defaults.end)
    if "days" in value:
        from callbook.when import DAY_GROUPS
        from callbook.when import WEEKDAYS as DAY_WORDS

        days = value["days"]
        words = [d.strip().casefold() for d in days if isinstance(d, str)] if isinstance(
            days, list) else None  # fmt: skip
        shown_default = [WEEKDAYS[d] for d in defaults.days]
        if (
            words is None or len(words) != len(days)
            or not all(w in DAY_WORDS or w in DAY_GROUPS for w in words)
        ):  # fmt: skip
            wrong("days", "weekday names like ['mon', 'tue']", shown_default)
        elif not words:
            wrong("days", "no calling days at all: no call could ever be offered", shown_default)
        else:
            found = {DAY_WORDS[w] for w in words if w in DAY_WORDS}
            found.update(*(DAY_GROUPS[w] for w in words if w in DAY_GROUPS))
            hours = replace(hours, days=tuple(sorted(found)))
    return hours


def _dial(value: dict, bad) -> DialSettings:
    dial = DialSettings()
    for key, given in value.items():
        if key == "handoff":
            if given in HANDOFFS:
                dial = replace(dial, handoff=given)
            else:
                bad(key, f"one of {', '.join(HANDOFFS)}, not {given!r}")
        elif key == "command":
            if isinstance(given, str) and ("{number}" in given or "{tel}" in given):
                dial = replace(dial, command=given)
            else:
                bad(key, "a command with {number} (or {tel}) where the number goes")
        else:
            bad(key, "unknown dial setting (handoff, command)")
    if dial.handoff == "command" and dial.command is None:
        bad("handoff", 'handoff = "command" needs command = "... {number}"')
        dial = DialSettings()
    return dial
def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError
    return value


def _queue(value: dict, bad) -> QueueRules:
    rules = defaults = QueueRules()

    def wrong(key: str, reason: str, default: object) -> None:
        bad(key, reason, default, "queue")

    for key in value:
        if key not in ("cooldown_hours", "daily_attempts"):
            wrong(key, "unknown setting in [queue] (cooldown_hours, daily_attempts)", None)
    if "cooldown_hours" in value:
        hours = value["cooldown_hours"]
        if (
            isinstance(hours, int | float) and not isinstance(hours, bool)
            and math.isfinite(hours) and 0 <= hours <= MAX_COOLDOWN_HOURS
        ):  # fmt: skip
            rules = replace(rules, cooldown_hours=float(hours))
        else:
            wrong("cooldown_hours", f"a number of hours, 0 to {MAX_COOLDOWN_HOURS}",
                  defaults.cooldown_hours)  # fmt: skip
    if "daily_attempts" in value:
        attempts = value["daily_attempts"]
        if _whole(attempts) and 0 < attempts <= MAX_DAILY_ATTEMPTS:
            rules = replace(rules, daily_attempts=attempts)
        else:
            wrong("daily_attempts", f"a whole number, 1 to {MAX_DAILY_ATTEMPTS}",
                  defaults.daily_attempts)  # fmt: skip
    return rules


def _keys(value: dict, bad) -> dict[str, str]:
    """binding id -> keys; which ids exist is the app's to say (it warns about unknown ones)."""
    keys: dict[str, str] = {}
    for name, keys_text in value.items():
        if not isinstance(keys_text, str) or not keys_text.strip():
            bad(name, "keys like 'ctrl+n' or 'down,n', not empty", _Said("its usual key"), "keys")
        elif len(keys_text) > MAX_KEYS_BYTES or any(ord(c) < 32 for c in keys_text):
            bad(name, f"keys like 'ctrl+n' or 'down,n' (at most {MAX_KEYS_BYTES} characters, "
                "no control characters)", _Said("its usual key"), "keys")  # fmt: skip
        elif [k for k in keys_text.split(",") if not k.strip()]:
            bad(name, f"an empty key in {keys_text!r}", _Said("its usual key"), "keys")
        else:
            keys[str(name)] = keys_text.strip()
    return keys
