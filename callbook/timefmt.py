"""How callbook writes times for people: ages ("3d ago"), local clock times and call dates.
Shared by the command line and the app so that both say the same thing."""

from __future__ import annotations

from datetime import datetime, tzinfo


def ago(when: datetime | None, now: datetime) -> str:
    """'just now', '5m ago', '3h ago', '2d ago', '6w ago'; 'in 2h' for the future."""
    if when is None:
        return "never"
    seconds = (now - when).total_seconds()
    future = seconds < 0
    seconds = abs(seconds)
    if seconds < 60:
        return "just now"
    for size, unit in ((7 * 86400, "w"), (86400, "d"), (3600, "h"), (60, "m")):
        if seconds >= size * (2 if unit == "w" else 1):
            n = int(seconds // size)
            return f"in {n}{unit}" if future else f"{n}{unit} ago"
    return "just now"


def clock_time(when: datetime, tz: tzinfo) -> str:
    """'14:05' in `tz`."""
    return when.astimezone(tz).strftime("%H:%M")


def call_time(when: datetime | None, now: datetime, tz: tzinfo) -> str:
    """A next-call time as a caller reads it: 'today 14:30', 'tomorrow 09:00', 'Thu 3 Dec 09:30',
    or with the year when it is not this year."""
    if when is None:
        return "-"
    local, today = when.astimezone(tz), now.astimezone(tz).date()
    days = (local.date() - today).days
    hm = local.strftime("%H:%M")
    if days == 0:
        return f"today {hm}"
    if days == 1:
        return f"tomorrow {hm}"
    if days == -1:
        return f"yesterday {hm}"
    day = f"{local:%a} {local.day} {local:%b}"
    if local.year != today.year:
        day += f" {local.year}"
    return f"{day} {hm}"


def duration(seconds: float) -> str:
    """'4:07' for a call timer, '1:02:03' past an hour."""
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def zone_note(source: str) -> str:
    """How a prospect's zone was found, when it was not given: ' (from the number)'."""
    return {"phone": " (from the number)", "place": " (from the place)"}.get(source, "")
