"""Seeded books with realistic text, for benchmarks that read words: `recall_book(records)`.

A book of N records holds N/20 prospects, each with 2 contacts, 6 calls with notes and 11
pieces (some superseded, a few calls undone). Names, companies and note words come from word
lists plus generated surnames and company names, so the vocabulary grows with the book the way
a real one does (about 20k distinct words at 1M records). Rows go in with executemany in one
transaction on a book opened through the Store, so the real schema and its triggers apply;
books are cached under benchmarks/out/ (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.large_book import cached_book  # noqa: E402
from callbook.store import Store, tallies  # noqa: E402
from callbook.store.names import fill_keys  # noqa: E402

RECORDS_PER_PROSPECT = 20  # 1 prospect + 2 contacts + 6 notes + 11 pieces

FIRST = """Sarah Tom Priya Marcus Elena James Aisha Lukas Chloé Mateo Zoë Kenji Olivia Raj Emma
Noah Liam Sofia Lucas Mia Ethan Amelia Oliver Isla Jack Grace Harry Freya Leo Ava Oscar Lily
Henry Ella Charlie Ivy Thomas Ruby George Nora Daniel Hannah Samuel Julia David Laura Michael
Anna Peter Maria John Sophie Paul Clara Mark Alice Simon Rachel Andrew Kate Chris Helen Ben
Fiona Adam Zara Omar Leila Yusuf Fatima Ahmed Mei Wei Hiroshi Yuki Sven Ingrid Björn Søren
Łukasz Agnieszka Siobhán Niamh Ólafur José Inés Françoise Gaël Chiara Matteo Dmitri Olga
Tariq Nadia Kwame Amara Chidi Ngozi Diego Camila Valentina Rafael Joaquín Ana Pedro Luis
Carmen Miguel Jorge Hugo Elise Bastien Anouk Femke Jens Astrid Karin Nils Pavel Irina""".split()
LAST = """Jenkins Li Patel Okafor Rossi Walsh Khan Schneider Dubois García Ó'Brien O'Connor
Tanaka Smith Jones Williams Brown Taylor Davies Evans Wilson Thomas Roberts Johnson Lewis
Walker Robinson Wood Thompson White Watson Jackson Wright Green Harris Cooper King Lee Martin
Clarke Hughes Edwards Hall Turner Hill Moore Nguyen Kim Park Chen Wang Zhang Müller Schmidt
Fischer Weber Becker Hoffmann Dupont Lefèvre Moreau Bernard Fontaine Russo Ferrari Esposito
Bianchi Romano Kowalski Nowak Wiśniewski Novak Horvat Kovačević Jansen de Vries Bakker
Visser Andersen Nielsen Hansen Johansson Eriksson Larsen Murphy Kelly Byrne Ryan Doyle
Fernández López Martínez Sánchez Pérez Gómez Silva Santos Oliveira Costa Mendes Haddad
Nakamura Suzuki Yamamoto Ivanov Petrov Popescu Yilmaz Demir Abadi Mensah Adeyemi""".split()
SYLLABLES = """ka lo ven dar mi sel tor an bri cal dex fen gar hol ist jor kel lum mar nor
ost pel quin ras sol tan ul var wes xan yor zel bar cor dun el fal gol har ith kor lan mor
nel or pra rin sta tel und vel wyn""".split()
COMPANY_KINDS = """Logistics Dental Motors Systems Foods Partners Labs Holdings Freight Clinic
Builders Analytics Insurance Legal Media Studios Robotics Energy Solar Pharma Textiles
Hotels Bakery Brewing Security Consulting Software Plastics Metals Farms""".split()
COMPANY_SUFFIX = ["Ltd", "Inc", "GmbH", "Group", "LLC", "SA", "BV", "", "", ""]
CITIES = """London Manchester Leeds Bristol Glasgow Dublin Cork Paris Lyon Marseille Berlin
Munich Hamburg Köln Zürich Genève Wien Amsterdam Rotterdam Brussels Antwerp Madrid Barcelona
Sevilla Lisboa Porto Milano Roma Torino Napoli Kraków Warszawa Praha Budapest København
Stockholm Göteborg Oslo Helsinki Reykjavík Austin Denver Boston Chicago Seattle Portland
Atlanta Miami Dallas Houston Phoenix Toronto Montréal Vancouver Sydney Melbourne Auckland
Singapore Tokyo Osaka Seoul Mumbai Bangalore Dubai Nairobi Lagos Accra""".split()
PRODUCTS = """Salesforce HubSpot Pipedrive Zoho Dynamics Freshsales Close Copper Insightly
Monday Asana Trello Airtable Notion Excel spreadsheets Sheets QuickBooks Xero Sage NetSuite
Zendesk Intercom Outreach Salesloft Gong Apollo Slack Teams Zoom Dialpad Aircall RingCentral
Twilio Mailchimp Marketo Pardot Klaviyo Shopify""".split()
TITLES = """Ops Director|Operations Manager|Head of Finance|CFO|CEO|COO|Office Manager|
Procurement Lead|IT Manager|Head of Sales|VP Sales|Practice Manager|Founder|Managing Director|
Facilities Manager|Head of People|CTO|Buyer|Receptionist|Executive Assistant""".replace(
    "\n", ""
).split("|")
DAYS = "Mondays Tuesdays Wednesdays Thursdays Fridays".split()
MONTHS = """January February March April May June July August September October November
December""".split()
WORDS = """renewal budget approval committee pricing demo trial security review merger holiday
contract vendor onboarding reporting integration migration warehouse invoice quote proposal
discount license seats upgrade downgrade expansion hiring headcount audit compliance deadline
quarter fiscal forecast pipeline rollout pilot training support outage complaint churn
competitor tender procurement shortlist decision signature legal redlines terms payment
shipping inventory fleet drivers dispatch routes scheduling rota staff patients clinic
appointments booking calendar payroll expenses reimbursement travel conference trade show
newsletter website redesign rebrand launch product feature roadmap feedback survey board
investors funding acquisition restructure relocation office lease refurbishment parking
weather snow strike maternity sabbatical retirement promotion reorganisation consultant
agency freelancer partner reseller distributor wholesale retail ecommerce marketplace
catalogue samples brochure case study reference testimonial webinar workshop""".split()

NOTE_SENTENCES = [
    "Spoke to {first} on reception, {dm} is the one to ask about {word}.",
    "{dm} is out on {day}, try mornings before ten.",
    "They use {product} today and the {word} is up in {month}.",
    "Call back in {month} about the {word}; {first} was friendly.",
    "{first} said {dm} hates {product} since the {word}.",
    "Gatekeeper {first} {last} put me through to voicemail.",
    "No answer, left a message mentioning the {word} and {word2}.",
    "Budget for {word} is around {num}k, decision by {month}.",
    "{dm} wants a demo with {first} from {word2} present.",
    "Wrong number for {dm}; new direct line is {phone}.",
    "They switched from {product} to {product2} last {month}.",
    "{first} asked us to email the {word} proposal to {email}.",
    "Not interested until the {word} is done, maybe {month}.",
    "{dm} is the decision maker, {first} {last} influences the {word2}.",
    "Spoke to someone in {month} about the renewal of {product}.",
    "Board meets on {day}; {dm} needs the {word} numbers before.",
    "Lots of {word2} pain with {product}, {num} people affected.",
    "Meeting booked with {dm} for {day} at {hour}.",
]
AVAIL = [
    "not {day}",
    "mornings before {hour}",
    "after {hour} on {day}",
    "only {day} and {day2}",
    "in the office {day} to {day2}",
    "away until {month}",
]
PAIN = [
    "{product} too slow",
    "manual {word} takes hours",
    "{word} errors every month",
    "no visibility on {word2}",
    "losing {word} to competitors",
]
BUDGET = ["{num}k", "under {num}k", "{num}k per year", "no budget until {month}", "approved"]
TIMELINE = ["{month}", "Q{q}", "before {month}", "end of {month}", "next fiscal year"]
PROCESS = [
    "{dm} signs off",
    "committee in {month}",
    "{first} shortlists, {dm} decides",
    "board approval over {num}k",
]
NEXT_STEP = ["send {word} proposal", "demo for {dm}", "call {first} on {day}", "email {email}"]
SLOT_VALUES = {
    "dm_availability": AVAIL,
    "pain": PAIN,
    "budget": BUDGET,
    "timeline": TIMELINE,
    "decision_process": PROCESS,
    "next_step": NEXT_STEP,
}
TAGS = ("vip", "q3", "inbound", "referral", "smb", "enterprise")
OUTCOMES = ("no_answer", "voicemail", "gatekeeper", "decision_maker", "callback", "meeting")
START = datetime(2024, 12, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Pools:
    surnames: list[str]
    companies: list[str]


def pools(rnd: random.Random, prospects: int) -> Pools:
    """Generated surnames and company names, in proportion to the book."""
    surnames = set(LAST)
    while len(surnames) < max(400, prospects // 8):
        n = rnd.choice((2, 2, 3))
        surnames.add("".join(rnd.choice(SYLLABLES) for _ in range(n)).capitalize())
    stems: set[str] = set()
    while len(stems) < max(200, prospects // 3):
        n = rnd.choice((2, 2, 3))
        stems.add("".join(rnd.choice(SYLLABLES) for _ in range(n)).capitalize())
    companies = [
        " ".join(p for p in (stem, rnd.choice(COMPANY_KINDS), rnd.choice(COMPANY_SUFFIX)) if p)
        for stem in sorted(stems)
    ]
    return Pools(sorted(surnames), companies)


def _phone(rnd: random.Random, formatted: bool) -> str:
    area, mid, end = rnd.randint(200, 989), rnd.randint(200, 999), rnd.randint(0, 9999)
    if formatted:
        return rnd.choice(
            (f"({area}) {mid}-{end:04d}", f"{area}-{mid}-{end:04d}", f"+1 {area} {mid} {end:04d}")
        )
    return f"+1{area}{mid}{end:04d}"


class _Filler:
    def __init__(self, rnd: random.Random, pool: Pools) -> None:
        self.rnd = rnd
        self.pool = pool

    def person(self) -> tuple[str, str]:
        return self.rnd.choice(FIRST), self.rnd.choice(self.pool.surnames)

    def fill(self, template: str, ctx: dict[str, str]) -> str:
        r = self.rnd
        values = {
            "first": ctx["first"],
            "last": ctx["last"],
            "dm": ctx["dm"],
            "email": ctx["email"],
            "word": r.choice(WORDS),
            "word2": r.choice(WORDS),
            "product": r.choice(PRODUCTS),
            "product2": r.choice(PRODUCTS),
            "day": r.choice(DAYS),
            "day2": r.choice(DAYS),
            "month": r.choice(MONTHS),
            "num": str(r.choice((5, 10, 12, 15, 20, 25, 40, 50, 80, 100, 150))),
            "hour": r.choice(("9", "9:30", "10", "11", "2pm", "3pm", "4:30")),
            "q": str(r.randint(1, 4)),
            "phone": _phone(r, True),
        }
        return template.format(**values)


def _stamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def build_recall_book(path: Path, records: int, seed: int = 7) -> dict[str, int]:
    """Write a book of about `records` findable records to `path`. Returns row counts."""
    rnd = random.Random(seed)
    n_prospects = max(1, records // RECORDS_PER_PROSPECT)
    pool = pools(rnd, n_prospects)
    fill = _Filler(rnd, pool)
    prospects, contacts, calls, pieces = [], [], [], []
    piece_id = call_id = contact_id = 0
    span = 700 * 86400
    for pid in range(1, n_prospects + 1):
        company = rnd.choice(pool.companies)
        created = START + timedelta(seconds=rnd.randint(0, span // 2))
        domain = company.split()[0].lower() + ".com"
        prospects.append(
            (
                pid,
                company,
                company if rnd.random() < 0.3 else None,
                json.dumps(
                    [_phone(rnd, False)] + ([_phone(rnd, False)] if rnd.random() < 0.2 else [])
                ),
                f"info@{domain}",
                rnd.choice(CITIES),
                json.dumps(
                    rnd.sample(["vip", "q3", "inbound", "referral", "smb", "enterprise"], 1)
                ),
                _stamp(created),
                _stamp(created),
            )
        )
        gk, dm = fill.person(), fill.person()
        ctx = {
            "first": gk[0],
            "last": gk[1],
            "dm": f"{dm[0]} {dm[1]}",
            "email": f"{dm[0].lower()}.{dm[1].lower()}@{domain}",
        }
        when = created
        first_call: int | None = None
        current: dict[str, int] = {}
        for n in range(6):
            when = when + timedelta(seconds=rnd.randint(3600, span // 12))
            call_id += 1
            first_call = first_call or call_id
            undone = _stamp(when + timedelta(minutes=5)) if rnd.random() < 0.02 else None
            note = " ".join(
                fill.fill(rnd.choice(NOTE_SENTENCES), ctx) for _ in range(rnd.randint(1, 3))
            )
            calls.append(
                (
                    call_id,
                    pid,
                    _stamp(when - timedelta(minutes=4)),
                    _stamp(when),
                    rnd.choice(OUTCOMES),
                    note,
                    undone,
                )
            )
            slots = ["gatekeeper", "decision_maker"] if n == 0 else []
            slots += rnd.sample(
                ["dm_role", "dm_availability", "direct_line", "current_solution", "pain"]
                + list(SLOT_VALUES),
                2 if n else 0,
            )
            if n == 5:
                slots = slots[:1]
            for slot in slots:
                piece_id += 1
                if slot == "gatekeeper":
                    value = f"{gk[0]} {gk[1]}"
                elif slot == "decision_maker":
                    value = ctx["dm"]
                elif slot == "dm_role":
                    value = rnd.choice(TITLES)
                elif slot == "direct_line":
                    value = _phone(rnd, True)
                elif slot == "current_solution":
                    value = rnd.choice(PRODUCTS)
                else:
                    value = fill.fill(rnd.choice(SLOT_VALUES[slot]), ctx)
                pieces.append(
                    [piece_id, pid, slot, value, _stamp(when), call_id, None, None, undone]
                )
                if not undone and slot in current:
                    old = pieces[current[slot] - 1]
                    old[6], old[7] = piece_id, _stamp(when)
                if not undone:
                    current[slot] = piece_id
        for person, role in ((gk, "gatekeeper"), (dm, "decision_maker")):
            contact_id += 1
            contacts.append(
                (
                    contact_id,
                    pid,
                    f"{person[0]} {person[1]}",
                    role,
                    rnd.choice(TITLES) if role == "decision_maker" else "Receptionist",
                    _phone(rnd, True) if rnd.random() < 0.6 else None,
                    f"{person[0].lower()}.{person[1].lower()}@{domain}",
                    first_call,
                    prospects[-1][7],
                )
            )
    store = Store.open(path)
    conn = store.conn
    with store._write():
        conn.executemany(
            "insert into prospects (id, name, company, phones, email, city, tags, created_at, "
            "updated_at) values (?,?,?,?,?,?,?,?,?)",
            prospects,
        )
        conn.executemany(
            "insert into calls (id, prospect_id, started_at, ended_at, outcome, notes, undone_at) "
            "values (?,?,?,?,?,?,?)",
            calls,
        )
        conn.executemany(
            "insert into pieces (id, prospect_id, slot, value, learned_at, call_id, undone_at) "
            "values (?,?,?,?,?,?,?)",
            ((i, p, s, v, at, c, u) for i, p, s, v, at, c, _, _, u in pieces),
        )
        # A piece names its successor, which must exist first.
        conn.executemany(
            "update pieces set superseded_by = ?, superseded_at = ? where id = ?",
            ((by, at, i) for i, *_, by, at, _ in pieces if by is not None),
        )
        conn.executemany(
            "insert into contacts (id, prospect_id, name, role, title, phone, email, call_id, "
            "created_at) values (?,?,?,?,?,?,?,?,?)",
            contacts,
        )
        # What the Store derives from the rows it writes: lookup keys, stats tallies.
        fill_keys(conn)
        tallies.rebuild_all(conn, _stamp(START))
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return {
        "prospects": len(prospects),
        "contacts": len(contacts),
        "calls": len(calls),
        "pieces": len(pieces),
    }


def recall_book(records: int, *, seed: int = 7, copy_to: Path | None = None) -> Path:
    """The path of a cached book of about `records` records (built on first use)."""
    return cached_book(
        f"recall-{records}-{seed}",
        lambda path: build_recall_book(path, records, seed),
        copy_to=copy_to,
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    t0 = time.perf_counter()
    path = recall_book(args.records, seed=args.seed)
    print(json.dumps({"path": str(path), "seconds": round(time.perf_counter() - t0, 2)}))
