"""No traceback, ever: every command, driven with hostile settings, templates, CSV and JSON
files, capture lines, queries and paths, ends with exit 0, 1 or 2; a failure says why in one
line (`callbook: ...`, or click's `Error: ...` for a bad option); no Python traceback and no
"unexpected error" (the last-resort catch that sends a bug to the crash log) appears; and a
command that failed left the book exactly as it was.

Normal suite: a fixed, bounded set of examples (FUZZ_EXAMPLES for each family of commands).
`--stress` (or CALLBOOK_STRESS=1) runs STRESS_EXAMPLES new ones for each:
    pytest tests/robustness/test_fuzz_cli.py --stress
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callbook.cli import main
from callbook.store import Store

FUZZ_EXAMPLES = 10  # per family of commands
STRESS_EXAMPLES = 150

# --- hostile pieces ------------------------------------------------------------------------

NASTY = [
    "", " ", ";", ";;;", "\x00", "\t", "\n", "\r\n", "💥", "ﬁ", "İ", "\u202e", "a" * 3000,
    "-", "--", "--help", "-o", "../../etc/passwd", "/dev/zero", "%s%n", "{}", "[]", "null",
    "1e309", "-1", "0", "99999999999999999999", "NaN", "inf", "-inf", "@", "!", ">", "+", ":",
    "gk:", "gk: ", "dm: Tom; !dm; @thu 9:30; > next", "!nope", "@2026-02-30", "@+99999999d",
    "@tomorrow 25:00", "@9999-12-31 23:59", "+tag+tag", "#1", "#0", "#-1", "#99999999999999999",
    "acme", "Acme Ltd", "Sarah", "+442079460000", "+1", "+999999999999999999999",
    "Europe/London", "Mars/Base", "../x", "UTC", "json", "csv", "ics", "all", "prospects",
]  # fmt: skip
text = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=60),
    st.lists(st.sampled_from(NASTY), max_size=4).map(" ".join),
    st.lists(st.sampled_from(NASTY), max_size=4).map("; ".join),
)
toml_value = st.one_of(
    st.integers().map(str),
    st.sampled_from(["inf", "-inf", "nan", "true", "false", "1e400", "0x7fffffffffffffffff",
                     "1979-05-27", "07:32:00", "1979-05-27T07:32:00Z", "[]", "{}", "[[[[1]]]]",
                     '"09:00"', '"25:61"', '["mon", "xx"]', '["mon"]', '""', '"bant"', '"nope"',
                     '{a = {b = {c = {d = {e = {f = {g = {h = {i = 1}}}}}}}}}']),  # fmt: skip
    text.map(json.dumps),
)
SETTINGS = ["timezone", "region", "default_template", "backups_keep", "wrap_up", "colour",
            "calling_hours", "queue", "keys", "start", "end", "days", "cooldown_hours",
            "daily_attempts", "quit", "next"]  # fmt: skip
config_text = st.one_of(
    st.lists(
        st.one_of(
            st.tuples(st.sampled_from(SETTINGS), toml_value).map(lambda kv: f"{kv[0]} = {kv[1]}"),
            st.sampled_from(["[calling_hours]", "[queue]", "[keys]", "[[queue]]", "[x.y.z]"]),
            text,
        ),
        max_size=8,
    ).map("\n".join),
    st.just("a = " + "[" * 5000 + "]" * 5000),
)
template_text = st.one_of(
    st.lists(
        st.one_of(
            st.sampled_from(['key = "mine"', 'name = "Mine"', "[[slots]]", "[[talk_tracks]]",
                             'key = "gatekeeper"', 'label = "Gatekeeper"', 'question = "Who?"',
                             'aliases = ["gk"]', 'role = "gatekeeper"', "weight = 0",
                             "weight = inf", "availability = 1", 'lines = ["x"]']),  # fmt: skip
            st.tuples(st.sampled_from(["key", "name", "label", "question", "aliases", "weight",
                                       "role", "slots", "title", "lines"]), toml_value)
            .map(lambda kv: f"{kv[0]} = {kv[1]}"),  # fmt: skip
        ),
        max_size=14,
    ).map("\n".join),
    text,
)
COLUMNS = ["Name", "Company", "Phone", "Email", "Website", "City", "State", "Country",
           "Time Zone", "Priority", "Tags", "Notes", "Next Call", "First Name", "Last Name",
           "Job Title", "Status", ""]  # fmt: skip
csv_cell = st.one_of(text, st.sampled_from(['"', '""', "a,b", "a\nb", "=cmd()", "\ufeff"]))
csv_bytes = st.one_of(
    st.tuples(
        st.lists(st.sampled_from(COLUMNS), min_size=1, max_size=6),
        st.lists(st.lists(csv_cell, max_size=7), max_size=6),
        st.sampled_from([",", ";", "\t", "|"]),
        st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]),
    ).map(lambda t: _csv(*t)),
    st.binary(max_size=300),
)
json_scalar = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True), text,
)  # fmt: skip
json_value = st.recursive(
    json_scalar,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=8,
)


def _csv(header, rows, delimiter, encoding) -> bytes:
    def cell(value: str) -> str:
        if any(c in value for c in (delimiter, '"', "\n", "\r")):
            return '"' + value.replace('"', '""') + '"'
        return value

    lines = [delimiter.join(cell(c) for c in header)]
    lines += [delimiter.join(cell(c) for c in row) for row in rows]
    return "\r\n".join(lines).encode(encoding, errors="replace")


# --- the book and the world around it --------------------------------------------------------


@pytest.fixture(scope="module")
def seed(tmp_path_factory) -> tuple[bytes, dict]:
    """A small real book's bytes, and its export (a document to spoil)."""
    folder = tmp_path_factory.mktemp("seed")
    db = folder / "book.db"
    with Store.open(db) as store:
        acme = store.add_prospect("Acme Ltd", phones=["+442079460000"], timezone="Europe/London")
        store.add_prospect("Beta GmbH", phones=["+493012345678"])
        store.add_piece(acme.id, "gatekeeper", "Sarah Jenkins")
    runner = CliRunner()
    out = folder / "export.json"
    logged = runner.invoke(main, ["--db", str(db), "log", "acme", "gk: Sarah; !gk; @+2d"])
    assert logged.exit_code == 0
    assert runner.invoke(main, ["--db", str(db), "export", "-o", str(out)]).exit_code == 0
    return db.read_bytes(), json.loads(out.read_text())


