"""The queue's order on a constructed book at fixed clocks: zones, days, availability, DST,
cooldown and cap, do-not-call, skip and snooze; and the lazy walk against the plain sort."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callbook.availability import parse
from callbook.clock import fixed_clock
from callbook.config import Config, QueueRules
from callbook.model import NewCall, NewContact, Outcome, QueueReason, Role
from callbook.queue import (
    Candidate,
    QueueSettings,
    Row,
    next_callable,
    order,
    walk,
    zone_info,
)
from callbook.store import Store

# Tuesday 1 December 2026, 15:00 UTC: 10:00 in New York, 07:00 in Los Angeles, 15:00 in London,
# 16:00 in Berlin. The caller is in London.
TUESDAY = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
CONFIG = Config(timezone="Europe/London")


def open_store(path, now: datetime = TUESDAY, config: Config = CONFIG) -> Store:
    store = Store.open(path, clock=fixed_clock(now))
    store.queue_settings = QueueSettings.from_config(config)
    return store


@pytest.fixture
def store(tmp_path):
    with open_store(tmp_path / "book.db") as s:
        yield s


def names(entries) -> list[str]:
    return [e.prospect.name for e in entries]


def whole(store: Store, now: datetime) -> list:
    return store.queue(now, limit=1000)


def called(store, prospect, at: datetime, outcome=Outcome.NO_ANSWER, **kw):
    return store.record_call(NewCall(prospect.id, at, at + timedelta(minutes=2), outcome, **kw))


@pytest.fixture
def book(store):
    """Prospects across zones; Tom's company learned that Tom is not in on Tuesdays."""
    add = store.add_prospect
    add("NY Corp", timezone="America/New_York", priority=2)
    add("LA Inc", timezone="America/Los_Angeles", priority=1)
    add("London Ltd", phones=["+442079460000"])  # zone from the number
    add("Berlin GmbH", country="DE")  # zone from the country
    add("Mystery Co")  # no zone at all: read in the caller's zone, marked unknown
    toms = add("Tom's Co", timezone="America/New_York", priority=1)
    learned = TUESDAY - timedelta(days=7)
    called(
        store, toms, learned, Outcome.GATEKEEPER,
        pieces=(("decision_maker", "Tom Li, Ops Director"), ("dm_availability", "not Tuesdays")),
        contacts=(NewContact("Tom Li", Role.DECISION_MAKER, "Ops Director"),),
    )  # fmt: skip
    add("Callback Co", timezone="America/New_York", next_call_at=TUESDAY - timedelta(minutes=10))
    add("Gone", status="do_not_call")
    add("Won", status="won")
    add("Lost", status="lost")
    add("Later", next_call_at=TUESDAY + timedelta(days=2))
    return store


def test_order_across_zones_and_rules_on_a_tuesday(book):
    entries = whole(book, TUESDAY)
    assert names(entries) == [
        "Callback Co",  # callback due
        "NY Corp",  # callable: priority 2 first
        "London Ltd",  # priority 3, never called, by id
        "Berlin GmbH",
        "Mystery Co",
        "LA Inc",  # 07:00 in LA: callable at 17:00 UTC today
        "Tom's Co",  # not on Tuesdays: Wednesday 09:00 in New York
    ]
    by_name = {e.prospect.name: e for e in entries}
    assert [e.callable for e in entries] == [True] * 5 + [False] * 2
    assert book.queue_size(TUESDAY) == 7

    la = by_name["LA Inc"]
    assert la.why == "07:00 local" and la.callable_at == datetime(2026, 12, 1, 17, tzinfo=UTC)
    toms = by_name["Tom's Co"]
    assert toms.why == "Tom is off on Tuesdays"
    assert toms.callable_at == datetime(2026, 12, 2, 14, tzinfo=UTC)
    assert toms.availability == ("not Tuesdays",) and toms.not_understood == ()
    assert toms.reason is QueueReason.FOLLOW_UP

    assert (by_name["London Ltd"].zone, by_name["London Ltd"].zone_source) == (
        "Europe/London", "phone"
    )  # fmt: skip
    assert (by_name["Berlin GmbH"].zone, by_name["Berlin GmbH"].zone_source) == (
        "Europe/Berlin", "place"
    )  # fmt: skip
    mystery = by_name["Mystery Co"]
    assert mystery.zone is None and mystery.local_time is None and mystery.callable
    ny = by_name["NY Corp"]
    assert ny.local_time.isoformat() == "2026-12-01T10:00:00-05:00"
    assert ny.zone_source == "prospect" and ny.why == ""
    cb = by_name["Callback Co"]
    assert cb.reason is QueueReason.CALLBACK and cb.due_at == TUESDAY - timedelta(minutes=10)


