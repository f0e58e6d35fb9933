"""User settings from `config.toml` in the config folder, with defaults for everything.

A broken or unknown setting never stops callbook: it is reported (file, line, reason) in
`Config.errors` and the default is used instead.
"""

from __future__ import annotations

import re
import tomllib
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


def load_config(paths: Paths | None = None, *, file: Path | None = None) -> Config:
    """Read the config file (missing is fine) and return settings with defaults filled in."""
    path = file if file is not None else (paths.config_file if paths else None)
    base = Config(templates_dir=paths.templates_dir if paths else None)
    if path is None or not path.exists():
        return base
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line, reason = toml_errors.describe(exc, max(len(text.splitlines()), 1))
        return replace(base, errors=(f"{path}:{line}: {reason}",))
    return _apply(base, data, path, text)


def _line_of(text: str, key: str) -> int | str:
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip().startswith((key, f'"{key}"')):
            return number
    return "?"


def _apply(config: Config, data: dict, path: Path, text: str) -> Config:
    errors: list[str] = []

    def bad(key: str, reason: str) -> None:
        errors.append(f"{path}:{_line_of(text, key)}: {key}: {reason}")

    changes: dict = {}
    for key, value in data.items():
        if key == "timezone":
            if isinstance(value, str) and resolve_zone(value):
                changes["timezone"] = resolve_zone(value)
            else:
                bad(key, f"unknown time zone {value!r}")
        elif key == "region":
            if isinstance(value, str) and len(value) == 2 and value.isalpha():
                changes["region"] = value.upper()
            else:
                bad(key, "a two-letter country code, like 'GB' or 'US'")
        elif key == "default_template":
            changes["default_template"] = str(value)
        elif key == "backups_keep":
            if isinstance(value, int) and value >= 0:
                changes["backups_keep"] = value
            else:
                bad(key, "a whole number of backups to keep (0 turns them off)")
        elif key == "wrap_up":
            if isinstance(value, bool):
                changes["wrap_up"] = value
            else:
                bad(key, "true or false")
        elif key == "theme":
            if isinstance(value, str) and value.strip():
                changes["theme"] = value.strip()
            else:
                bad(key, "a theme name, like \"nord\" (the command palette lists them)")
        elif key == "calling_hours" and isinstance(value, dict):
            changes["calling_hours"] = _hours(value, bad)
        elif key == "legal_hours" and isinstance(value, dict):
            changes["legal_hours"] = _legal(value, bad)
        elif key == "queue" and isinstance(value, dict):
            changes["queue"] = _queue(value, bad)
        elif key == "dial" and isinstance(value, dict):
            changes["dial"] = _dial(value, bad)
        elif key == "keys" and isinstance(value, dict):
            changes["keys"] = {str(k): str(v) for k, v in value.items()}
        else:
            bad(key, "unknown setting")
    return replace(config, **changes, errors=tuple(errors))


def _legal(value: dict, bad) -> LegalHours:
    """[legal_hours] start/end, and [legal_hours.stricter] "US-FL" = "08:00-20:00"."""
    legal = LegalHours()
    for key in ("start", "end"):
        if key in value:
            try:
                legal = replace(legal, **{key: _time(value[key])})
            except ValueError:
                bad(key, f"a time like '08:00', not {value[key]!r}")
    stricter = []
    for place, span in (value.get("stricter") or {}).items():
        where = str(place).strip().upper()
        parts = str(span).replace("–", "-").split("-")
        try:
            if not re.fullmatch(r"[A-Z]{2}(?:-[A-Z0-9]{1,3})?", where) or len(parts) != 2:
                raise ValueError
            a, b = (_time(p.strip()) for p in parts)
        except ValueError:
            bad(str(place), f"a country or state like 'US-FL' = '08:00-20:00', not {span!r}")
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
    from callbook.when import DAY_GROUPS
    from callbook.when import WEEKDAYS as DAY_WORDS

    hours = CallingHours()
    for key in ("start", "end"):
        if key in value:
            try:
                hours = replace(hours, **{key: _time(value[key])})
            except ValueError:
                bad(key, f"a time like '09:00', not {value[key]!r}")
    if "days" in value:
        words = [str(d).strip().casefold() for d in value["days"]]
        if all(w in DAY_WORDS or w in DAY_GROUPS for w in words):
            days = {DAY_WORDS[w] for w in words if w in DAY_WORDS}
            days.update(*(DAY_GROUPS[w] for w in words if w in DAY_GROUPS))
            hours = replace(hours, days=tuple(sorted(days)))
        else:
            bad("days", "weekday names like ['mon', 'tue']")
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


def _queue(value: dict, bad) -> QueueRules:
    rules = QueueRules()
    if "cooldown_hours" in value:
        if isinstance(value["cooldown_hours"], int | float) and value["cooldown_hours"] >= 0:
            rules = replace(rules, cooldown_hours=float(value["cooldown_hours"]))
        else:
            bad("cooldown_hours", "a number of hours")
    if "daily_attempts" in value:
        if isinstance(value["daily_attempts"], int) and value["daily_attempts"] > 0:
            rules = replace(rules, daily_attempts=value["daily_attempts"])
        else:
            bad("daily_attempts", "a whole number above 0")
    return rules
