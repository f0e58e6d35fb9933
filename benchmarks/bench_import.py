"""CSV import at scale: a seeded 100k-row HubSpot-style export (US, UK, German and French
numbers in national formats, a few malformed ones, about 4% duplicates by phone, email, website
or a misspelt company name) imported into a fresh book with phone parsing, time zones and
duplicate detection. Prints JSON: rows, seconds per phase, total seconds and rows/s.
Goal: 100k rows in <= 10 s.

    python benchmarks/bench_import.py                  # 100k rows
    python benchmarks/bench_import.py --rows 20000     # quick
    python benchmarks/bench_import.py --against-sqlite-utils 3   # the CLI vs sqlite-utils insert
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from callbook.config import Config  # noqa: E402
from callbook.interop.csv_import import ImportOptions, prepare, run  # noqa: E402
from callbook.jigsaw import load_templates  # noqa: E402
from callbook.store import Store  # noqa: E402

GOAL_SECONDS = 10.0
HEADER = [
    "Record ID", "First Name", "Last Name", "Email", "Phone Number", "Mobile Phone Number",
    "Company Name", "Job Title", "Website URL", "City", "State/Region", "Country/Region",
    "Lifecycle Stage",
]  # fmt: skip
FIRST = """Sarah Tom Priya Marcus Elena James Aisha Lukas Chloé Mateo Zoë Kenji Olivia Raj Emma
Noah Liam Sofia Lucas Mia Ethan Amelia Oliver Isla Jack Grace Harry Freya Leo Ava Oscar Lily
Henry Ella Charlie Ivy Thomas Ruby George Nora Daniel Hannah Samuel Julia""".split()
LAST = """Jenkins Li Patel Okafor Rossi Walsh Khan Schneider Dubois García O'Brien Tanaka Smith
Jones Williams Brown Taylor Davies Evans Wilson Roberts Johnson Lewis Walker Müller Schmidt
Fischer Weber Dupont Lefèvre Moreau Bernard Nguyen Kim Park Chen Wang Kowalski Nowak""".split()
SYLLABLES = """ka lo ven dar mi sel tor an bri cal dex fen gar hol ist jor kel lum mar nor ost
pel quin ras sol tan ul var wes xan yor zel bar cor dun el fal gol har ith kor lan mor""".split()
KINDS = """Logistics Dental Motors Systems Foods Partners Labs Holdings Freight Clinic Builders
Analytics Insurance Legal Media Studios Robotics Energy Solar Pharma Textiles Bakery""".split()
SUFFIXES = ["Ltd", "Inc", "LLC", "GmbH", "Group", "", "", ""]
TITLES = ["Office Manager", "Operations Director", "CEO", "Head of Sales", "Practice Manager"]
US_PLACES = [
    ("212", "New York", "NY"), ("415", "San Francisco", "CA"), ("312", "Chicago", "IL"),
    ("617", "Boston", "MA"), ("206", "Seattle", "WA"), ("512", "Austin", "TX"),
    ("303", "Denver", "CO"), ("404", "Atlanta", "GA"), ("305", "Miami", "FL"),
    ("602", "Phoenix", "AZ"),
]  # fmt: skip


def company_name(rng: random.Random) -> str:
    word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(3, 4))).capitalize()
    return " ".join(p for p in (word, rng.choice(KINDS), rng.choice(SUFFIXES)) if p)


def local_number(rng: random.Random, country: str, area: str = "") -> str:
    """A valid number of `country` as a person would type it (checked, so that the file's
    only bad numbers are the deliberate ones)."""
    import phonenumbers

    while True:
        if country == "US":
            number = f"{rng.randint(200, 989)}-{rng.randint(0, 9999):04d}"
            style = rng.choice(["({a}) {n}", "{a}-{n}", "+1 {a} {n}", "{a}.{n}"])
            text = style.format(a=area, n=number.replace("-", "." if "." in style else "-"))
        elif country == "GB":
            text = f"020 {rng.randint(3, 8)}{rng.randint(100, 999)} {rng.randint(0, 9999):04d}"
        elif country == "DE":
            text = f"030 {rng.randint(2000000, 9999999)}"
        else:
            text = f"01 {rng.randint(40, 49)} {rng.randint(10, 99)} {rng.randint(10, 99)} " \
                f"{rng.randint(10, 99)}"  # fmt: skip
        if phonenumbers.is_valid_number(phonenumbers.parse(text, country)):
            return text


def phone_and_place(rng: random.Random) -> tuple[str, str, str, str, str, str]:
    """(phone, another phone, city, state, country as written, country code)."""
    pick = rng.random()
    if pick < 0.7:
        area, city, state = rng.choice(US_PLACES)
        return (local_number(rng, "US", area), local_number(rng, "US", area), city, state,
                "United States", "US")  # fmt: skip
    if pick < 0.82:
        return local_number(rng, "GB"), local_number(rng, "GB"), "London", "", "UK", "GB"
    if pick < 0.92:
        return local_number(rng, "DE"), local_number(rng, "DE"), "Berlin", "", "Germany", "DE"
    return local_number(rng, "FR"), local_number(rng, "FR"), "Paris", "", "France", "FR"


def generate(path: Path, rows: int, seed: int) -> None:
    rng = random.Random(seed)
    written: list[list[str]] = []
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(HEADER)
        for record in range(1, rows + 1):
            if written and rng.random() < 0.04:
                # A duplicate of an earlier row: same phone, email or website, or a typo.
                row = list(rng.choice(written))
                row[0] = str(record)
                how = rng.randrange(4)
                if how == 3:
                    name = row[6]
                    cut = rng.randrange(1, max(2, len(name.split()[0])))
                    row[6] = name[:cut] + name[cut + 1 :] if len(name) > 8 else name
                elif how == 0:
                    row[3] = ""
                out.writerow(row)
                continue
            first, last = rng.choice(FIRST), rng.choice(LAST)
            company = company_name(rng)
            domain = company.split()[0].lower() + f"{record}.com"
            phone, other, city, state, country, _ = phone_and_place(rng)
            if rng.random() < 0.01:
                phone = rng.choice(["n/a", "ask reception", "555-CALL-NOW", "12345"])
            mobile = other if rng.random() < 0.2 else ""
            row = [
                str(record), first, last, f"{first.lower()}.{record}@{domain}", phone, mobile,
                company, rng.choice(TITLES), f"https://www.{domain}", city, state, country,
                rng.choice(["lead", "subscriber", "opportunity"]),
            ]  # fmt: skip
            written.append(row)
            if len(written) > 5000:
                written.pop(rng.randrange(len(written)))
            out.writerow(row)


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def against_sqlite_utils(rows: int, seed: int, runs: int) -> dict:
    """`callbook import FILE` (and with --json) against `sqlite-utils insert` of the same file
    into a WAL book, each a fresh process, in turn: wall and CPU seconds (the CPU of a process
    and its children is what a busy shared machine does not distort)."""
    import shutil
    import statistics
    import subprocess

    sqlite_utils = shutil.which("sqlite-utils") or "sqlite-utils"
    results: dict[str, dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory() as folder:
        csv_path = Path(folder) / "hubspot-contacts.csv"
        generate(csv_path, rows, seed)
        env = {**os.environ, "CALLBOOK_HOME": str(Path(folder) / "home")}
        for run_index in range(runs):
            book = Path(folder) / f"plain-{run_index}.db"
            with sqlite3.connect(book) as conn:
                conn.execute("PRAGMA journal_mode = WAL")
            commands = {
                "sqlite_utils_insert": [sqlite_utils, "insert", str(book), "prospects",
                                        str(csv_path), "--csv"],
                "callbook_import": [sys.executable, "-m", "callbook", "--db",
                                    str(Path(folder) / f"cb-{run_index}.db"), "import",
                                    str(csv_path)],
                "callbook_import_json": [sys.executable, "-m", "callbook", "--db",
                                         str(Path(folder) / f"cbj-{run_index}.db"), "import",
                                         str(csv_path), "--json"],
            }  # fmt: skip
            for name, command in commands.items():
                cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
                t0 = time.perf_counter()
                subprocess.run(command, env=env, stdout=subprocess.DEVNULL, check=True,
                               stderr=subprocess.DEVNULL)  # fmt: skip
                wall = time.perf_counter() - t0
                cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
                entry = results.setdefault(name, {"wall_s": [], "cpu_s": []})
                entry["wall_s"].append(wall)
                entry["cpu_s"].append(cpu)
    medians = {name: {k: round(statistics.median(v), 2) for k, v in m.items()}
               for name, m in results.items()}  # fmt: skip
    base = medians["sqlite_utils_insert"]
    return {
        "benchmark": "import_vs_sqlite_utils", "rows": rows, "runs": runs, "median": medians,
        "ratio_wall": round(medians["callbook_import"]["wall_s"] / base["wall_s"], 2),
        "ratio_cpu": round(medians["callbook_import"]["cpu_s"] / base["cpu_s"], 2),
        "ratio_wall_json": round(medians["callbook_import_json"]["wall_s"] / base["wall_s"], 2),
        "goal": "callbook import <= 1.2x sqlite-utils insert",
        "load_average_at_end": round(os.getloadavg()[0], 2),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20261127)
    parser.add_argument("--against-sqlite-utils", type=int, metavar="RUNS", default=0,
                        help="time the CLI against sqlite-utils insert instead")  # fmt: skip
    args = parser.parse_args()
    if args.against_sqlite_utils:
        print(json.dumps(against_sqlite_utils(args.rows, args.seed, args.against_sqlite_utils)))
        return
    with tempfile.TemporaryDirectory() as folder:
        csv_path = Path(folder) / "hubspot-contacts.csv"
        t0 = time.perf_counter()
        generate(csv_path, args.rows, args.seed)
        generated = time.perf_counter() - t0
        config = Config(timezone="America/New_York", region="US")
        templates = load_templates(None)
        options = ImportOptions(details=False)  # as `callbook import` without --json
        load = os.getloadavg()[0]
        cpu_started = _cpu()
        started = time.perf_counter()
        prepared = prepare(csv_path, options, config, templates)
        prepared_at = time.perf_counter()
        with Store.open(Path(folder) / "book.db") as store:
            report = run(store, prepared, options)
            done = time.perf_counter()
            cpu = _cpu() - cpu_started
            prospects = store.count_prospects()
    total = done - started
    print(
        json.dumps(
            {
                "benchmark": "import",
                "rows": args.rows,
                "seed": args.seed,
                "generate_seconds": round(generated, 2),
                "read_and_check_seconds": round(prepared_at - started, 2),
                "dedupe_and_write_seconds": round(done - prepared_at, 2),
                "total_seconds": round(total, 2),
                "cpu_seconds": round(cpu, 2),  # this process and its phone workers
                "load_average_at_start": round(load, 2),  # other work sharing the machine
                "rows_per_s": round(args.rows / total),
                "goal_seconds": GOAL_SECONDS,
                "met": total <= GOAL_SECONDS,
                "counts": report.counts,
                "flagged_phones": sum(1 for w in report.warnings if "kept as typed" in w.message),
                "prospects_in_book": prospects,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