def test_on_wednesday_tom_is_first_by_priority(book):
    wednesday = TUESDAY + timedelta(days=1)
    entries = whole(book, wednesday)
    # The callback is past its grace but New York is open: still first.
    assert names(entries)[:3] == ["Callback Co", "Tom's Co", "NY Corp"]
    assert entries[1].callable and entries[1].why == ""


def test_eight_pm_local(book):
    evening = datetime(2026, 12, 2, 1, 4, tzinfo=UTC)  # Tue 20:04 in New York, 01:04 Wed London
    entries = {e.prospect.name: e for e in whole(book, evening)}
    ny = entries["NY Corp"]
    assert not ny.callable and ny.why == "20:04 local"
    assert ny.callable_at == datetime(2026, 12, 2, 14, tzinfo=UTC)
    # 17:04 in Los Angeles. No zone known for Mystery Co: never "any time", but the caller's
    # own hours (01:04 in London), marked unknown. The callback waits for the morning.
    assert [n for n, e in entries.items() if e.callable] == ["LA Inc"]
    mystery = entries["Mystery Co"]
    assert mystery.why == "01:04 your time ? (zone unknown)"
    assert mystery.callable_at == datetime(2026, 12, 2, 9, tzinfo=UTC)
    cb = entries["Callback Co"]
    assert not cb.callable and cb.callable_at == datetime(2026, 12, 2, 14, tzinfo=UTC)
    assert cb.why == "callback waits: 20:04 local"
    order_now = names(whole(book, evening))
    assert order_now[:4] == ["LA Inc", "Berlin GmbH", "London Ltd", "Mystery Co"]
    # At the same opening, the callback goes first.
    assert order_now.index("Callback Co") < order_now.index("NY Corp")


def test_a_callback_is_callable_at_its_time_outside_the_callers_hours(store):
    evening = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)  # 20:00 in New York
    store.add_prospect("Asked for 8pm", timezone="America/New_York", next_call_at=evening)
    store.add_prospect("Night owl", timezone="America/New_York")
    [first, second] = whole(store, evening + timedelta(minutes=30))
    assert (first.prospect.name, first.callable, first.reason) == (
        "Asked for 8pm", True, QueueReason.CALLBACK
    )  # fmt: skip
    assert not second.callable
    # 21:10 in New York: within the grace, but past the legal floor: no grace into the night.
    late = whole(store, evening + timedelta(hours=1, minutes=10))
    assert [e.callable for e in late] == [False, False]
    assert names(late) == ["Asked for 8pm", "Night owl"]
    assert late[0].why == "callback waits: 21:10 local"
    assert late[0].callable_at == datetime(2026, 12, 2, 14, tzinfo=UTC)  # Wed 09:00 there


def test_a_callback_due_at_night_waits_for_the_morning(store):
    """The issue's Harbor Builders: a callback due 23:44 in Sydney is not callable at 00:01."""
    due = datetime(2026, 12, 1, 12, 44, tzinfo=UTC)  # 23:44 in Sydney (UTC+11)
    store.add_prospect("Harbor Builders Pty Ltd", timezone="Australia/Sydney", next_call_at=due)
    [entry] = whole(store, datetime(2026, 12, 1, 13, 1, tzinfo=UTC))  # 00:01 Wednesday there
    assert not entry.callable and entry.why == "callback waits: 00:01 local"
    assert entry.callable_at == datetime(2026, 12, 1, 22, 0, tzinfo=UTC)  # 09:00 there


