"""The dial handoff: when a call starts, the number goes to whatever dials it.

Set in config.toml:

    [dial]
    handoff = "tel"          # the system's tel: handler (xdg-open / open): softphones, dialers
    handoff = "command"      # run `command`, with {number}, {ext} and {tel} filled in
    command = "my-sip-client dial {number}"
    handoff = "clipboard"    # copy the number (OSC 52: works over SSH, in most terminals)
    handoff = "none"         # the default

This module builds what to run (pure, tested) and starts it detached, never waiting on it: a
dialer that hangs or fails can cost the caller one line, never the app.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass

HANDOFFS = ("tel", "command", "clipboard", "none")


@dataclass(frozen=True)
class DialSettings:
    handoff: str = "none"
    command: str | None = None  # for handoff = "command": an argv template with {number}


@dataclass(frozen=True)
class Dial:
    """What a handoff does with one number: run `argv`, or copy `clipboard`, or nothing."""

    number: str  # what is handed over: E.164 (or the number as kept), no extension
    extension: str | None = None
    argv: tuple[str, ...] = ()
    clipboard: str | None = None

    @property
    def shown(self) -> str:
        return f"{self.number} ext. {self.extension}" if self.extension else self.number


def tel_uri(number: str, extension: str | None = None) -> str:
    """RFC 3966: `tel:+442087112817;ext=23`, visual separators dropped."""
    digits = "".join(c for c in number if c.isdigit() or c == "+")
    return f"tel:{digits}" + (f";ext={extension}" if extension else "")


def opener(platform: str = sys.platform) -> tuple[str, ...]:
    """The command that hands a URI to the system's handler."""
    if platform == "darwin":
        return ("open",)
    if platform.startswith("win"):
        return ("cmd", "/c", "start", "")
    return ("xdg-open",)


def plan(settings: DialSettings, stored: str | None, platform: str = sys.platform) -> Dial | None:
    """What the handoff does with `stored` (a number as the book keeps it, `;ext=` and all);
    None when there is nothing to do (no number, or handoff "none")."""
    if not stored or settings.handoff == "none":
        return None
    number, _, extension = stored.partition(";ext=")
    extension = extension or None
    uri = tel_uri(number, extension)
    if settings.handoff == "tel":
        return Dial(number, extension, (*opener(platform), uri))
    if settings.handoff == "clipboard":
        return Dial(number, extension, clipboard=f"{number},{extension}" if extension else number)
    if settings.handoff == "command" and settings.command:
        try:
            parts = shlex.split(settings.command)
        except ValueError:  # an unclosed quote
            return None
        argv = tuple(_fill(part, number, extension or "", uri) for part in parts)
        return Dial(number, extension, argv) if argv else None
    return None


def _fill(part: str, number: str, extension: str, uri: str) -> str:
    # Plain replacement: any other brace in the user's command stays as written.
    return part.replace("{number}", number).replace("{ext}", extension).replace("{tel}", uri)


def launch(argv: tuple[str, ...], on_failure: Callable[[str], None]) -> str | None:
    """Start `argv` detached (own session, no terminal) and return at once: the one line
    saying why it could not start, else None. A thread reaps it and gives `on_failure` (from
    that thread) one line if it exits with an error."""
    name = argv[0] if argv else "?"
    try:
        process = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True, close_fds=True,
        )  # fmt: skip
    except (OSError, ValueError) as exc:
        return f"dial handoff: cannot run {name}: {getattr(exc, 'strerror', None) or exc}"

    def reap() -> None:
        code = process.wait()
        if code != 0:
            on_failure(f"dial handoff: {name} exited with status {code}")

    threading.Thread(target=reap, name="dial-handoff", daemon=True).start()
    return None