def _dump(db: Path) -> list[str] | None:
    """Everything the book holds, as SQL (None when there is no readable book there)."""
    if not db.is_file():
        return None
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            return list(conn.iterdump())
        finally:
            conn.close()
    except sqlite3.Error:
        return None


def _spoilt_export(document: dict, table: str, field: str, value) -> dict:
    spoilt = json.loads(json.dumps(document))
    rows = spoilt["tables"].get(table) or [{}]
    rows[0][field] = value
    spoilt["tables"][table] = rows
    return spoilt


# The commands, each with strategies for its hostile arguments. A FILE argument is written
# into the example's folder first; PATH picks one of the odd paths made there.
PATHS = ["book", "missing/x.db", "folder", "fifo", "text.txt", "devnull", "loop", "new.out",
         "long"]  # fmt: skip
FAMILIES = {
    "add": st.tuples(text, st.sampled_from(["--phone", "--timezone", "--country", "--template",
                                            "--priority", "--email"]), text)
    .map(lambda t: ["add", *t]),  # fmt: skip
    "log": st.tuples(st.one_of(text, st.sampled_from(["acme", "#1", "beta"])), text)
    .map(lambda t: ["log", *t]),  # fmt: skip
    "show": text.map(lambda q: ["show", q]),
    "search": text.map(lambda q: ["search", q]),
    "snooze": st.tuples(st.sampled_from(["acme", "#2", "x"]), text).map(lambda t: ["snooze", *t]),
    "skip": text.map(lambda q: ["skip", q]),
    "dnc": text.map(lambda q: ["dnc", q]),
    "reports": st.sampled_from([["queue"], ["queue", "--json"], ["stats"], ["stats", "--json"],
                                ["templates"], ["doctor"], ["doctor", "--fix"]]),  # fmt: skip
    "export": st.tuples(st.sampled_from(["json", "jsonl", "csv", "ics", "xml", ""]),
                        st.sampled_from(["all", "prospects", "calls", "nope", ""]),
                        st.sampled_from(PATHS + ["-"]), st.booleans())
    .map(lambda t: ["export", "--format", t[0], *(["--what", t[1]] if t[0] != "ics" else []),
                    *(["-o", "PATH:" + t[2]] if t[2] != "-" else []),
                    *(["--force"] if t[3] else [])]),  # fmt: skip
    "import csv": st.tuples(st.booleans(), csv_bytes).map(
        lambda t: ["import", *(["--dry-run"] if t[0] else []), ("FILE", "in.csv", t[1])]),
    "import json": st.one_of(
        st.tuples(st.sampled_from(["prospects", "calls", "pieces", "contacts", "sessions"]),
                  st.sampled_from(["id", "priority", "name", "status", "phones", "tags",
                                   "next_call_at", "started_at", "outcome", "value", "role",
                                   "prospect_id", "small_wins", "nope"]), json_value)
        .map(lambda t: ["import", ("EXPORT", t)]),
        json_value.map(lambda v: ["import", ("FILE", "in.json", json.dumps(v).encode())]),
    ),  # fmt: skip
    "backup": st.sampled_from(PATHS).map(lambda p: ["backup", "PATH:" + p]),
    "restore": st.sampled_from(PATHS).map(lambda p: ["restore", "--force", "PATH:" + p]),
}