def test_dst_change_days(store):
    store.add_prospect("New York", timezone="America/New_York")
    store.add_prospect("London", timezone="Europe/London")
    store.add_prospect("Berlin", timezone="Europe/Berlin")
    # US clocks go forward on Sunday 8 March 2026: Monday 9:00 in New York is 13:00 UTC.
    saturday = datetime(2026, 3, 7, 20, 0, tzinfo=UTC)
    by_name = {e.prospect.name: e for e in whole(store, saturday)}
    assert by_name["New York"].callable_at == datetime(2026, 3, 9, 13, 0, tzinfo=UTC)
    assert by_name["London"].callable_at == datetime(2026, 3, 9, 9, 0, tzinfo=UTC)
    assert by_name["New York"].why == "Sat 15:00 local"
    monday = datetime(2026, 3, 9, 13, 30, tzinfo=UTC)  # 09:30 EDT (it would be 08:30 EST)
    assert [e.prospect.name for e in whole(store, monday) if e.callable] == [
        "New York", "London", "Berlin"
    ]  # fmt: skip
    # Europe goes forward on Sunday 29 March: Monday 08:30 in London is 07:30 UTC.
    eu_monday = datetime(2026, 3, 30, 7, 30, tzinfo=UTC)
    by_name = {e.prospect.name: e for e in whole(store, eu_monday)}
    assert by_name["Berlin"].callable  # 09:30 CEST
    assert by_name["London"].callable_at == datetime(2026, 3, 30, 8, 0, tzinfo=UTC)
    assert by_name["London"].local_time.isoformat() == "2026-03-30T08:30:00+01:00"


def test_cooldown_and_daily_cap(store):
    p = store.add_prospect("Acme", timezone="Europe/London")
    other = store.add_prospect("Other", timezone="Europe/London", priority=5)
    # Both reached the decision maker: their attempt plans are over, the cooldown and cap rule.
    reached = Outcome.DECISION_MAKER
    called(store, p, TUESDAY - timedelta(hours=3), reached)  # 12:00-12:02
    [first, second] = whole(store, TUESDAY)
    assert first.prospect.id == other.id
    assert (second.callable, second.why) == (False, "cooldown until 16:02")
    assert second.callable_at == TUESDAY + timedelta(hours=1, minutes=2)
    assert second.attempts_today == 1
    # A cooldown that ends after the hours waits for the next morning.
    called(store, other, TUESDAY - timedelta(minutes=30), reached)
    entry = whole(store, TUESDAY)[1]
    assert entry.why == "cooldown until 18:32"
    assert entry.callable_at == datetime(2026, 12, 2, 9, 0, tzinfo=UTC)

    # Three attempts today: the cap; back tomorrow when London opens.
    called(store, p, TUESDAY - timedelta(hours=6), reached)
    called(store, p, TUESDAY - timedelta(hours=5), reached)
    evening = TUESDAY + timedelta(hours=2, minutes=10)  # 17:10, out of cooldown
    entry = next(e for e in whole(store, evening) if e.prospect.id == p.id)
    assert (entry.callable, entry.why, entry.attempts_today) == (False, "3 calls today (cap 3)", 3)
    assert entry.callable_at == datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def test_a_callback_overrides_the_cooldown(store):
    p = store.add_prospect("Acme", timezone="Europe/London")
    called(store, p, TUESDAY - timedelta(minutes=20), next_call_at=TUESDAY - timedelta(minutes=1))
    [entry] = whole(store, TUESDAY)
    assert entry.callable and entry.reason is QueueReason.CALLBACK


def test_cooldown_and_cap_come_from_the_config(tmp_path):
    config = Config(timezone="Europe/London", queue=QueueRules(cooldown_hours=0, daily_attempts=1))
    with open_store(tmp_path / "b.db", config=config) as store:
        p = store.add_prospect("Acme", timezone="Europe/London")
        called(store, p, TUESDAY - timedelta(hours=1))
        [entry] = whole(store, TUESDAY)
        assert entry.why == "1 calls today (cap 1)"


def test_do_not_call_everywhere(store, tmp_path):
    keep = store.add_prospect("Keep", phones=["+442079460000", "+442079460001"])
    only = store.add_prospect("Only number", phones=["+442079460002"])
    flagged = store.add_prospect("Flagged later", phones=["+442079460003"])
    called(store, flagged, TUESDAY - timedelta(days=1), Outcome.DO_NOT_CALL)
    assert store.queue_size(TUESDAY) == 2
    assert store.add_do_not_call_number("+442079460001") is True
    assert store.add_do_not_call_number("+442079460001;ext=5") is False  # same number
    store.add_do_not_call_number("+442079460002", note="asked us to stop")
    entries = whole(store, TUESDAY)
    assert names(entries) == ["Keep"] and entries[0].dnc_numbers == ("+442079460001",)
    assert store.queue_size(TUESDAY) == 1
    assert store.queue_entries([only.id, flagged.id, keep.id], TUESDAY)[0].prospect.id == keep.id
    assert store.blocked_numbers(store.get_prospect(keep.id)) == ("+442079460001",)
    # `!dnc` put the flagged prospect's number on the list too.
    listed = [n for n, _, _ in store.do_not_call_numbers()]
    assert sorted(listed) == ["+442079460001", "+442079460002", "+442079460003"]
    assert store.remove_do_not_call_number("+442079460002")
    assert names(whole(store, TUESDAY)) == ["Keep", "Only number"]


