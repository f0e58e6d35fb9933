"""Scheduled callbacks as an iCalendar file, so that they sit in the caller's calendar too.

One 15-minute event per prospect with a next call, in the caller's time zone, carrying who to
call, the numbers, the objective and the people to ask for. Each event's UID is fixed by the
book and the prospect (`callbook-<book id>-prospect-<id>@callbook`: two books' callbacks in one
calendar never overwrite each other) and its SEQUENCE grows with every change, so that
importing a fresh export updates the events instead of adding copies.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from callbook import __version__, phones
from callbook.model import Contact, Prospect, Role, Status
from callbook.store import Store, bulk
from callbook.store.rows import from_db_time
from callbook.when import zone as named_zone

DURATION = timedelta(minutes=15)
REMINDER = timedelta(minutes=5)
_EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
_CLOSED = (Status.DO_NOT_CALL, Status.WON, Status.LOST)
# Who to ask for first.
_ROLE_ORDER = (Role.DECISION_MAKER, Role.CHAMPION, Role.INFLUENCER, Role.GATEKEEPER, Role.USER,
               Role.OTHER)  # fmt: skip


def uid_for(prospect_id: int, book_id: str) -> str:
    return f"callbook-{book_id}-prospect-{prospect_id}@callbook"


def book_id(store: Store) -> str:
    """The book's own id (made with the book, kept by its backups)."""
    with bulk.reading(store) as conn:
        return conn.execute("select value from book_info where key = 'id'").fetchone()[0]


def callbacks(store: Store) -> list[tuple[Prospect, list[Contact], datetime | None]]:
    """(prospect, contacts, last change) for every open prospect with a next call."""
    scheduled = [p for p in store.scheduled() if p.status not in _CLOSED]
    with bulk.reading(store) as conn:
        changed = bulk.updated_times(conn, [p.id for p in scheduled])
    return [(p, store.contacts(p.id), from_db_time(changed.get(p.id))) for p in scheduled]


def calendar(
    entries: Iterable[tuple[Prospect, list[Contact], datetime | None]],
    tz: tzinfo,
    now: datetime,
    *,
    book: str,
    home_region: str | None = None,
) -> bytes:
    """The VCALENDAR text (bytes, CRLF lines as RFC 5545 wants); `book` is the book's id."""
    from icalendar import Alarm, Calendar, Event

    zone = tz if isinstance(tz, ZoneInfo) else UTC  # a fixed offset has no VTIMEZONE: use UTC
    cal = Calendar()
    cal.add("prodid", f"-//callbook//callbook {__version__}//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", "callbook callbacks")
    for prospect, contacts, changed in entries:
        start = prospect.next_call_at.astimezone(zone)
        event = Event()
        event.add("uid", uid_for(prospect.id, book))
        event.add("dtstamp", now.astimezone(UTC))
        event.add("dtstart", start)
        event.add("dtend", start + DURATION)
        event.add("summary", f"Call {prospect.name}")
        event.add("description", _description(prospect, contacts, home_region))
        event.add("categories", ["callbook"])
        if changed is not None:
            event.add("last-modified", changed.astimezone(UTC))
            event.add("sequence", max(0, int((changed - _EPOCH).total_seconds())))
        if prospect.phones:
            event.add("location", phones.display(prospect.phones[0], national_region=home_region))
            uri = phones.tel_uri(prospect.phones[0])
            if uri:
                event.add("url", uri)
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"Call {prospect.name}")
        alarm.add("trigger", -REMINDER)
        event.add_component(alarm)
        cal.add_component(event)
    if zone is not UTC:
        cal.add_missing_timezones()
    return cal.to_ical()


def _description(prospect: Prospect, contacts: list[Contact], home_region: str | None) -> str:
    lines = []
    if prospect.company and prospect.company != prospect.name:
        lines.append(f"Company: {prospect.company}")
    if prospect.phones:
        shown = [phones.display(p, national_region=home_region) for p in prospect.phones]
        lines.append(f"Phone: {', '.join(shown)}")
    if prospect.next_objective:
        lines.append(f"Objective: {prospect.next_objective}")
    people = sorted(contacts, key=lambda c: _ROLE_ORDER.index(c.role))
    if people:
        asks = []
        for contact in people:
            about = [contact.role.label] if contact.role is not Role.OTHER else []
            if contact.title:
                about.append(contact.title)
            extra = f" ({', '.join(about)})" if about else ""
            direct = f", {phones.display(contact.phone, national_region=home_region)}" if (
                contact.phone and contact.phone not in prospect.phones) else ""  # fmt: skip
            asks.append(f"{contact.name}{extra}{direct}")
        lines.append(f"Ask for: {'; '.join(asks)}")
    if prospect.timezone and prospect.next_call_at:
        tz = named_zone(prospect.timezone)  # the one reader of zone names: "europe/london" too
        there = prospect.next_call_at.astimezone(tz) if tz is not None else None
        if there is not None:
            lines.append(f"Their time: {there:%a %H:%M} ({prospect.timezone})")
    lines.append(f"callbook prospect #{prospect.id}")
    return "\n".join(lines)
