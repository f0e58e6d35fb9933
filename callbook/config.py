"""User settings from `config.toml` in the config folder, with defaults for everything.

A broken or unknown setting never stops callbook: it is reported (file, line, reason) in
`Config.errors` and the default is used instead.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from datetime import time, tzinfo
from pathlib import Path

from callbook import toml_errors
from callbook.clock import zone
from callbook.dial import HANDOFFS, DialSettings
from callbook.paths import Paths

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class CallingHours:
    start: time = time(9, 0)
    end: time = time(17, 30)
    days: tuple[int, ...] = (0, 1, 2, 3, 4)  # Monday = 0


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
    queue: QueueRules = field(default_factory=QueueRules)
    keys: dict[str, str] = field(default_factory=dict)  # binding id -> keys
    backups_keep: int = 7
    wrap_up: bool = True  # after a line with no `> objective`, offer one for the next call
    dial: DialSettings = field(default_factory=DialSettings)  # the number handed to a dialer
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
            if isinstance(value, str) and _valid_zone(value):
                changes["timezone"] = value
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
        elif key == "calling_hours" and isinstance(value, dict):
            changes["calling_hours"] = _hours(value, bad)
        elif key == "queue" and isinstance(value, dict):
            changes["queue"] = _queue(value, bad)
        elif key == "dial" and isinstance(value, dict):
            changes["dial"] = _dial(value, bad)
        elif key == "keys" and isinstance(value, dict):
            changes["keys"] = {str(k): str(v) for k, v in value.items()}
        else:
            bad(key, "unknown setting")
    return replace(config, **changes, errors=tuple(errors))


def _valid_zone(name: str) -> bool:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _hours(value: dict, bad) -> CallingHours:
    hours = CallingHours()
    for key in ("start", "end"):
        if key in value:
            try:
                hours = replace(hours, **{key: time.fromisoformat(str(value[key]))})
            except ValueError:
                bad(key, f"a time like '09:00', not {value[key]!r}")
    if "days" in value:
        days = [str(d).lower()[:3] for d in value["days"]]
        if all(d in WEEKDAYS for d in days):
            hours = replace(hours, days=tuple(sorted(WEEKDAYS.index(d) for d in days)))
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