def test_skip_goes_to_the_back_for_the_day(store):
    a = store.add_prospect("A", timezone="Europe/London", priority=1)
    store.add_prospect("B", timezone="Europe/London", priority=2)
    store.add_prospect("C", timezone="America/Los_Angeles", priority=1)  # waiting
    store.skip(a.id, TUESDAY - timedelta(minutes=5))
    entries = whole(store, TUESDAY)
    assert names(entries) == ["B", "C", "A"]
    assert entries[-1].skipped and entries[-1].why == "skipped today"
    assert store.queue_size(TUESDAY) == 3
    # The next (London) day it is back in its place.
    assert names(whole(store, TUESDAY + timedelta(days=1))) == ["A", "B", "C"]
    store.skip(a.id, TUESDAY)
    assert store.unskip(a.id) and names(whole(store, TUESDAY))[0] == "A"


def test_snooze_sets_the_next_call(store):
    a = store.add_prospect("A", timezone="Europe/London", priority=1)
    store.add_prospect("B", timezone="Europe/London")
    store.skip(a.id, TUESDAY)
    snoozed = store.snooze(a.id, TUESDAY + timedelta(hours=1))
    assert snoozed.next_call_at == TUESDAY + timedelta(hours=1)
    assert names(whole(store, TUESDAY)) == ["B"] and store.queue_size(TUESDAY) == 1
    later = whole(store, TUESDAY + timedelta(hours=1))
    assert names(later) == ["A", "B"] and later[0].reason is QueueReason.CALLBACK
    assert not later[0].skipped  # snoozing ended the skip


def test_windows_page_through_the_same_order(book):
    full = whole(book, TUESDAY)
    for offset in range(len(full)):
        for limit in (1, 2, 3):
            window = book.queue(TUESDAY, limit=limit, offset=offset)
            assert names(window) == names(full[offset : offset + limit])


def test_zones_follow_changes(store):
    p = store.add_prospect("Moves", phones=["+442079460000"])
    assert whole(store, TUESDAY)[0].zone == "Europe/London"
    store.update_prospect(p.id, phones=["+12125550123"])
    assert whole(store, TUESDAY)[0].zone == "America/New_York"
    store.update_prospect(p.id, timezone="Asia/Tokyo")
    [entry] = whole(store, TUESDAY)
    assert (entry.zone, entry.zone_source, entry.callable) == ("Asia/Tokyo", "prospect", False)


def test_not_understood_availability_is_shown_not_used(store):
    p = store.add_prospect("Acme", timezone="Europe/London")
    store.add_piece(p.id, "dm_availability", "usually in Leeds on Mondays")
    [entry] = whole(store, TUESDAY)
    assert entry.callable and entry.not_understood == ("usually in Leeds on Mondays",)


def test_a_read_only_book_still_reads_zones(tmp_path):
    path = tmp_path / "b.db"
    with open_store(path) as store:
        store.add_prospect("London Ltd", phones=["+442079460000"])
    path.chmod(0o400)
    try:
        with open_store(path) as store:
            assert whole(store, TUESDAY)[0].zone == "Europe/London"
    finally:
        path.chmod(0o600)


# --- the lazy walk is the plain sort -------------------------------------------------------

ZONES = [
    None, "America/New_York", "America/Los_Angeles", "Europe/London", "Asia/Tokyo",
    "Asia/Kathmandu", "America/St_Johns", "America/Chicago America/New_York",
]  # fmt: skip
PHRASES = ["not Tuesdays", "best after 4pm", "mornings only", "back on 12 Jan", "anytime", "?"]
SETTINGS = QueueSettings(caller_tz=zone_info("Europe/London"))
BASE = datetime(2026, 12, 1, tzinfo=UTC)


