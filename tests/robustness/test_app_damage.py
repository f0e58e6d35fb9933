"""The capture draft in a real terminal (tmux): it survives kill -9, SIGHUP, a closed terminal
and an exception in a key handler, and comes back on the next start. After a crash the app
exits non-zero and says where the log is, without the caller's words on screen.

Normal suite: each damage once; `--stress`: 20 times each. The app runs through
`app_with_fault.py`, which plants a fault on F12 (the app itself is not changed).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import sys
from pathlib import Path

import pytest
from harness import ROOT
from tmux_driver import Tmux, needs_tmux, wait_process_gone, wait_until

pytestmark = [pytest.mark.e2e, needs_tmux]

APP = Path(__file__).with_name("app_with_fault.py")
STRESS_ROUNDS = 20


class Terminal(Tmux):
    """The tmux driver, running app_with_fault.py on a book of its own. The pane outlives the
    app, to give its exit code and last screen."""

    def __init__(self, tmp: Path) -> None:
        super().__init__(tmp)
        self.db = tmp / "book.db"
        self.home = tmp / "home"
        self.pidfile = tmp / "app.pid"

    def launch(self) -> None:
        """Start the app and wait for its calling screen."""
        self.pidfile.unlink(missing_ok=True)
        env = {
            "CALLBOOK_HOME": str(self.home),
            "CALLBOOK_TEST_FAULT": "1",
            "CALLBOOK_TEST_PIDFILE": str(self.pidfile),
            "PYTHONPATH": str(ROOT),
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        self.start([sys.executable, str(APP), "--db", str(self.db)], env, cwd=ROOT, keep=True)
        self.wait_for("Capture")
        self.wait_for("Start/commit")

    @property
    def pid(self) -> int:
        """The app's, not the pane's: that is the shell that waits for its exit code."""

        def written() -> str:
            return self.pidfile.read_text() if self.pidfile.exists() else ""

        return int(wait_until(written, 10, "the app wrote no pid"))


def all_drafts(db: Path) -> list[tuple]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        return conn.execute("select key, text, pid from drafts").fetchall()
    finally:
        conn.close()


def saved_draft(db: Path) -> str:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        # Each app has a draft of its own (capture:<id>); the newest is the one being typed.
        found = conn.execute(
            "select text from drafts where key like 'capture%' order by saved_at desc limit 1"
        ).fetchone()
    finally:
        conn.close()
    return found[0] if found else ""


def wait_for_draft(db: Path, text: str, timeout: float = 10.0) -> None:
    """Wait for the debounced save to reach the book."""
    wait_until(lambda: text in saved_draft(db), timeout, f"the draft {text!r} was never saved")


@pytest.fixture
def terminal(tmp_path) -> Terminal:
    from harness import new_book

    term = Terminal(tmp_path)
    new_book(term.db)
    from callbook.store import Store

    with Store.open(term.db) as store:
        store.add_prospect("Beta GmbH")
    yield term
    term.kill_server()


def _begin(term: Terminal, restored: str | None) -> None:
    """Be in the capture line, with it empty (it holds the restored draft after a restart)."""
    term.wait_for(lambda s: "c Capture" in s or "on call with" in s, "the app to take keys", 15)
    if "c Capture" in term.screen():  # the queue has the focus
        term.keys("c")
    term.wait_for(lambda s: "c Capture" not in s, "the capture to take the focus", 15)
    if restored:
        term.keys("End", "C-u")
        term.wait_for(lambda s: restored not in s, "the capture to be cleared", 15)


DAMAGES = ("kill-9", "sighup", "closed-terminal", "crash")


def _kill_if_alive(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def test_the_draft_survives_every_kind_of_damage(terminal, stress, record_property):
    term = terminal
    rounds = STRESS_ROUNDS if stress else 1
    kept = 0
    restored: str | None = None
    term.launch()
    for n in range(rounds):
        for damage in DAMAGES:
            token = f"Zq{n}{damage[:3]}x"
            line = f"gk: Sarah {token}; dm avail: not Tuesdays"
            _begin(term, restored)
            term.type(line)
            term.wait_for(token)
            pid = term.pid
            if damage in ("kill-9", "crash"):
                wait_for_draft(term.db, token)  # after the pause in typing
            if damage == "kill-9":
                os.kill(pid, signal.SIGKILL)
                assert term.exit_code() == 128 + signal.SIGKILL
            elif damage == "sighup":
                os.kill(pid, signal.SIGHUP)  # no waiting: the handler must save it
                assert term.exit_code() == 128 + signal.SIGHUP
            elif damage == "closed-terminal":
                term.run("kill-session", "-t", term.session)
            else:
                term.keys("F12")
                assert term.exit_code() != 0
            wait_process_gone(pid)
            assert token in saved_draft(term.db), f"{damage}: the draft was lost"
            term.launch()
            term.wait_for(token)  # back in the capture line
            restored = token
            kept += 1
    record_property("drafts_kept", kept)
    print(f"app damage: {kept} of {rounds * len(DAMAGES)} drafts kept ({rounds} rounds)")


@pytest.mark.parametrize("sig", [signal.SIGHUP, signal.SIGTERM], ids=["SIGHUP", "SIGTERM"])
def test_a_signal_saves_the_draft_and_ends_the_app(terminal, sig):
    """SIGHUP (the terminal closed) and SIGTERM: the keys typed just before are saved, and the
    app ends with 128 + the signal, instead of living on without a terminal."""
    term = terminal
    term.launch()
    _begin(term, None)
    term.type("gk: Sarah Signalled")
    term.wait_for("Signalled")
    pid = term.pid
    os.kill(pid, sig)  # at once: before the debounced save
    try:
        assert term.exit_code(timeout=10) == 128 + sig
    finally:
        _kill_if_alive(pid)
    assert "Signalled" in saved_draft(term.db)


def test_a_crash_keeps_the_last_keys_and_shows_one_line(terminal):
    term = terminal
    term.launch()
    _begin(term, None)
    term.type("gk: Sarah Secretname; budget 40k")
    term.wait_for("40k")
    term.keys("F12")  # at once: before the debounced save
    assert term.exit_code() != 0
    shown = term.screen(history=True)
    log = term.home / "logs" / "crash.log"
    problems = []
    if "Secretname" not in saved_draft(term.db):
        problems.append(f"the last keys were lost (drafts: {all_drafts(term.db)!r})")
    if "Secretname" in shown or "40k" in shown or "Traceback" in shown:
        problems.append("the caller's words or a traceback are on screen")
    if str(log) not in shown.replace("\n", ""):
        problems.append("the screen does not say where the log is")
    if not log.exists() or os.stat(log).st_mode & 0o077:
        problems.append("no private crash log")
    assert not problems, "; ".join(problems)