def worlds(family: str):
    return st.fixed_dictionaries(
        {
            "db": st.sampled_from(["book"] * 6 + ["missing/x.db", "folder", "text.txt",
                                                 "devnull", "fifo", "loop", "new.db", "long",
                                                 "link"]),  # fmt: skip
            "config": st.one_of(st.none(), config_text),
            "template": st.one_of(st.none(), template_text),
            "command": FAMILIES[family],
        }
    )


def _world(folder: Path, book_bytes: bytes, config: str | None, template: str | None) -> dict:
    """The example's folder: the book, odd files to point at, the config and a template."""
    (folder / "book.db").write_bytes(book_bytes)
    (folder / "folder").mkdir()
    os.mkfifo(folder / "fifo")
    (folder / "text.txt").write_text("not a book\n")
    (folder / "loop").symlink_to(folder / "loop")
    (folder / "link").symlink_to(folder / "book.db")
    home = folder / "home"
    if config is not None:
        (home / "config").mkdir(parents=True)
        (home / "config" / "config.toml").write_text(config, encoding="utf-8", errors="replace")
    if template is not None:
        (home / "config" / "templates").mkdir(parents=True, exist_ok=True)
        (home / "config" / "templates" / "mine.toml").write_text(
            template, encoding="utf-8", errors="replace"
        )
    return {
        "book": folder / "book.db", "missing/x.db": folder / "missing" / "x.db",
        "folder": folder / "folder", "fifo": folder / "fifo", "text.txt": folder / "text.txt",
        "devnull": Path("/dev/null"), "loop": folder / "loop", "new.out": folder / "new.out",
        "new.db": folder / "new.db", "link": folder / "link", "long": folder / ("x" * 300),
    }  # fmt: skip


def _args(command: list, paths: dict, folder: Path, export: dict) -> list[str]:
    out = []
    for arg in command:
        if isinstance(arg, tuple) and arg[0] == "FILE":
            (folder / arg[1]).write_bytes(arg[2])
            out.append(str(folder / arg[1]))
        elif isinstance(arg, tuple) and arg[0] == "EXPORT":
            spoilt = _spoilt_export(export, *arg[1])
            (folder / "in.json").write_text(json.dumps(spoilt))
            out.append(str(folder / "in.json"))
        elif isinstance(arg, str) and arg.startswith("PATH:"):
            out.append(str(paths[arg[5:]]))
        else:
            out.append(arg)
    return out


def _check(command: str, result, before, after) -> None:
    stderr = result.stderr
    assert "Traceback" not in stderr and "Traceback" not in result.stdout, stderr
    assert "unexpected error" not in stderr, stderr
    assert result.exit_code in (0, 1, 2), (result.exit_code, stderr, result.exception)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"escaped: {result.exception!r}") from result.exception
    if result.exit_code == 0:
        return
    assert before == after, "a command that failed changed the book"
    if command == "doctor" and result.exit_code == 1:  # its report is its output
        assert result.stdout.splitlines()[-1].endswith("problem(s) found"), result.stdout
        return
    lines = [line for line in stderr.splitlines() if line.strip()]
    reasons = [line for line in lines if line.startswith(("callbook: ", "Error: "))
               and not line.startswith("callbook: warning: ")]  # fmt: skip
    assert len(reasons) == 1, stderr
    assert reasons[0] == lines[-1], stderr  # the reason is the last word


def _run_examples(tmp_path_factory, seed, family: str, examples: int, *, fixed: bool) -> int:
    book_bytes, export = seed
    seen = []

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=fixed,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(worlds(family))
    def example(world):
        folder = tmp_path_factory.mktemp("fuzz")
        try:
            paths = _world(folder, book_bytes, world["config"], world["template"])
            args = _args(world["command"], paths, folder, export)
            db = paths[world["db"]]
            before = _dump(paths["book"])
            env = {"CALLBOOK_HOME": str(folder / "home"), "CALLBOOK_DB": None,
                   "CALLBOOK_NOW": "2026-11-27T15:00:00+00:00",
                   "CALLBOOK_LOCK_WAIT": "2"}  # fmt: skip
            result = CliRunner().invoke(main, ["--db", str(db), *args], env=env)
            _check(args[0], result, before, _dump(paths["book"]))
            seen.append(args[0])
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    example()
    return len(seen)


@pytest.mark.timeout(3600)  # the --stress run; the normal one takes seconds
@pytest.mark.parametrize("family", list(FAMILIES))
def test_no_command_ever_ends_in_a_traceback(
    tmp_path_factory, seed, stress, record_property, family
):
    # The suite's run is the same every time (a failure in CI is reproducible); --stress
    # explores new examples on each run.
    examples = STRESS_EXAMPLES if stress else FUZZ_EXAMPLES
    ran = _run_examples(tmp_path_factory, seed, family, examples, fixed=not stress)
    record_property("examples", ran)
    print(f"fuzz {family}: {ran} commands run")