class FakeLanes:
    """The store's lanes over a list of candidates."""

    def __init__(self, candidates: list[Candidate], now: datetime) -> None:
        self.by_id = {c.id: c for c in candidates}
        self.now = now
        # Some rows as a read-only book serves them: zone not read into the column yet.
        self.unread_ids = {c.id for c in candidates if c.id % 4 == 0 and not c.due_at}

    def _row(self, c: Candidate) -> Row:
        return Row(c.id, c.priority, c.last_call_at, c.due_at, c.zone)

    def _sorted(self, cs):
        early = datetime.min.replace(tzinfo=UTC)
        ordered = sorted(cs, key=lambda c: (c.priority, c.last_call_at or early, c.id))
        return [self._row(c) for c in ordered]

    def zones(self):
        return sorted(
            {c.zone for c in self.by_id.values() if c.zone and c.id not in self.unread_ids}
        )

    def callbacks(self, closed):
        cutoff = self.now - SETTINGS.callback_grace
        due = [
            c for c in self.by_id.values()
            if c.due_at and not (c.due_at < cutoff and c.zone in closed)
        ]  # fmt: skip
        return [self._row(c) for c in sorted(due, key=lambda c: (c.due_at, c.priority, c.id))]

    def late_callbacks(self, zone):
        cutoff = self.now - SETTINGS.callback_grace
        return self._sorted(
            c for c in self.by_id.values() if c.due_at and c.due_at < cutoff and c.zone == zone
        )

    def waiting(self, zone):
        return [
            self._sorted(
                c for c in self.by_id.values()
                if not c.due_at and c.zone == zone and c.id not in self.unread_ids
            )
        ]  # fmt: skip

    def unread(self):
        return self._sorted(c for c in self.by_id.values() if c.id in self.unread_ids)

    def skipped(self):
        return [c for c in self.by_id.values() if c.skipped_at]

    def resolve(self, row):
        return self.by_id[row.id]


@st.composite
def books(draw):
    now = BASE + timedelta(minutes=draw(st.integers(0, 7 * 24 * 60)))
    candidates = []
    for pid in range(1, draw(st.integers(0, 25)) + 1):
        ago = st.integers(1, 3 * 24 * 60).map(lambda m: now - timedelta(minutes=m))
        rules = draw(st.lists(st.sampled_from(PHRASES), max_size=2))
        candidates.append(
            Candidate(
                id=pid,
                priority=draw(st.integers(1, 5)),
                last_call_at=draw(st.none() | ago),
                due_at=draw(st.none() | st.none() | ago),
                zone=draw(st.sampled_from(ZONES)),
                rules=tuple(parse(r, date(2026, 11, 20)) for r in rules),
                attempts_today=draw(st.integers(0, 4)),
                skipped_at=draw(st.none() | st.none() | st.none() | ago),
            )
        )
    return now, candidates


@settings(max_examples=300, deadline=None)
@given(books())
def test_walk_matches_the_plain_sort(book):
    now, candidates = book
    expected = [p.key for p in order(candidates, now, SETTINGS)]
    assert [p.key for p in walk(now, SETTINGS, FakeLanes(candidates, now))] == expected


def test_next_callable_is_at_or_after_start_and_inside_the_hours():
    ny = zone_info("America/New_York")
    for hour in range(0, 24 * 8, 5):
        start = BASE + timedelta(hours=hour)
        at = next_callable(start, ny, SETTINGS.hours)
        local = at.astimezone(ny)
        assert at >= start and local.weekday() < 5 and 9 <= local.hour < 18


# --- the command line ----------------------------------------------------------------------


def cli(db, *args: str, code: int = 0):
    from click.testing import CliRunner

    from callbook.cli import main

    env = {"CALLBOOK_NOW": TUESDAY.isoformat(), "TZ": "Europe/London"}
    result = CliRunner().invoke(main, ["--db", str(db), *args], env=env)
    assert result.exit_code == code, result.output
    return result.output


def test_queue_command_shows_local_time_and_why(tmp_path):
    db = tmp_path / "b.db"
    cli(db, "add", "NY Corp", "--timezone", "America/New_York", "--priority", "2")
    cli(db, "add", "LA Inc", "--timezone", "America/Los_Angeles", "--priority", "1")
    cli(db, "add", "Nowhere")
    lines = cli(db, "queue").splitlines()
    assert lines[0].split()[:5] == ["#1", "NY", "Corp", "never", "called"]
    assert "10:00" in lines[0] and lines[1].split()[-1] == "?"
    assert "07:00 local → today 17:00" in lines[2]
    data = json.loads(cli(db, "queue", "--json"))["queue"]
    assert [(e["prospect"]["name"], e["callable"]) for e in data] == [
        ("NY Corp", True), ("Nowhere", True), ("LA Inc", False)
    ]  # fmt: skip
    assert data[2]["callable_at"] == "2026-12-01T17:00:00+00:00"
    assert data[0]["local_time"].startswith("2026-12-01T10:00") and data[0]["zone"]


