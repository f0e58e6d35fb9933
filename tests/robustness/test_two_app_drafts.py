"""Two apps open on one book, each typing a line: each keeps its own draft; one app's commit
takes only its own; after kill -9 of both, the next app brings back every unsent line, naming
the prospect it was for."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import sys
from pathlib import Path

import pytest
from tmux_driver import Tmux, needs_tmux, wait_process_gone, wait_until

pytestmark = [pytest.mark.e2e, needs_tmux]

ROOT = Path(__file__).resolve().parents[2]


def drafts(db: Path) -> dict[str, tuple[int | None, str]]:
    """key -> (owner pid, line) of every capture draft in the book."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        found = conn.execute("select key, pid, text from drafts where key like 'capture%'")
        return {key: (pid, json.loads(text)["line"]) for key, pid, text in found}
    finally:
        conn.close()


def lines(db: Path) -> set[str]:
    return {line for _, line in drafts(db).values()}


def app_pid(db: Path, line: str) -> int:
    return next(pid for pid, text in drafts(db).values() if text == line)


@pytest.fixture
def terminals(tmp_path: Path):
    made: list[Tmux] = []

    def make(name: str) -> Tmux:
        term = Tmux(tmp_path, name=name)
        made.append(term)
        return term

    yield make
    for term in made:
        term.kill_server()


def launch(term: Tmux, db: Path, home: Path) -> None:
    env = {"CALLBOOK_HOME": str(home), "PYTHONPATH": str(ROOT), "COLORTERM": "truecolor"}
    term.start([sys.executable, "-m", "callbook", "--db", str(db)], env, cwd=ROOT)
    term.wait_for("Start/commit", "the calling screen", 30)


def test_two_apps_each_keep_their_draft_through_a_commit_and_kill_9(
    terminals, demo_db: Path, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    a, b = terminals("a"), terminals("b")
    launch(a, demo_db, home)
    launch(b, demo_db, home)

    a.keys("Enter")
    a.wait_for("on call with", "A's call")
    a.type("gk: Alfa Tokena")
    b.keys("n", "Enter")
    b.wait_for("on call with", "B's call")
    b.type("gk: Bravo Tokenb")
    wait_until(lambda: lines(demo_db) >= {"gk: Alfa Tokena", "gk: Bravo Tokenb"}, 10,
               lambda: f"both drafts were not saved: {drafts(demo_db)}")  # fmt: skip
    assert len(drafts(demo_db)) == 2

    # A commits: its draft goes, B's stays.
    a.type("; !gk")
    a.keys("Enter")
    a.wait_for("✔ saved", "A's commit")
    wait_until(lambda: lines(demo_db) == {"gk: Bravo Tokenb"}, 10,
               lambda: f"A's commit took the wrong draft: {drafts(demo_db)}")  # fmt: skip

    # A types again, then both die without a word.
    a.keys("Enter")
    a.wait_for("on call with", "A's next call")
    a.type("dm: Charlie Tokenc")
    wait_until(lambda: "dm: Charlie Tokenc" in lines(demo_db), 10, "A's second draft")
    pids = [app_pid(demo_db, "dm: Charlie Tokenc"), app_pid(demo_db, "gk: Bravo Tokenb")]
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    for pid in pids:
        wait_process_gone(pid)
    assert lines(demo_db) == {"gk: Bravo Tokenb", "dm: Charlie Tokenc"}

    # The next app brings back both, one after the other, each with its call.
    c = terminals("c")
    launch(c, demo_db, home)
    screen = c.wait_for(lambda s: "Tokenb" in s or "Tokenc" in s, "an unsent line", 30)
    first = "gk: Bravo Tokenb" if "Tokenb" in screen else "dm: Charlie Tokenc"
    second = ({"gk: Bravo Tokenb", "dm: Charlie Tokenc"} - {first}).pop()
    assert "on call with" in screen
    assert lines(demo_db) == {first, second}  # nothing lost while claimed
    c.type("; !vm")
    c.keys("Enter")
    c.wait_for(lambda s: second.split()[-1] in s and "on call with" in s, "the second line", 20)
    wait_until(lambda: lines(demo_db) == {second}, 10, lambda: f"{drafts(demo_db)}")
    c.keys("C-q")
    c.wait_gone(15)
