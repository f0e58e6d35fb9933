"""The app in a real terminal, for the e2e and damage tests: a tmux server of our own runs it in a
120×40 pane; keys go in with send-keys and the screen comes back with capture-pane.

Imported as `from tmux_driver import ...`: pytest puts this folder on sys.path when it loads
tests/conftest.py (the default "prepend" import mode, no __init__.py files)."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

TMUX = shutil.which("tmux")
# CI sets CALLBOOK_REQUIRE_TMUX=1 (.ci/run): there a missing tmux fails the real-terminal
# tests instead of skipping them, so that they cannot pass by not running.
REQUIRE_TMUX = os.environ.get("CALLBOOK_REQUIRE_TMUX") == "1"
needs_tmux = pytest.mark.skipif(TMUX is None and not REQUIRE_TMUX, reason="tmux is not installed")
WIDTH, HEIGHT = 120, 40
T = TypeVar("T")


def wait_until(check: Callable[[], T], timeout: float, failure: str | Callable[[], str]) -> T:
    """Poll `check` until it returns something true and return that; AssertionError after
    `timeout` seconds (`failure` may be a function, to describe the state at that moment)."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(failure() if callable(failure) else failure)
        time.sleep(0.05)


def _ended(pid: int) -> bool:
    """No such process, or a zombie: it has exited and only waits for a parent to reap it
    (an orphan may wait for ever where pid 1 reaps nothing, as in some containers)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return True
    return "zombie" in status.split("State:", 1)[-1].split("\n", 1)[0]


def wait_process_gone(pid: int, timeout: float = 15.0) -> None:
    wait_until(lambda: _ended(pid), timeout, f"the app (pid {pid}) is still running")


class Tmux:
    """One tmux server of our own (its socket in `folder`), one session at a time.

    `start(..., keep=True)` keeps the pane after the app ends: the shell writes the app's exit
    code to a file (`exit_code`) and the last screen stays to be read."""

    def __init__(self, folder: Path, name: str = "tmux") -> None:
        if TMUX is None:
            pytest.fail("tmux is required here (CALLBOOK_REQUIRE_TMUX=1) but is not installed")
        self.socket = folder / f"{name}.sock"
        self.exit_file = folder / f"{name}.exit"
        self.session = ""
        self.starts = 0

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        # The server inherits this environment, and its panes with it: COLUMNS/LINES (pytest
        # may set them) would pin the app to their size instead of the pane's. `-f /dev/null`:
        # none of the caller's tmux settings.
        env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
        done = subprocess.run(
            [TMUX or "tmux", "-S", str(self.socket), "-f", "/dev/null", *args],
            capture_output=True, text=True, timeout=20, env=env,
        )  # fmt: skip
        if check and done.returncode:
            raise AssertionError(f"tmux {args[0]}: {done.stderr}")
        return done

    def start(
        self, command: list[str], env: dict[str, str], *, cwd: Path | None = None,
        keep: bool = False,
    ) -> None:  # fmt: skip
        """Run `command` with `env` added in a new session (a new name each time: a kept pane
        lives on after its app)."""
        shell = shlex.join(command)
        if keep:
            self.exit_file.unlink(missing_ok=True)
            shell += f"; echo $? > {shlex.quote(str(self.exit_file))}; sleep 120"
        self.session = f"s{self.starts}"
        self.starts += 1
        flags = [item for key, value in env.items() for item in ("-e", f"{key}={value}")]
        if cwd is not None:
            flags += ["-c", str(cwd)]
        self.run("new-session", "-d", "-x", str(WIDTH), "-y", str(HEIGHT), "-s", self.session,
                 *flags, shell)  # fmt: skip

    def screen(self, history: bool = False) -> str:
        args = ["capture-pane", "-p", "-t", self.session]
        if history:
            args += ["-S", "-1000"]
        return self.run(*args, check=False).stdout

    def keys(self, *keys: str) -> None:
        self.run("send-keys", "-t", self.session, *keys)

    def type(self, text: str) -> None:
        self.run("send-keys", "-t", self.session, "-l", text)

    def wait_for(
        self, check: str | Callable[[str], bool], what: str | None = None, timeout: float = 20.0
    ) -> str:
        """The screen once it holds `check` (a text, or a test of the screen)."""
        what = what or repr(check)

        def seen() -> tuple[str] | None:
            screen = self.screen()
            found = check in screen if isinstance(check, str) else check(screen)
            return (screen,) if found else None

        return wait_until(
            seen, timeout, lambda: f"timed out waiting for {what}; the screen:\n{self.screen()}"
        )[0]

    def alive(self) -> bool:
        return self.run("has-session", "-t", self.session, check=False).returncode == 0

    def wait_gone(self, timeout: float = 10.0) -> None:
        """Wait for the session to end with its app (not for a kept pane)."""
        wait_until(
            lambda: not self.alive(),
            timeout,
            lambda: f"the app did not exit; the screen:\n{self.screen()}",
        )

    def exit_code(self, timeout: float = 15.0) -> int:
        """The app's exit code, once it has ended (a session started with keep=True)."""
        text = wait_until(
            lambda: self.exit_file.exists() and self.exit_file.read_text().strip(),
            timeout,
            lambda: f"the app did not exit:\n{self.screen()}",
        )
        return int(text)

    def pane_pid(self) -> int:
        return int(self.run("display", "-p", "-t", self.session, "#{pane_pid}").stdout.strip())

    def kill_server(self) -> None:
        self.run("kill-server", check=False)
        self.socket.unlink(missing_ok=True)
