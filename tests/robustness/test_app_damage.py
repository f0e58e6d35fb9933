"""The capture draft in a real terminal (tmux): it survives kill -9, SIGHUP, a closed terminal
and an exception in a key handler, and comes back on the next start. After a crash the app
exits non-zero and says where the log is, without the caller's words on screen.

Normal suite: each damage once; `--stress`: 20 times each. The app runs through
`app_with_fault.py`, which plants a fault on F12 (the app itself is not changed).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from harness import ROOT

pytestmark = pytest.mark.e2e

TMUX = shutil.which("tmux")
APP = Path(__file__).with_name("app_with_fault.py")
STRESS_ROUNDS = 20


class Terminal:
    """One tmux server of our own (its own socket), running the app in a fixed-size pane."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.socket = f"callbook-damage-{os.getpid()}"
        self.db = tmp / "book.db"
        self.home = tmp / "home"
        self.pidfile = tmp / "app.pid"
        self.exitfile = tmp / "app.exit"
        self.starts = 0

    def tmux(self, *args: str, check: bool = True) -> str:
        # The server inherits this environment: COLUMNS/LINES (pytest may set them) would
        # pin the app to their size instead of the window's 120x40.
        env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
        done = subprocess.run(
            [TMUX, "-L", self.socket, "-f", "/dev/null", *args],
            capture_output=True,
            text=True,
            timeout=20,
            env=env,
        )
        if check and done.returncode:
            raise AssertionError(f"tmux {args[0]}: {done.stderr}")
        return done.stdout

    def start(self) -> None:
        for stale in (self.pidfile, self.exitfile):
            stale.unlink(missing_ok=True)
        self.session = f"s{self.starts}"
        self.starts += 1
        env = (
            f"CALLBOOK_HOME={self.home} CALLBOOK_TEST_FAULT=1 CALLBOOK_TEST_PIDFILE={self.pidfile}"
            f" PYTHONPATH={ROOT} PYTHONDONTWRITEBYTECODE=1"
        )
        command = (
            f"cd {ROOT} && env {env} {sys.executable} {APP} --db {self.db};"
            f" echo $? > {self.exitfile}; sleep 120"
        )
        self.tmux("new-session", "-d", "-s", self.session, "-x", "120", "-y", "40", command)
        self.wait_for("Capture")
        self.wait_for("Start/commit")

    @property
    def pid(self) -> int:
        deadline = time.monotonic() + 10
        while not self.pidfile.exists() or not self.pidfile.read_text():
            assert time.monotonic() < deadline, "the app wrote no pid"
            time.sleep(0.05)
        return int(self.pidfile.read_text())

    def screen(self, history: bool = False) -> str:
        args = ["capture-pane", "-p", "-t", self.session]
        if history:
            args += ["-S", "-1000"]
        return self.tmux(*args, check=False)

    def wait_for(self, text: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if text in screen:
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} never showed; the screen:\n{screen}")
            time.sleep(0.05)

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", self.session, "-l", text)

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", self.session, *keys)

    def exit_code(self, timeout: float = 15.0) -> int:
        deadline = time.monotonic() + timeout
        while not self.exitfile.exists() or not self.exitfile.read_text().strip():
            assert time.monotonic() < deadline, f"the app did not exit:\n{self.screen()}"
            time.sleep(0.05)
        return int(self.exitfile.read_text())

    def gone(self, pid: int, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            assert time.monotonic() < deadline, "the app is still running"
            time.sleep(0.05)

    def close(self) -> None:
        self.tmux("kill-server", check=False)
        folder = Path(os.environ.get("TMUX_TMPDIR") or "/tmp") / f"tmux-{os.getuid()}"
        (folder / self.socket).unlink(missing_ok=True)


def saved_draft(db: Path) -> str:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        found = conn.execute("select text from drafts where key = 'capture'").fetchone()
    finally:
        conn.close()
    return found[0] if found else ""


def wait_for_draft(db: Path, text: str, timeout: float = 10.0) -> None:
    """Wait for the debounced save to reach the book."""
    deadline = time.monotonic() + timeout
    while text not in saved_draft(db):
        assert time.monotonic() < deadline, f"the draft {text!r} was never saved"
        time.sleep(0.05)


@pytest.fixture
def terminal(tmp_path) -> Terminal:
    if TMUX is None:
        pytest.skip("tmux is not installed")
    sys.path.insert(0, str(Path(__file__).parent))
    from harness import new_book

    term = Terminal(tmp_path)
    new_book(term.db)
    from callbook.store import Store

    with Store.open(term.db) as store:
        store.add_prospect("Beta GmbH")
    yield term
    term.close()


def _begin(term: Terminal, restored: str | None) -> None:
    """Be in the capture line, with it empty (it holds the restored draft after a restart)."""
    deadline = time.monotonic() + 15
    while "c Capture" not in term.screen() and "on call with" not in term.screen():
        assert time.monotonic() < deadline, f"the app takes no keys:\n{term.screen()}"
        time.sleep(0.05)
    if "c Capture" in term.screen():  # the queue has the focus
        term.keys("c")
    while "c Capture" in term.screen():
        assert time.monotonic() < deadline, f"the capture never took the focus:\n{term.screen()}"
        time.sleep(0.05)
    if restored:
        term.keys("End", "C-u")
        while restored in term.screen():
            assert time.monotonic() < deadline, f"the capture was not cleared:\n{term.screen()}"
            time.sleep(0.05)


DAMAGES = ("kill-9", "sighup", "closed-terminal", "crash")


def _kill_if_alive(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def test_the_draft_survives_every_kind_of_damage(terminal, stress, record_property):
    term = terminal
    rounds = STRESS_ROUNDS if stress else 1
    kept = 0
    restored: str | None = None
    term.start()
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
                term.tmux("kill-session", "-t", term.session)
            else:
                term.keys("F12")
                assert term.exit_code() != 0
            term.gone(pid)
            assert token in saved_draft(term.db), f"{damage}: the draft was lost"
            term.start()
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
    term.start()
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
    term.start()
    _begin(term, None)
    term.type("gk: Sarah Secretname; budget 40k")
    term.wait_for("40k")
    term.keys("F12")  # at once: before the debounced save
    assert term.exit_code() != 0
    shown = term.screen(history=True)
    log = term.home / "logs" / "crash.log"
    problems = []
    if "Secretname" not in saved_draft(term.db):
        problems.append("the last keys were lost")
    if "Secretname" in shown or "40k" in shown or "Traceback" in shown:
        problems.append("the caller's words or a traceback are on screen")
    if str(log) not in shown.replace("\n", ""):
        problems.append("the screen does not say where the log is")
    if not log.exists() or os.stat(log).st_mode & 0o077:
        problems.append("no private crash log")
    assert not problems, "; ".join(problems)