def test_snooze_skip_and_dnc_commands(tmp_path):
    db = tmp_path / "b.db"
    cli(db, "add", "Acme", "--timezone", "Europe/London", "--phone", "+44 20 7946 0000")
    cli(db, "add", "Beta", "--timezone", "Europe/London", "--priority", "5")
    assert "moved to the back" in cli(db, "skip", "acme")
    assert [e["prospect"]["name"] for e in json.loads(cli(db, "queue", "--json"))["queue"]] == [
        "Beta", "Acme"
    ]  # fmt: skip
    assert "back in its place" in cli(db, "skip", "acme", "--undo")
    assert "was not skipped" in cli(db, "skip", "acme", "--undo", code=1)
    assert "next call tomorrow 09:30" in cli(db, "snooze", "acme", "tomorrow 9:30")
    queue = json.loads(cli(db, "queue", "--json"))["queue"]
    assert [e["prospect"]["name"] for e in queue] == ["Beta"]
    assert "in the past" in cli(db, "snooze", "beta", "today 8:00", code=1)
    assert "is now on the" in cli(db, "dnc", "+44 20 7946 0000", "--note", "asked")
    assert "was already" in cli(db, "dnc", "+442079460000")
    assert cli(db, "dnc").startswith("+442079460000  2026-12-01  asked")
    assert "taken off" in cli(db, "dnc", "+442079460000", "--remove")
    assert "no numbers" in cli(db, "dnc")


def test_the_queue_filter_is_fuzzy_and_ranks_names_that_start_with_it_first(store):
    from callbook.desk import Desk

    store.add_prospects(
        [
            {"name": "Old Lakeshore Dental"},
            {"name": "Lakeshore Roofing", "company": "Lakeshore Roofing GmbH"},
            {"name": "Tom Li", "company": "Lakeshore Print"},
            {"name": "Harbor Clinics"},
            {"name": "Beacon Legal", "status": "do_not_call"},
        ]
    )
    desk = Desk.around(store, CONFIG)
    # A typo still finds them; whole-word matches at the start of the name come first.
    assert names(desk.filter_queue("lakeshor", TUESDAY)) == [
        "Lakeshore Roofing",
        "Old Lakeshore Dental",
        "Tom Li",
    ]
    # With a typo nothing starts with what was typed: equal scores keep the book's order.
    assert names(desk.filter_queue("lakshore", TUESDAY)) == [
        "Old Lakeshore Dental",
        "Lakeshore Roofing",
        "Tom Li",
    ]
    assert names(desk.filter_queue("lakeshore", TUESDAY, limit=1)) == ["Lakeshore Roofing"]
    assert names(desk.filter_queue("harbr", TUESDAY)) == ["Harbor Clinics"]
    # Nothing close or nothing typed: no rows.
    assert desk.filter_queue("zzzz", TUESDAY) == []
    assert desk.filter_queue("  ", TUESDAY) == []
    # The whole book is searched: one out of every queue is found, not callable, and says why.
    (dnc,) = desk.filter_queue("beacon legal", TUESDAY)
    assert (dnc.prospect.name, dnc.callable, dnc.why) == (
        "Beacon Legal",
        False,
        "do not call, not in the queue",
    )


def test_zone_of_reads_the_zone_as_the_queue_does(store):
    given = store.add_prospect("Given", timezone="Asia/Tokyo", phones=["+12125550101"])
    by_number = store.add_prospect("Number", phones=["+49 30 1234567"])
    by_place = store.add_prospect("Place", city="Dublin", country="IE")
    unknown = store.add_prospect("Unknown")
    assert store.zone_of(given) == ("Asia/Tokyo", "prospect")
    assert store.zone_of(by_number) == ("Europe/Berlin", "phone")
    assert store.zone_of(by_place) == ("Europe/Dublin", "place")
    assert store.zone_of(unknown) is None
    # The same zone the queue shows for them.
    shown = {e.prospect.name: e.local_time for e in whole(store, TUESDAY)}
    assert shown["Unknown"] is None
    shown = {name: local.tzinfo.key for name, local in shown.items() if local is not None}
    assert shown["Number"] == "Europe/Berlin" and shown["Place"] == "Europe/Dublin"
