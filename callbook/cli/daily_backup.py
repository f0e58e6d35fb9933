"""The daily backup of the command line, never in front of the caller's command: when one is
due, a detached process makes it (`python -m callbook.cli.daily_backup --db BOOK`) while the
command ends; `auto_backup`'s lock keeps two from running at once. On a 2 GB book a backup
takes seconds, which neither the caller nor a script looping over `callbook log` should wait
for. A failure is kept in the backup folder and said, as one warning, by the next command.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path

FAILED = "daily-backup-failed.txt"  # in the backup folder: the last failure, said once


def due(desk, paths) -> bool:
    """Whether today's automatic backup of the open book is still to be made (cheap: the
    backup folder's names and one row of the book)."""
    from callbook.store.backup import list_backups

    config, store = desk.config, desk.store
    if config.backups_keep <= 0 or not store.has_prospects():
        return False
    today = store.clock().astimezone(config.tz).date()
    autos = [b for b in list_backups(paths, store.path) if b.auto]
    return not autos or autos[0].taken_at.date() < today


def start(db: Path) -> None:
    """Start the backup of book `db` in a process of its own that outlives this one."""
    with open(os.devnull, "rb") as null_in, open(os.devnull, "wb") as null_out:
        subprocess.Popen(
            [sys.executable, "-m", "callbook.cli.daily_backup", "--db", str(db)],
            stdin=null_in,
            stdout=null_out,
            stderr=null_out,
            start_new_session=True,  # not stopped by the terminal's ctrl+c or hangup
            close_fds=True,
        )


def last_failure(paths) -> str | None:
    """The failure of the last detached backup, if one failed (said once: then forgotten)."""
    marker = paths.backup_dir / FAILED
    try:
        text = marker.read_text(encoding="utf-8").strip()
    except OSError:
        return None
    with contextlib.suppress(OSError):
        marker.unlink()
    return text or None


def run(db: str) -> int:
    from callbook.desk import Desk
    from callbook.errors import StoreError
    from callbook.paths import resolve
    from callbook.store.backup import auto_backup

    paths = resolve(db)
    try:
        desk = Desk.open(paths, create=False)
    except StoreError as exc:
        _remember(paths, str(exc))
        return 1
    try:
        auto_backup(desk.store, paths, desk.config)
    except StoreError as exc:  # BackupError is one
        _remember(paths, str(exc))
        return 1
    finally:
        desk.close()
    return 0


def _remember(paths, reason: str) -> None:
    from callbook.paths import private_dir

    with contextlib.suppress(OSError):
        private_dir(paths.data_dir)
        private_dir(paths.backup_dir)
        (paths.backup_dir / FAILED).write_text(reason + "\n", encoding="utf-8")


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(prog="python -m callbook.cli.daily_backup")
    parser.add_argument("--db", required=True)
    sys.exit(run(parser.parse_args().db))
