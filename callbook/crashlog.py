"""Where a crash goes: the full traceback into a private log file, one plain line on screen.

The log (0600, in the 0700 log folder) holds everything needed to find the bug, the caller's
words included, because only its owner can read it. The line on screen names the kind of error
and the log, and never the exception's message or a traceback: those can quote a capture line.
"""

from __future__ import annotations

import os
import traceback
from datetime import datetime
from pathlib import Path

from callbook import __version__
from callbook.paths import Paths, private_dir

CRASH_LOG = "crash.log"
MAX_BYTES = 1_000_000  # past this, the oldest half is dropped


def crash_log_path(paths: Paths) -> Path:
    return paths.log_dir / CRASH_LOG


def record_crash(
    paths: Paths, error: BaseException, *, when: datetime | None = None
) -> Path | None:
    """Append `error` with its traceback to the crash log and return the log's path, or None
    when it could not be written (a full disk: never name an empty log). Never raises: a crash
    report that crashes would hide the first error."""
    path = crash_log_path(paths)
    stamp = (when or datetime.now().astimezone()).isoformat(timespec="seconds")
    text = "".join(traceback.format_exception(error))
    entry = f"--- {stamp} callbook {__version__}\n{text}\n"
    try:
        private_dir(paths.log_dir)
        _trim(path)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.fchmod(fd, 0o600)
            data = entry.encode("utf-8", errors="replace")
            if os.write(fd, data) != len(data):
                return None
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        return None
    return path


def _trim(path: Path) -> None:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return
    if size <= MAX_BYTES:
        return
    with open(path, "rb") as fh:
        fh.seek(size - MAX_BYTES // 2)
        kept = fh.read()
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, kept[kept.find(b"\n--- ") + 1 :] if b"\n--- " in kept else kept)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def screen_message(error: BaseException, log: Path | None, *, draft_saved: bool = False) -> str:
    """The one line shown after a crash: no message, no traceback, nothing the caller typed."""
    kept = "the capture you were typing was saved; " if draft_saved else ""
    where = f"details are in {log}" if log else "the details could not be saved (disk full?)"
    return f"callbook stopped after an unexpected error ({type(error).__name__}); {kept}{where}"
