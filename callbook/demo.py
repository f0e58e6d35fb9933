"""The demo book: realistic sample prospects, contacts and weeks of calls to try callbook on.

Seeded, and laid out relative to the clock's "now", so that the same clock gives the same book
every time (the screenshots and snapshot tests rely on it).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from callbook.model import NewCall, NewContact, Outcome, Reach, Role

SEED = 20261127
PROSPECTS = 240


@dataclass(frozen=True)
class Place:
    city: str
    region: str | None
    country: str
    timezone: str
    dial: str  # country code and an area code, digits follow


PLACES = (
    Place("New York", "NY", "US", "America/New_York", "+1212"),
    Place("Boston", "MA", "US", "America/New_York", "+1617"),
    Place("Chicago", "IL", "US", "America/Chicago", "+1312"),
    Place("Austin", "TX", "US", "America/Chicago", "+1512"),
    Place("Denver", "CO", "US", "America/Denver", "+1303"),
    Place("Seattle", "WA", "US", "America/Los_Angeles", "+1206"),
    Place("San Diego", "CA", "US", "America/Los_Angeles", "+1619"),
    Place("Toronto", "ON", "CA", "America/Toronto", "+1416"),
    Place("London", None, "GB", "Europe/London", "+4420"),
    Place("Manchester", None, "GB", "Europe/London", "+44161"),
    Place("Dublin", None, "IE", "Europe/Dublin", "+3531"),
    Place("Berlin", None, "DE", "Europe/Berlin", "+4930"),
    Place("Munich", None, "DE", "Europe/Berlin", "+4989"),
    Place("Paris", None, "FR", "Europe/Paris", "+331"),
    Place("Amsterdam", None, "NL", "Europe/Amsterdam", "+3120"),
    Place("Madrid", None, "ES", "Europe/Madrid", "+3491"),
    Place("Sydney", "NSW", "AU", "Australia/Sydney", "+612"),
)

# Digits in a whole number, country code included, per country of PLACES.
_NUMBER_DIGITS = {"US": 11, "CA": 11, "GB": 12, "IE": 11, "DE": 12, "FR": 11, "NL": 11,
                  "ES": 11, "AU": 11}  # fmt: skip


def _valid_number(place: Place, digits: str) -> str:
    """A number that phonenumbers reads as valid for the place (so the demo's zones come from
    its numbers, as a real book's do): the drawn digits cut to the country's length, the first
    subscriber digit moved up until the number is valid."""
    import phonenumbers

    number = (place.dial + digits)[: 1 + _NUMBER_DIGITS[place.country]]
    cut = len(place.dial)
    head, first, rest = number[:cut], number[cut], number[cut + 1 :]
    for step in range(10):
        candidate = head + str((int(first) + step) % 10) + rest
        if phonenumbers.is_valid_number(phonenumbers.parse(candidate)):
            return candidate
    return number


FIRST = (
    "Sarah", "Tom", "Priya", "Marcus", "Elena", "James", "Aisha", "Lukas", "Chloé", "Mateo",
    "Hannah", "Kenji", "Olivia", "Raj", "Zoë", "Liam", "Sofia", "Noah", "Grace", "Ahmed",
    "Siobhán", "Jürgen", "Amélie", "Diego", "Fatima", "Ethan", "Ingrid", "Samuel", "Mei", "Oscar",
)  # fmt: skip
LAST = (
    "Jenkins", "Li", "Patel", "Okafor", "Rossi", "Walsh", "Khan", "Schneider", "Dubois", "García",
    "Nguyen", "Tanaka", "Brown", "Kowalski", "Ó'Brien", "Murphy", "Martínez", "Cohen", "Silva",
    "Andersson", "Müller", "Fischer", "Moreau", "Hughes", "Kaur", "Lopez", "Evans", "Novak",
)  # fmt: skip
COMPANY_A = (
    "Northwind", "Bluepeak", "Ironbridge", "Brightwater", "Copperleaf", "Harbor", "Summit",
    "Redwood", "Silverline", "Keystone", "Lakeshore", "Granite", "Meridian", "Oakridge",
    "Pinecrest", "Riverside", "Stonegate", "Westfield", "Foxglove", "Beacon",
)  # fmt: skip
COMPANY_B = (
    "Logistics", "Dental", "Builders", "Analytics", "Foods", "Legal", "Clinics", "Freight",
    "Insurance", "Software", "Hotels", "Roofing", "Labs", "Print", "Fitness", "Accounting",
)  # fmt: skip
SUFFIX = {"US": "Inc.", "CA": "Inc.", "GB": "Ltd", "IE": "Ltd", "DE": "GmbH", "FR": "SAS",
          "NL": "B.V.", "ES": "S.L.", "AU": "Pty Ltd"}  # fmt: skip
TITLES = ("Ops Director", "Head of Operations", "CFO", "IT Manager", "Practice Manager",
          "VP Sales", "Office Manager", "COO", "Finance Director", "Founder")  # fmt: skip
AVAILABILITY = ("not Tuesdays", "mornings only", "best after 4pm", "in office Tue and Fri",
                "not on Fridays", "best before 10am", "on holiday until Monday",
                "back on 12 Jan", "afternoons")  # fmt: skip
SOLUTIONS = ("Salesforce", "HubSpot", "spreadsheets", "Pipedrive", "an in-house tool",
             "Zoho", "pen and paper", "Dynamics 365")  # fmt: skip
PAINS = ("double entry between systems", "missed follow-ups", "no reporting for the board",
         "slow month-end close", "too many no-shows", "renewal in March is a headache")  # fmt: skip
BUDGETS = ("about 20k a year", "approved for Q1", "none until April", "under 5k", "tbd")
TIMELINES = ("this quarter", "after the March renewal", "next year", "within 60 days")
PROCESSES = ("CFO signs off over 10k", "committee meets monthly", "DM decides alone",
             "needs IT security review")  # fmt: skip
NEXT_STEPS = ("demo with the team", "send pricing", "intro to IT", "trial in January")
NOTES = ("sounded busy, keep it short", "asked us to email first", "friendly, said call back",
         "switchboard only, no directory", "mentioned a merger", "spoke to someone in March "
         "about the renewal", "hold music for 4 minutes", "line was noisy")  # fmt: skip
OBJECTIVES = ("get the decision maker's name", "ask for the direct line",
              "find out what they use today", "confirm budget", "book a demo",
              "ask when the DM is in")  # fmt: skip


def build_demo(store, now: datetime | None = None) -> int:
    """Fill an empty book with the demo prospects and their history. Returns prospects added."""
    now = now or store.clock()
    rnd = random.Random(SEED)
    records, people = [], []
    for i in range(PROSPECTS):
        place = PLACES[i % len(PLACES)]
        company = f"{rnd.choice(COMPANY_A)} {rnd.choice(COMPANY_B)} {SUFFIX[place.country]}"
        first, last = rnd.choice(FIRST), rnd.choice(LAST)
        digits = "".join(str(rnd.randint(0, 9)) for _ in range(12 - len(place.dial) + 1))
        number = _valid_number(place, digits)
        domain = company.split()[0].lower() + company.split()[1].lower()[:4] + ".example"
        records.append(
            {
                "name": company,
                "company": company,
                "phones": [number],
                "email": f"info@{domain}",
                "website": f"https://{domain}",
                "city": place.city,
                "region": place.region,
                "country": place.country,
                "timezone": place.timezone if rnd.random() < 0.8 else None,
                "priority": rnd.choice((1, 2, 2, 3, 3, 3, 4, 5)),
                "tags": rnd.sample(
                    ("saas", "smb", "enterprise", "referral", "event", "inbound"), rnd.randint(0, 2)
                ),  # fmt: skip
            }
        )
        people.append((f"{first} {rnd.choice(LAST)}", f"{rnd.choice(FIRST)} {last}"))
    prospects = store.add_prospects(records)
    for prospect, (gatekeeper, decision_maker) in zip(prospects, people, strict=True):
        _history(store, rnd, prospect, gatekeeper, decision_maker, now)
    return len(prospects) + _showcase(store, now)


def _showcase(store, now: datetime) -> int:
    """Three London prospects that show an attempt plan in progress, a learned best time to
    reach and stale pieces. Returns how many were added."""
    tz = ZoneInfo("Europe/London")
    today = now.astimezone(tz).date()

    def at(days_ago: int, hour: int, minute: int) -> datetime:
        day = today - timedelta(days=days_ago)
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)

    def call(pid: int, when: datetime, outcome: Outcome, pieces=(), contacts=()) -> None:
        store.record_call(
            NewCall(pid, when, when + timedelta(minutes=4), outcome, pieces=tuple(pieces),
                    contacts=tuple(contacts))
        )  # fmt: skip

    place = {"city": "London", "country": "GB", "timezone": "Europe/London", "priority": 2}
    planned, window, stale = store.add_prospects(
        [
            {"name": "Quillfield Roofing Ltd", "phones": ["+442079460101"], **place},
            {"name": "Tallowmere Analytics Ltd", "phones": ["+442079460102"], **place},
            {"name": "Wrenbury Legal Ltd", "phones": ["+442079460103"], **place},
        ]
    )
    # Twice no answer, yesterday morning and the day before: attempt 3 of the plan is next.
    call(planned.id, at(2, 10, 10), Outcome.NO_ANSWER)
    call(planned.id, at(1, 14, 20), Outcome.VOICEMAIL)
    # Answered twice around 09:45, never at 14:00: the window is the 9 o'clock hour.
    for days_ago in (13, 12, 9):
        call(window.id, at(days_ago, 14, 0), Outcome.NO_ANSWER)
    call(window.id, at(8, 9, 40), Outcome.GATEKEEPER, [("gatekeeper", "Grace Hughes")],
         [NewContact("Grace Hughes", Role.GATEKEEPER)])  # fmt: skip
    call(window.id, at(6, 9, 50), Outcome.DECISION_MAKER,
         [("decision_maker", "Tom Li, Ops Director"), ("dm_role", "Ops Director")],
         [NewContact("Tom Li", Role.DECISION_MAKER, title="Ops Director")])  # fmt: skip
    # All learned eight months ago: the gatekeeper, her availability, the pain, budget,
    # timeline and next step are past their lifetimes; confirming Sarah is the objective.
    call(stale.id, at(240, 11, 0), Outcome.DECISION_MAKER,
         [("gatekeeper", "Sarah Jenkins"), ("decision_maker", "Priya Patel, COO"),
          ("dm_role", "COO"), ("dm_availability", "mornings only"), ("direct_line", "ext. 214"),
          ("current_solution", "HubSpot"), ("pain", "missed follow-ups"),
          ("budget", "about 20k a year"), ("timeline", "this quarter"),
          ("decision_process", "DM decides alone"), ("next_step", "send pricing")],
         [NewContact("Sarah Jenkins", Role.GATEKEEPER),
          NewContact("Priya Patel", Role.DECISION_MAKER, title="COO")])  # fmt: skip
    return 3


def _history(store, rnd: random.Random, prospect, gatekeeper: str, dm: str, now: datetime):
    """A few weeks of calls that learn the jigsaw piece by piece."""
    roll = rnd.random()
    if roll < 0.3:
        return  # never called yet
    tz = ZoneInfo(prospect.timezone or "UTC")
    calls = rnd.randint(1, 5)
    days = sorted(rnd.sample(range(1, 28), calls), reverse=True)
    learned: set[str] = set()
    for n, days_ago in enumerate(days):
        local_day = (now.astimezone(tz) - timedelta(days=days_ago)).date()
        if local_day.weekday() >= 5:
            local_day -= timedelta(days=local_day.weekday() - 4)
        hour, minute = rnd.randint(9, 16), rnd.choice((0, 10, 20, 30, 40, 50))
        start = datetime(local_day.year, local_day.month, local_day.day, hour, minute, tzinfo=tz)
        last = n == calls - 1
        outcome, pieces, contacts = _one_call(rnd, learned, gatekeeper, dm, n)
        next_at = objective = None
        if last and outcome not in (Outcome.DO_NOT_CALL, Outcome.NOT_INTERESTED, Outcome.WON):
            if rnd.random() < 0.35:
                # A callback around now: some due already, some later in the day.
                quarters = rnd.randint(-20, 24)
                next_at = now.replace(second=0, microsecond=0) + timedelta(minutes=15 * quarters)
            elif rnd.random() < 0.5:
                next_at = now + timedelta(days=rnd.randint(1, 9), hours=rnd.randint(0, 5))
            objective = rnd.choice(OBJECTIVES)
        store.record_call(
            NewCall(
                prospect_id=prospect.id,
                started_at=start,
                ended_at=start + timedelta(minutes=rnd.randint(1, 9), seconds=rnd.randint(0, 59)),
                outcome=outcome,
                pieces=tuple(pieces),
                contacts=tuple(contacts),
                objective=rnd.choice(OBJECTIVES) if n else None,
                notes=rnd.choice(NOTES) if rnd.random() < 0.4 else None,
                next_call_at=next_at,
                next_objective=objective,
            )
        )


def _one_call(rnd: random.Random, learned: set[str], gatekeeper: str, dm: str, n: int):
    pieces: list[tuple[str, str]] = []
    contacts: list[NewContact] = []

    def learn(slot: str, value: str) -> None:
        pieces.append((slot, value))
        learned.add(slot)

    roll = rnd.random()
    if roll < 0.25:
        outcome = Outcome.NO_ANSWER
    elif roll < 0.4:
        outcome = Outcome.VOICEMAIL
    elif roll < 0.42:
        outcome = Outcome.WRONG_NUMBER
    elif roll < 0.7 or "gatekeeper" not in learned:
        outcome = Outcome.GATEKEEPER
    elif roll < 0.84:
        outcome = Outcome.DECISION_MAKER
    elif roll < 0.9:
        outcome = Outcome.CALLBACK
    elif roll < 0.95:
        outcome = Outcome.MEETING
    elif roll < 0.98:
        outcome = Outcome.NOT_INTERESTED
    else:
        outcome = Outcome.DO_NOT_CALL
    # Someone picked up (the gatekeeper too): something could be learned.
    if outcome.rule.reached is not Reach.NOBODY and outcome is not Outcome.DO_NOT_CALL:
        if "gatekeeper" not in learned and rnd.random() < 0.85:
            learn("gatekeeper", gatekeeper)
            contacts.append(NewContact(gatekeeper, Role.GATEKEEPER))
        if "decision_maker" not in learned and rnd.random() < 0.6:
            title = rnd.choice(TITLES)
            learn("decision_maker", f"{dm}, {title}")
            learn("dm_role", title)
            contacts.append(NewContact(dm, Role.DECISION_MAKER, title=title))
        if "dm_availability" not in learned and rnd.random() < 0.45:
            learn("dm_availability", rnd.choice(AVAILABILITY))
        if outcome.reached_decision_maker:
            for slot, values in (
                ("current_solution", SOLUTIONS),
                ("pain", PAINS),
                ("budget", BUDGETS),
                ("timeline", TIMELINES),
                ("decision_process", PROCESSES),
                ("next_step", NEXT_STEPS),
            ):
                if slot not in learned and rnd.random() < 0.5:
                    learn(slot, rnd.choice(values))
        elif "direct_line" not in learned and rnd.random() < 0.2:
            learn("direct_line", f"ext. {rnd.randint(100, 499)}")
    return outcome, pieces, contacts
