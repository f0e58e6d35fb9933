"""Calling hours you can trust: times said on the phone are the prospect's, the queue never
offers a call outside hours (callbacks included), an unknown zone is read conservatively, one
vocabulary of days and times, and a horizon refused the same way at every entry point."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_queue import FakeLanes

from callbook.availability import parse as read_availability
from callbook.capture.grammar import parse_when
from callbook.capture.preview import show_when
from callbook.cli import main
from callbook.clock import fixed_clock
from callbook.config import CallingHours, Config, LegalHours, load_config
from callbook.desk import Desk
from callbook.queue import (
    Candidate,
    QueueSettings,
    legal_place,
    order,
    outside_legal_hours,
    place,
    walk,
    zone_set,
    zones_of,
)
from callbook.store import Store
from callbook.when import HORIZON_YEARS, WhenError, read_day, resolve_zone

LONDON = ZoneInfo("Europe/London")
AUSTIN = ZoneInfo("America/Chicago")
FRIDAY = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)  # 15:00 in London, 09:00 in Austin


def one_line(text: str) -> bool:
    return "\n" not in text.strip() and "Traceback" not in text


# --- the cases ---------------------------------------------------------------------


@pytest.fixture
def desk(tmp_path):
    store = Store.open(tmp_path / "book.db", clock=fixed_clock(FRIDAY))
    with store:
        yield Desk.around(store, Config(timezone="Europe/London"))


def test_an_austin_callback_is_their_930_and_the_preview_says_both(desk):
    """`!vm; @tomorrow 9:30` on an Austin prospect, typed in London: their 9:30."""
    austin = desk.store.add_prospect("Austin Co", timezone="America/Chicago")
    preview = desk.preview(austin, "!vm; @tomorrow 9:30")
    expected = datetime(2026, 11, 28, 15, 30, tzinfo=UTC)  # 09:30 CST = 15:30 GMT
    assert preview.capture.next_call_at == expected
    shown = desk.show_when(austin, expected)
    assert shown.text == "tomorrow 09:30 their time · 15:30 yours"
    assert shown.warning == "outside calling hours (09:00–17:30 their time)"  # a Saturday
    call = desk.commit(austin, "!vm; @tomorrow 9:30")
    assert call.next_call_at == expected
    stored = desk.store.conn.execute(
        "select next_call_at from prospects where id = ?", (austin.id,)
    ).fetchone()[0]
    assert stored == "2026-11-28T15:30:00Z"
    # "mine": the caller's own 9:30.
    mine = desk.preview(austin, "!vm; @tomorrow 9:30 mine").capture.next_call_at
    assert mine == datetime(2026, 11, 28, 9, 30, tzinfo=UTC)


def test_an_unknown_zone_reads_in_the_callers_zone_marked():
    shown = show_when(datetime(2026, 11, 30, 9, 30, tzinfo=UTC), FRIDAY, LONDON, None)
    assert shown.text == "Mon 30 Nov 09:30 your time · their zone unknown ?"
    assert shown.warning is None


def test_the_preview_warns_outside_the_legal_floor():
    night = datetime(2026, 11, 30, 9, 30, tzinfo=UTC)  # 03:30 in Austin
    shown = show_when(night, FRIDAY, LONDON, AUSTIN, CallingHours(), LegalHours())
    assert shown.text == "Mon 30 Nov 03:30 their time · 09:30 yours"
    assert shown.warning == "outside the legal hours (08:00–21:00 their time)"


def test_a_bare_hour_reads_one_way_everywhere():
    # `@thu 3` was an error while `after 3` meant 15:00: now both are 15:00.
    assert parse_when("@thu 3", FRIDAY, LONDON) == datetime(2026, 12, 3, 15, tzinfo=UTC)
    assert read_availability("after 3", date(2026, 11, 27)).allowed[0].windows == ((900, 1440),)
    # Next to a part of the day, read in it.
    evening = parse_when("@tomorrow evening 8", FRIDAY, LONDON)
    assert evening == datetime(2026, 11, 28, 20, tzinfo=UTC)
    assert read_availability("evenings before 8", date(2026, 11, 27)).allowed[0].windows == (
        (17 * 60, 20 * 60),
    )


def test_zone_names_are_read_by_one_resolver(tmp_path):
    assert resolve_zone("europe/london") == "Europe/London"
    assert resolve_zone(" America_slash_New_York ") == "America/New_York"
    assert resolve_zone("Mars/Base") is None
    config_file = tmp_path / "config.toml"
    config_file.write_text('timezone = "europe/london"\n')
    config = load_config(file=config_file)
    assert config.errors == () and config.timezone == "Europe/London"


def test_legal_hours_and_stricter_windows_from_config(tmp_path):
    config_file = tmp_path / "config.toml"
    config_file.write_text(
        '[legal_hours]\nstart = "08:30"\nend = "21:00"\n'
        '[legal_hours.stricter]\n"US-FL" = "08:00-20:00"\n"de" = "09:00-20:00"\n'
        '"nowhere" = "9-5"\n'
    )
    config = load_config(file=config_file)
    legal = config.legal_hours
    assert legal.window(None) == (510, 1260)
    assert legal.window("US-FL") == (510, 1200)
    assert legal.window("US-TX") == (510, 1260)
    assert legal.window("DE") == (540, 1200)
    [error] = config.errors
    assert error == (
        f"{config_file}:7: nowhere: a country or state like 'US-FL' = '08:00-20:00', not '9-5'; "
        "ignored"
    )


# --- the queue: the floor, callbacks, unknown zones ----------------------------------------


def at_local(tz: str, *args) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(tz)).astimezone(UTC)


def test_wide_calling_hours_never_cross_the_legal_floor():
    wide = QueueSettings(
        hours=CallingHours(time(0, 0), time(23, 59), tuple(range(7))), caller_tz=LONDON
    )
    c = Candidate(1, zone="America/New_York")
    assert place(c, at_local("America/New_York", 2026, 12, 1, 20, 59), wide).callable
    night = place(c, at_local("America/New_York", 2026, 12, 1, 21, 0), wide)
    assert not night.callable
    assert night.callable_at == at_local("America/New_York", 2026, 12, 2, 8, 0)


def test_a_stricter_state_window_applies_to_its_prospects_only():
    settings_ = QueueSettings(
        hours=CallingHours(time(8), time(21), tuple(range(7))), caller_tz=LONDON,
        legal=LegalHours(stricter=(("US-FL", time(8), time(20)),)),
    )  # fmt: skip
    now = at_local("America/New_York", 2026, 12, 1, 20, 30)
    florida = Candidate(1, zone="America/New_York", place="US-FL")
    new_york = Candidate(2, zone="America/New_York", place="US-NY")
    assert not place(florida, now, settings_).callable
    assert place(new_york, now, settings_).callable
    # A callback asked for 20:15 in Florida waits too: no callback crosses the floor.
    due = Candidate(3, zone="America/New_York", place="US-FL", due_at=now - timedelta(minutes=15))
    assert not place(due, now, settings_).callable


def test_an_unknown_zone_is_never_any_time():
    """`CALLBOOK_NOW=…07:30Z callbook queue` listed "Nowhere Co · ? · callable now"."""
    s = QueueSettings(caller_tz=LONDON)
    nowhere = Candidate(1, zone=None)
    early = datetime(2026, 12, 1, 7, 30, tzinfo=UTC)
    p = place(nowhere, early, s)
    assert not p.callable and p.callable_at == datetime(2026, 12, 1, 9, tzinfo=UTC)


def test_a_set_of_possible_zones_is_callable_only_when_all_are_in_hours():
    mainland = zone_set(["America/New_York", "America/Chicago", "America/Los_Angeles"])
    assert zones_of(mainland) == tuple(
        ZoneInfo(n) for n in ("America/Chicago", "America/Los_Angeles", "America/New_York")
    )
    s = QueueSettings(caller_tz=LONDON)
    c = Candidate(1, zone=mainland)
    ten_in_new_york = at_local("America/New_York", 2026, 12, 1, 10, 0)  # 07:00 in LA
    p = place(c, ten_in_new_york, s)
    assert not p.callable
    assert p.callable_at == at_local("America/Los_Angeles", 2026, 12, 1, 9, 0)  # 12:00 in NY
    assert place(c, p.callable_at, s).callable


def test_the_queue_reads_a_country_without_a_state_as_every_zone_of_it(tmp_path):
    with Store.open(tmp_path / "b.db", clock=fixed_clock(FRIDAY)) as store:
        store.queue_settings = QueueSettings(caller_tz=LONDON)
        somewhere = store.add_prospect("Somewhere in the US", country="US")
        berlin = store.add_prospect("Berlin GmbH", country="DE")
        ten_in_new_york = at_local("America/New_York", 2026, 12, 1, 10, 0)
        entries = {e.prospect.name: e for e in store.queue(ten_in_new_york, limit=10)}
        assert not entries["Somewhere in the US"].callable
        assert entries["Somewhere in the US"].zone is None  # shown "?"
        assert entries["Berlin GmbH"].callable
        assert store.zone_of(somewhere) is None and store.zone_of(berlin)[0] == "Europe/Berlin"
        why = entries["Somewhere in the US"].why
        assert why.startswith("zone unknown: outside hours in one of its") and why.endswith(
            "possible zones"
        )


def test_calling_outside_the_legal_hours_needs_a_force_and_is_recorded(desk):
    night = datetime(2026, 11, 27, 4, 0, tzinfo=UTC)  # 22:00 in Austin
    desk.store.clock = fixed_clock(night)
    austin = desk.store.add_prospect("Austin Co", timezone="America/Chicago")
    reason = desk.outside_legal_hours(austin)
    assert reason == "22:00 their time is outside the legal calling hours (08:00–21:00)"
    with pytest.raises(ValueError, match="outside the legal calling hours"):
        desk.commit(austin, "!na")
    assert desk.store.conn.execute("select count(*) from calls").fetchone()[0] == 0
    call = desk.commit(austin, "!na", outside_hours=True)
    assert call.outside_hours
    assert desk.store.conn.execute("select outside_hours from calls").fetchall() == [(1,)]


# --- property: the queue never lists a prospect as callable outside its window -------------

# Whole-hour, half-hour (Kolkata, St John's, Adelaide) and 45-minute (Kathmandu, Chatham,
# Eucla) offsets, both hemispheres' DST, sets of possible zones, and unknown.
ZONES = [
    None, "America/New_York", "Europe/London", "Asia/Kolkata", "America/St_Johns",
    "Australia/Adelaide", "Asia/Kathmandu", "Pacific/Chatham", "Australia/Eucla",
    "Australia/Sydney", "Pacific/Auckland", "America/Sao_Paulo",
    zone_set(["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"]),
    zone_set(["Australia/Perth", "Australia/Adelaide", "Australia/Sydney"]),
]  # fmt: skip
# DST changes of 2026: US, EU, Australia/NZ (both directions).
TRANSITIONS = [
    datetime(2026, 3, 8, 7, tzinfo=UTC), datetime(2026, 11, 1, 6, tzinfo=UTC),
    datetime(2026, 3, 29, 1, tzinfo=UTC), datetime(2026, 10, 25, 1, tzinfo=UTC),
    datetime(2026, 4, 4, 16, tzinfo=UTC), datetime(2026, 10, 3, 16, tzinfo=UTC),
    datetime(2026, 9, 26, 14, tzinfo=UTC),
]  # fmt: skip
PHRASES = ["not Tuesdays", "mornings before 10", "evenings before 8", "after 3", "anytime", "?"]


@st.composite
def clocks(draw):
    if draw(st.booleans()):
        base = draw(st.sampled_from(TRANSITIONS))
        return base + timedelta(minutes=draw(st.integers(-3 * 24 * 60, 3 * 24 * 60)))
    return datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=draw(st.integers(0, 525600)))


@st.composite
def queue_settings(draw):
    start = draw(st.integers(0, 22))
    hours = CallingHours(
        time(start), time(draw(st.integers(start + 1, 23))),
        tuple(sorted(draw(st.sets(st.integers(0, 6), min_size=1)))),
    )  # fmt: skip
    legal = LegalHours(
        stricter=(("US-FL", time(8), time(20)),) if draw(st.booleans()) else ()
    )
    caller = ZoneInfo(draw(st.sampled_from(["Europe/London", "Asia/Kolkata", "America/Denver"])))
    return QueueSettings(hours=hours, caller_tz=caller, legal=legal)


@st.composite
def candidates(draw, now: datetime):
    rules = draw(st.lists(st.sampled_from(PHRASES), max_size=2))
    minutes = st.integers(1, 4 * 24 * 60).map(lambda m: now - timedelta(minutes=m))
    return Candidate(
        id=draw(st.integers(1, 10**6)),
        priority=draw(st.integers(1, 5)),
        last_call_at=draw(st.none() | minutes),
        due_at=draw(st.none() | minutes | st.integers(0, 150).map(
            lambda m: now - timedelta(minutes=m))),
        zone=draw(st.sampled_from(ZONES)),
        rules=tuple(read_availability(r, date(2026, 1, 1)) for r in rules),
        attempts_today=draw(st.integers(0, 4)),
        place=draw(st.sampled_from([None, "US-FL", "GB"])),
    )  # fmt: skip


def _minute(when: datetime) -> int:
    return when.hour * 60 + when.minute


def assert_inside(c: Candidate, at: datetime, s: QueueSettings, *, hours: bool) -> None:
    floor = s.legal.window(c.place)
    for tz in zones_of(c.zone) or (s.caller_tz,):
        local = at.astimezone(tz)
        assert floor[0] <= _minute(local) < floor[1], (c, at, tz)
        if hours:
            start = _minute(s.hours.start)
            end = _minute(s.hours.end) or 24 * 60
            assert local.weekday() in s.hours.days and start <= _minute(local) < end
            for rule in c.rules:
                if rule.understood and len(zones_of(c.zone)) <= 1:
                    assert rule.allows(local.date(), _minute(local))


@settings(max_examples=400, deadline=None)
@given(data=st.data(), now=clocks(), s=queue_settings())
def test_the_queue_never_offers_a_call_outside_the_window(data, now, s):
    for c in data.draw(st.lists(candidates(now), max_size=6, unique_by=lambda c: c.id)):
        p = place(c, now, s)
        if p.callable:
            # A callback needs only the floor; anyone else the hours and the rules too.
            assert_inside(c, now, s, hours=p.group == 1)
            assert outside_legal_hours(c.zone, c.place, now, s) is None
        if p.callable_at is not None:
            assert_inside(c, p.callable_at, s, hours=p.group != 0 and c.due_at is None)


@settings(max_examples=150, deadline=None)
@given(data=st.data(), now=clocks(), s=queue_settings())
def test_the_order_puts_callable_ones_first(data, now, s):
    cs = data.draw(st.lists(candidates(now), max_size=8, unique_by=lambda c: c.id))
    cs = [replace(c, skipped_at=None) for c in cs]
    groups = [p.group for p in order(cs, now, s)]
    assert groups == sorted(groups)


# --- property: every @when the preview shows is what is stored ------------------------------

PROSPECT_ZONES = [z for z in ZONES if z is None or " " not in z]
WHEN_TEXTS = st.one_of(
    st.builds(lambda d, h, m: f"@+{d}d {h}:{m:02d}", st.integers(1, 30), st.integers(0, 23),
              st.integers(0, 59)),
    st.builds(lambda w, h: f"@{w} {h}", st.sampled_from(["mon", "thu", "next fri", "tmrw"]),
              st.integers(1, 12)),
    st.sampled_from(["@tomorrow 9:30", "@monday morning", "@in a fortnight", "@next week",
                     "@tomorrow eod", "@thu 3 mine", "@dec 24 noon"]),
)  # fmt: skip


@pytest.fixture(scope="module")
def shared_desk(tmp_path_factory):
    store = Store.open(tmp_path_factory.mktemp("when") / "book.db", clock=fixed_clock(FRIDAY))
    with store:
        yield Desk.around(store, Config(timezone="Europe/London"))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(zone=st.sampled_from(PROSPECT_ZONES), text=WHEN_TEXTS, now=clocks())
def test_every_when_the_preview_shows_is_what_is_stored(shared_desk, zone, text, now):
    desk = shared_desk
    desk.store.clock = fixed_clock(now)
    prospect = desk.store.add_prospect("P", timezone=zone)
    line = f"!na; {text}"
    shown_at = desk.preview(prospect, line).capture.next_call_at
    if shown_at is None:
        return  # an error the preview shows: nothing is stored either
    call = desk.commit(prospect, line, outside_hours=True)
    assert call.next_call_at == shown_at
    stored = desk.store.get_prospect(prospect.id).next_call_at
    assert stored == shown_at
    # The time shown as theirs is the stored time in their zone.
    shown = desk.show_when(prospect, shown_at)
    tz = ZoneInfo(zone) if zone else desk.config.tz
    assert f"{shown_at.astimezone(tz):%H:%M} {'their' if zone else 'your'} time" in shown.text


# --- one vocabulary: availability, @when and snooze mean the same --------------------------

SAME_DAYS = [
    "tomorrow", "tmrw", "thu", "friday", "next week", "next tue", "in a fortnight",
    "in 3 days", "in 2 weeks", "dec 1", "1 dec", "12 jan", "the 3rd", "monday",
]  # fmt: skip


@pytest.mark.parametrize("words", SAME_DAYS)
def test_the_same_words_mean_the_same_day_everywhere(desk, words):
    today = FRIDAY.astimezone(AUSTIN).date()
    prospect = desk.store.add_prospect("Austin Co", timezone="America/Chicago")
    expected = read_day(words, today)
    assert expected is not None
    # availability ("back ..."), learned today in their zone
    assert read_availability(f"back {words}", today).back_on == expected
    # @when in a capture line, at 10:00 their time
    at = desk.parse(prospect, f"!na; @{words} 10am").next_call_at
    assert at.astimezone(AUSTIN).date() == expected and at.astimezone(AUSTIN).hour == 10
    # snooze
    snoozed = desk.read_when(prospect, f"{words} 10am")
    assert snoozed == at


@pytest.mark.parametrize(
    ("availability", "when", "hour"),
    [("after 3", "thu 3", 15), ("evenings before 8", "thu evening 8", 20),
     ("mornings before 10", "thu morning 10", 10), ("after 4pm", "thu 4pm", 16)],
)  # fmt: skip
def test_the_same_hours_mean_the_same_time_everywhere(desk, availability, when, hour):
    rule = read_availability(availability, date(2026, 11, 27))
    prospect = desk.store.add_prospect("London Ltd", timezone="Europe/London")
    at = desk.parse(prospect, f"!na; @{when}").next_call_at
    assert at.astimezone(LONDON).hour == hour == desk.read_when(prospect, when).hour
    limit = rule.allowed[0].windows[0]
    assert hour * 60 in limit  # the edge of the window is that very hour


# --- the horizon: refused at every entry point, in one line --------------------------------


def test_a_date_past_the_horizon_is_refused_in_capture(desk):
    prospect = desk.store.add_prospect("Acme", timezone="Europe/London")
    capture = desk.parse(prospect, "!na; @9999-12-31 23:59")
    [error] = capture.errors
    assert error.message.startswith(f"9999-12-31 is more than {HORIZON_YEARS} years ahead")
    with pytest.raises(WhenError):
        parse_when("+99999d", FRIDAY, LONDON)
    with pytest.raises(ValueError, match="years ahead"):
        desk.commit(prospect, "!na; @9999-12-31 23:59")


@pytest.fixture
def cli_db(tmp_path, monkeypatch):
    monkeypatch.setenv("CALLBOOK_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("CALLBOOK_NOW", FRIDAY.isoformat())
    monkeypatch.setenv("TZ", "Europe/London")
    monkeypatch.delenv("CALLBOOK_DB", raising=False)
    return tmp_path / "book.db"


def run(db, *args):
    return CliRunner().invoke(main, ["--db", str(db), *args], catch_exceptions=False)


def next_calls(db) -> list:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("select next_call_at from prospects order by id").fetchall()
    finally:
        conn.close()


def test_a_date_past_the_horizon_is_refused_by_snooze_and_log(cli_db):
    assert run(cli_db, "add", "Acme", "--timezone", "europe/london").exit_code == 0
    result = run(cli_db, "snooze", "Acme", "9999-12-31 23:59")
    assert result.exit_code != 0 and one_line(result.output)
    assert "is more than 5 years ahead" in result.output
    result = run(cli_db, "log", "Acme", "!na; @9999-12-31 23:59")
    assert result.exit_code != 0 and one_line(result.output)
    assert next_calls(cli_db) == [(None,)]
    # Snooze reads in their zone and shows both times.
    run(cli_db, "add", "Austin Co", "--timezone", "America/Chicago")
    result = run(cli_db, "snooze", "Austin Co", "mon 9:30")
    assert result.exit_code == 0
    expected = "#2 Austin Co: next call Mon 30 Nov 09:30 their time · 15:30 yours"
    assert result.output.strip() == expected


def test_a_date_past_the_horizon_is_refused_by_import(cli_db, tmp_path):
    csv = tmp_path / "leads.csv"
    csv.write_text("Company,Phone,Next Call\nAcme,+442079460000,9999-12-31 23:59\n")
    result = run(cli_db, "import", str(csv))
    assert "more than 5 years ahead" in result.output
    assert all(row != ("9999-12-31T23:59:00Z",) for row in next_calls(cli_db))
    # The same words as everywhere else, with a year: "Dec 1, 2026 14:30".
    words = tmp_path / "words.csv"
    words.write_text('Company,Phone,Next Call\nBeta,+442079460001,"Dec 1, 2026 14:30"\n')
    assert run(cli_db, "import", str(words)).exit_code == 0
    assert ("2026-12-01T14:30:00Z",) in next_calls(cli_db)


def test_a_date_past_the_horizon_is_refused_by_json_restore(cli_db, tmp_path):
    run(cli_db, "add", "Acme", "--timezone", "Europe/London")
    out = tmp_path / "export.json"
    assert run(cli_db, "export", "--format", "json", "-o", str(out)).exit_code == 0
    data = json.loads(out.read_text())
    data["tables"]["prospects"][0]["next_call_at"] = "9999-12-31T23:59:00Z"
    out.write_text(json.dumps(data))
    fresh = tmp_path / "fresh.db"
    result = run(fresh, "import", str(out))
    assert result.exit_code != 0 and one_line(result.output)
    assert "prospects row 1: next_call_at 9999-12-31T23:59:00Z is more than 5 years ahead" in (
        result.output
    )


def test_log_outside_the_legal_hours_needs_a_force(cli_db, monkeypatch):
    monkeypatch.setenv("CALLBOOK_NOW", "2026-11-27T04:00:00+00:00")  # 22:00 in Austin
    run(cli_db, "add", "Austin Co", "--timezone", "America/Chicago")
    result = run(cli_db, "log", "Austin Co", "!na")
    assert result.exit_code != 0 and one_line(result.output)
    assert "22:00 their time is outside the legal calling hours (08:00–21:00)" in result.output
    assert run(cli_db, "log", "Austin Co", "!na", "--outside-hours").exit_code == 0
    conn = sqlite3.connect(cli_db)
    assert conn.execute("select outside_hours from calls").fetchall() == [(1,)]
    conn.close()


def test_the_readme_example_of_stricter_windows_is_read(tmp_path):
    import re
    from pathlib import Path

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    (example,) = re.findall(r"```\n(\[legal_hours\.stricter\].*?)```", readme, flags=re.S)
    file = tmp_path / "config.toml"
    file.write_text(example)
    config = load_config(file=file)
    assert config.errors == ()
    assert config.legal_hours.window("US-FL") == (480, 1200)
    assert config.legal_hours.window("DE") == (540, 1200)


@settings(max_examples=150, deadline=None)
@given(data=st.data(), now=clocks(), s=queue_settings())
def test_the_lazy_walk_keeps_the_order_with_floors_and_zone_sets(data, now, s):
    cs = data.draw(st.lists(candidates(now), max_size=10, unique_by=lambda c: c.id))
    expected = [p.key for p in order(cs, now, s)]
    assert [p.key for p in walk(now, s, FakeLanes(cs, now))] == expected


# FRIDAY is Friday 27 November 2026, 09:00 in Austin: each phrase read in Austin.
WHEN_TABLE = [
    ("tomorrow 9:30", "2026-11-28 09:30"),
    ("tmrw", "2026-11-28 09:00"),
    ("thu 3", "2026-12-03 15:00"),
    ("thu 3pm", "2026-12-03 15:00"),
    ("monday morning", "2026-11-30 09:00"),
    ("monday morning 8", "2026-11-30 08:00"),
    ("tomorrow evening 8", "2026-11-28 20:00"),
    ("monday afternoon", "2026-11-30 14:00"),
    ("eod", "2026-11-27 17:00"),
    ("tomorrow eod", "2026-11-28 17:00"),
    ("next week", "2026-11-30 09:00"),
    ("next tue 10am", "2026-12-01 10:00"),
    ("in a fortnight", "2026-12-11 09:00"),
    ("in 3 days", "2026-11-30 09:00"),
    ("+1w 14:00", "2026-12-04 14:00"),
    ("this friday 4pm", "2026-11-27 16:00"),
    ("dec 1", "2026-12-01 09:00"),
    ("1st of december at 11", "2026-12-01 11:00"),
    ("jan 12, 2027 9:15", "2027-01-12 09:15"),
    ("feb 29", "2028-02-29 09:00"),
    ("the 3rd", "2026-12-03 09:00"),
    ("noon", "2026-11-27 12:00"),
    ("4", "2026-11-27 16:00"),
    ("9", "2026-11-28 09:00"),  # 09:00 today has passed: tomorrow
    ("+2h", "2026-11-27 11:00"),
]


@pytest.mark.parametrize(("text", "expected"), WHEN_TABLE, ids=[t for t, _ in WHEN_TABLE])
def test_when_table(text, expected):
    at = parse_when(text, FRIDAY, AUSTIN, mine_tz=LONDON)
    assert f"{at.astimezone(AUSTIN):%Y-%m-%d %H:%M}" == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [("thu 25:00", "no such time: 25:00"), ("feb 30", "no such date: feb 30"),
     ("2032-01-01", "2032-01-01 is more than 5 years ahead (the latest is 2031-11-27)"),
     ("someday", "cannot read the date 'someday'"), ("today 8am", "is in the past")],
)  # fmt: skip
def test_when_errors_are_one_line(text, message):
    with pytest.raises(WhenError) as caught:
        parse_when(text, FRIDAY, AUSTIN)
    assert message in str(caught.value) and one_line(str(caught.value))


def test_the_store_finds_the_place_of_a_stricter_window(tmp_path):
    """The place comes from the prospect's country and state, else its number's country."""
    legal = LegalHours(stricter=(("US-FL", time(8), time(20)), ("GB", time(9), time(20))))
    every_day = CallingHours(time(8), time(21), tuple(range(7)))
    with Store.open(tmp_path / "b.db", clock=fixed_clock(FRIDAY)) as store:
        store.queue_settings = QueueSettings(hours=every_day, caller_tz=LONDON, legal=legal)
        store.add_prospect("Miami", country="US", region="Florida", timezone="America/New_York")
        store.add_prospect("Albany", country="US", region="NY", timezone="America/New_York")
        store.add_prospect("Leeds", phones=["+441134960000"])  # GB from the number
        store.add_prospect("Dublin", phones=["+35312345678"])
        half_past_eight = at_local("America/New_York", 2026, 12, 1, 20, 30)  # 01:30 in London
        callable_now = [e.prospect.name for e in store.queue(half_past_eight) if e.callable]
        assert callable_now == ["Albany"]
        eight_forty = datetime(2026, 12, 1, 8, 40, tzinfo=UTC)  # London and Dublin 08:40
        callable_now = [e.prospect.name for e in store.queue(eight_forty) if e.callable]
        assert callable_now == ["Dublin"]


def test_nowhere_co_is_not_callable_at_half_past_seven(cli_db, monkeypatch):
    """`CALLBOOK_NOW=…07:30Z callbook queue` listed "Nowhere Co · ? · callable now"."""
    monkeypatch.setenv("CALLBOOK_NOW", "2026-12-01T07:30:00+00:00")
    run(cli_db, "add", "Nowhere Co", "--phone", "12345")  # a number that does not parse
    [line] = run(cli_db, "queue").output.splitlines()
    assert line.split()[:3] == ["#1", "Nowhere", "Co"]
    assert line.endswith("07:30 your time ? (zone unknown) → today 09:00")
    [entry] = json.loads(run(cli_db, "queue", "--json").output)["queue"]
    assert entry["callable"] is False and entry["zone"] is None
    assert entry["callable_at"] == "2026-12-01T09:00:00+00:00"


# --- property, through the store: zones read from numbers and places ----------------------

PLACES = [
    {"timezone": "Asia/Kathmandu"}, {"timezone": "america/st_johns"},
    {"timezone": "Australia/Eucla"}, {"country": "US"}, {"country": "AU"},
    {"country": "US", "region": "FL"}, {"country": "DE"}, {"phones": ["+442079460000"]},
    {"phones": ["+12125550100"]}, {"phones": ["12345"]}, {"country": "RU"}, {},
]  # fmt: skip


@pytest.fixture(scope="module")
def shared_store(tmp_path_factory):
    store = Store.open(tmp_path_factory.mktemp("queue") / "book.db", clock=fixed_clock(FRIDAY))
    with store:
        yield store


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    places=st.lists(st.sampled_from(PLACES), min_size=1, max_size=5),
    now=clocks(),
    due_minutes=st.lists(st.none() | st.integers(0, 600), min_size=5, max_size=5),
    s=queue_settings(),
)
def test_the_stored_queue_never_offers_a_call_outside_the_floor(
    shared_store, places, now, due_minutes, s
):
    store = shared_store
    store.queue_settings = s
    ids = []
    for place_, due in zip(places, due_minutes, strict=False):
        due_at = now - timedelta(minutes=due) if due is not None else None
        ids.append(store.add_prospect("P", next_call_at=due_at, **place_).id)
    for entry in store.queue_entries(ids, now):
        key = store.zone_key(entry.prospect)
        assert (entry.zone is None) == (key is None or " " in key)
        if entry.callable:
            p = entry.prospect
            where = legal_place(p.country, p.region, p.phones, s.region)
            assert outside_legal_hours(key, where, now, s) is None, (p, key, where)
