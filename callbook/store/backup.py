"""Copies of the book: consistent online backups, the daily automatic one with rotation, and
restoring a backup in place of the book with the replaced file kept aside.

A copy is made with `VACUUM INTO` from a read-only connection of its own: it reads one snapshot
of the book (a writer in another process goes on meanwhile and is not blocked), and the result
is a single self-contained file. It is written under a temporary name, flushed to disk, checked
and only then given its final name, so a crash or a full disk never leaves a half backup that
looks whole. Backups are 0600 in the 0700 backup folder.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from urllib.parse import quote

from callbook.output import fsync, link_new, protected, why
from callbook.paths import DB_FILENAME, Paths, private_dir
from callbook.store.book_log import IDENTITY_MARK
from callbook.store.db import (
    APPLICATION_ID,
    BUSY_TIMEOUT_MS,
    StoreError,
    WriteLock,
    check_file,
    check_identity,
    connect,
    describe_sqlite_error,
    error_kind,
    fault_point,
    held_open,
    open_readonly,
    refuse_non_regular,
    wal_pending,
)

STAMP = "%Y%m%d-%H%M%S"
SIDE_FILES = ("-wal", "-shm")
# SQLite's lock bytes (os_unix.c): every connection to a WAL book holds a shared lock on this
# range for as long as it is open, so a probe for it tells whether anyone has the book open.
_PENDING_BYTE = 0x40000000
_SHARED_FIRST = _PENDING_BYTE + 2
_SHARED_SIZE = 510


class BackupError(StoreError):
    """A backup or restore that could not be done; one line, and nothing was replaced."""


@dataclass(frozen=True)
class Backup:
    path: Path
    taken_at: datetime  # local time, from the name
    auto: bool
    size: int


# --- names -----------------------------------------------------------------------------------


def prefix_for(db: Path, paths: Paths) -> str:
    """The name prefix of a book's backups: `callbook` for the default book; other books get
    a short hash of their path, so two `book.db` in different folders never share a rotation.
    Symlinks resolved, as the store resolves them: one book, one name, by whatever path."""
    db = Path(os.path.realpath(db))
    if db == Path(os.path.realpath(paths.data_dir / DB_FILENAME)):
        return db.stem
    return f"{db.stem}-{hashlib.sha1(str(db).encode()).hexdigest()[:6]}"


def _pattern(prefix: str) -> re.Pattern[str]:
    return re.compile(rf"^{re.escape(prefix)}-(\d{{8}}-\d{{6}})(?:-(\d+))?(-auto)?\.db$")


def _free(folder: Path, stem: str, suffix: str) -> Path:
    """`folder/stem + suffix`, or with -2, -3 ... before the suffix if taken."""
    candidate = folder / f"{stem}{suffix}"
    number = 2
    while candidate.exists():
        candidate = folder / f"{stem}-{number}{suffix}"
        number += 1
    return candidate


def list_backups(paths: Paths, db: Path | None = None) -> list[Backup]:
    """The backups of a book (default: the one `paths` points at) in the backup folder,
    newest first."""
    pattern = _pattern(prefix_for(db or paths.db, paths))
    found = []
    try:
        entries = list(paths.backup_dir.iterdir())
    except OSError:
        return []
    for entry in entries:
        match = pattern.match(entry.name)
        if not match or not entry.is_file():
            continue
        taken = datetime.strptime(match.group(1), STAMP)
        order = (taken, int(match.group(2) or 1))
        found.append((order, Backup(entry, taken, bool(match.group(3)), entry.stat().st_size)))
    return [b for _, b in sorted(found, key=lambda item: item[0], reverse=True)]


# --- copying ---------------------------------------------------------------------------------


def copy_book(store, dest: Path) -> Path:
    """Write a consistent copy of the open book to `dest`, a new file (0600). Raises
    BackupError when `dest` exists or the copy fails; nothing is left behind."""
    source, dest = store.path, Path(dest).absolute()
    if dest == source:
        raise BackupError(f"{dest}: a backup cannot replace the book itself")
    if Path(os.path.realpath(dest)) in protected(source):
        raise BackupError(f"{dest}: a backup cannot take the name of one of the book's files")
    if dest.exists():
        raise BackupError(f"{dest} already exists; choose another name")
    # Never a raw open() of a book this process holds open: see db._HELD.
    try:
        conn = open_readonly(source)
    except StoreError:
        # e.g. a read-only folder with a pending log: copy through the store's connection
        with store._lock:
            return _vacuum_into(store.conn, source, dest)
    try:
        return _vacuum_into(conn, source, dest)
    finally:
        conn.close()


def _reader(path: Path) -> sqlite3.Connection:
    """A read-only connection to a file that is not an open book (a backup): `immutable`, so
    that nothing is created beside it, unless a write-ahead log is pending there."""
    check_file(path)
    if not path.exists():
        raise BackupError(f"{path}: no such file")
    if wal_pending(path):
        return open_readonly(path)
    try:
        conn = sqlite3.connect(
            f"file:{quote(str(path))}?mode=ro&immutable=1", uri=True, check_same_thread=False
        )
    except sqlite3.Error as exc:
        raise StoreError(describe_sqlite_error(path, exc)) from None
    try:
        conn.execute("select count(*) from sqlite_master").fetchone()
    except sqlite3.Error as exc:
        conn.close()
        raise StoreError(describe_sqlite_error(path, exc)) from None
    return conn


def _vacuum_into(conn: sqlite3.Connection, source: Path, dest: Path) -> Path:
    try:
        private_dir(dest.parent)
    except OSError as exc:
        raise BackupError(f"{dest.parent}: cannot create the folder ({why(exc)})") from None
    tmp = dest.with_name(f".{dest.name}.partial-{os.getpid()}")
    try:
        # Made empty and 0600 first: VACUUM INTO fills an empty file and keeps its mode, so the
        # copy is never readable by others, not even for a moment.
        os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        os.chmod(tmp, 0o600)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("VACUUM INTO ?", (str(tmp),))
        fsync(tmp)
        verify_book(tmp)
        _place(tmp, dest)
        fsync(dest.parent)
    except sqlite3.Error as exc:
        raise BackupError(_copy_failed(source, dest, exc)) from None
    except OSError as exc:
        raise BackupError(f"{dest}: cannot write the backup ({why(exc)})") from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
    return dest


def _copy_failed(source: Path, dest: Path, exc: sqlite3.Error) -> str:
    kind = error_kind(exc)
    if kind == "full":
        return f"{dest}: the disk is full; no backup was made"
    if kind == "cannot open":
        return f"{dest}: cannot write there ({exc}); no backup was made"
    return describe_sqlite_error(source, exc)


def _place(tmp: Path, dest: Path) -> None:
    """Give the finished copy its name without ever replacing a file that appeared since."""
    if not link_new(tmp, dest):
        raise BackupError(f"{dest} already exists; choose another name")


def _keep_aside(target: Path, aside: Path) -> None:
    """A copy of the (folded) book under the `aside` name, private, flushed and whole before
    it has that name. A copy and not a hard link: a second name for the same file would be
    changed by the next writer of the book."""
    partial = aside.with_name(f".{aside.name}.partial-{os.getpid()}")
    try:
        fd = os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        with os.fdopen(fd, "wb") as out, open(target, "rb") as book:
            shutil.copyfileobj(book, out, 1 << 20)
            out.flush()
            os.fsync(out.fileno())
        _place(partial, aside)
        fsync(aside.parent)
    finally:
        with contextlib.suppress(OSError):
            partial.unlink()


def verify_book(path: Path) -> int:
    """Check that `path` is a whole callbook book this version can open, without changing it.
    Returns its schema version; raises StoreError (one line) otherwise."""
    path = Path(path)
    check_file(path)
    if not path.exists() or path.stat().st_size == 0:
        raise BackupError(f"{path} is not a callbook book (empty or missing)")
    conn = _reader(path)
    try:
        check_identity(conn, path, True)  # another program's file, said as such
        if conn.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
            raise BackupError(f"{path} is not a callbook book (an empty database)")
        problems = [r[0] for r in conn.execute("PRAGMA quick_check")]
        if problems != ["ok"]:
            raise BackupError(f"{path} is damaged ({problems[0]}); choose another backup")
        return conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.Error as exc:
        raise StoreError(describe_sqlite_error(path, exc)) from None
    finally:
        conn.close()


# --- backups of an open book -----------------------------------------------------------------


def backup(
    store, paths: Paths, dest: Path | None = None, *, auto: bool = False, tz: tzinfo | None = None
) -> Path:
    """Back the open book up: to `dest` (a new file, or a folder to put it in), else to the
    backup folder under a name dated in `tz` (default: the machine's zone). Safe while this or
    another process writes."""
    when = store.clock().astimezone(tz)
    name = prefix_for(store.path, paths) + "-" + when.strftime(STAMP)
    suffix = "-auto.db" if auto else ".db"
    if dest is None:
        folder = paths.backup_dir
        try:
            private_dir(paths.data_dir)
            private_dir(folder)
        except OSError as exc:
            raise BackupError(f"{folder}: cannot create the backup folder ({why(exc)})") from None
        target = _free(folder, name, suffix)
    else:
        dest = Path(dest).expanduser().absolute()
        target = _free(dest, name, suffix) if dest.is_dir() else dest
    return copy_book(store, target)


def auto_backup(store, paths: Paths, config) -> Path | None:
    """The daily backup: on the first open of the day (by the store's clock, in the caller's
    time zone) copy the book to the backup folder and keep only the newest
    `config.backups_keep` automatic ones. Returns the new backup, or None when there was
    nothing to do (one made today already, another process making it, an empty book,
    backups turned off). Raises BackupError (one line) when the copy fails: show it and go on.
    Meant to run off the UI thread: it reads the whole book."""
    keep = config.backups_keep
    if keep <= 0 or not store.has_prospects():  # a count would read every row
        return None
    today = store.clock().astimezone(config.tz).date()
    try:
        private_dir(paths.data_dir)
        private_dir(paths.backup_dir)
        lock = os.open(paths.backup_dir / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise BackupError(
            f"{paths.backup_dir}: cannot use the backup folder ({why(exc)})"
        ) from None
    try:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return None  # another process is making today's backup
        autos = [b for b in list_backups(paths, store.path) if b.auto]
        if autos and autos[0].taken_at.date() >= today:
            return None
        made = backup(store, paths, auto=True, tz=config.tz)
        prune(paths, store.path, keep)
        return made
    finally:
        os.close(lock)


def prune(paths: Paths, db: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` automatic backups of a book; manual ones stay."""
    autos = [b for b in list_backups(paths, db) if b.auto]
    removed = []
    for old in autos[keep:]:
        with contextlib.suppress(FileNotFoundError):
            old.path.unlink()
            removed.append(old.path)
    return removed


# --- restoring -------------------------------------------------------------------------------


def in_use(path: Path) -> bool:
    """Whether another process has the book open. Call it while this process has no
    connection to `path` open: closing the probe's descriptor drops this process's own
    POSIX locks on the file (SQLite's among them)."""
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            return False
        kind = fcntl.LOCK_SH
    else:
        kind = fcntl.LOCK_EX
    try:
        try:
            fcntl.lockf(fd, kind | fcntl.LOCK_NB, _SHARED_SIZE, _SHARED_FIRST, os.SEEK_SET)
        except OSError:
            return True
        fcntl.lockf(fd, fcntl.LOCK_UN, _SHARED_SIZE, _SHARED_FIRST, os.SEEK_SET)
        return False
    finally:
        os.close(fd)


def restore(source: Path, target: Path, *, force: bool = False) -> Path | None:
    """Put a copy of the backup `source` in place of the book `target`.

    The backup is checked first (a whole callbook book). An existing book is only replaced with
    `force`, never while another process has it open, and is kept aside as
    `<name>.replaced-<date>-<time>`, whose path is returned (None if there was no book). The
    backup itself is left as it was.

    Killed at any moment, the book's name holds either the old book, whole, or the restored
    one: under the write lock the old book's log is first folded into its file (so the file
    alone is the whole book), the kept copy is a copy of its own (not a second name for the
    same file, which the next writer would change), and each rename is flushed to the folder.
    """
    source = Path(source).expanduser().absolute()
    target = Path(os.path.realpath(Path(target).expanduser()))  # never raises, even on a loop
    for path in (source, target):
        try:
            os.stat(path)
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise BackupError(f"{path}: cannot open it ({why(exc)})") from None
    if not source.exists():
        raise BackupError(f"{source}: no such backup")
    if os.path.realpath(source) == str(target):
        raise BackupError(f"{source} is the book itself; choose a backup")
    verify_book(source)
    if target.exists():
        refuse_non_regular(target)
    occupied = target.exists() and (target.stat().st_size > 0 or wal_pending(target))
    stamp = datetime.now().strftime(STAMP)
    aside = _free(target.parent, f"{target.name}.replaced-{stamp}", "") if occupied else None
    if occupied and not force:
        raise BackupError(
            f"{target} exists; add --force to replace it (it will be kept as {aside.name})"
        )
    try:
        private_dir(target.parent)
    except OSError as exc:
        raise BackupError(f"{target.parent}: cannot create the folder ({why(exc)})") from None
    lock = WriteLock(target)
    try:
        with lock.hold():
            if occupied and (held_open(target) or in_use(target)):
                raise BackupError(
                    f"{target} is open in another program (callbook?); close it and try again"
                )
            _restore_under_lock(source, target, aside)
    finally:
        lock.close()
    return aside


def _restore_under_lock(source: Path, target: Path, aside: Path | None) -> None:
    for stale in leftovers(target.parent, target.name):  # a restore killed before this one
        with contextlib.suppress(OSError):
            stale.unlink()
    if aside is not None:
        _fold_log(target)
        fault_point("restore:folded")
    tmp = target.with_name(f".{target.name}.restoring-{os.getpid()}")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    conn = _reader(source)
    try:
        _vacuum_into(conn, source, tmp)
    finally:
        conn.close()
    try:
        _new_identity(tmp)
        fault_point("restore:copied")
        if aside is not None:
            _keep_aside(target, aside)
            fault_point("restore:kept")
        # The side files go before the new book takes the name, so that no log is ever read
        # against the restored file; the old book's log was folded into it, nothing is lost.
        for suffix in SIDE_FILES:
            side = target.with_name(target.name + suffix)
            if aside is not None and side.exists():
                os.replace(side, aside.with_name(aside.name + suffix))
            else:
                with contextlib.suppress(FileNotFoundError):
                    side.unlink()
        fsync(target.parent)
        fault_point("restore:sides")
        os.replace(tmp, target)
        fault_point("restore:replaced")
        fsync(target.parent)
    except sqlite3.Error as exc:
        raise BackupError(f"{target}: cannot put the backup in place ({exc})") from None
    except OSError as exc:
        raise BackupError(f"{target}: cannot put the backup in place ({why(exc)})") from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def _fold_log(target: Path) -> None:
    """Fold the book's write-ahead log into its file and empty it: the file alone is then the
    whole book, whatever happens to the log next."""
    try:
        conn = connect(target, create=True)
    except StoreError as exc:
        raise BackupError(f"{exc}; nothing was restored") from None
    try:
        busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    except sqlite3.Error as exc:
        raise BackupError(describe_sqlite_error(target, exc)) from None
    finally:
        conn.close()
    if busy:
        raise BackupError(
            f"{target} is open in another program (callbook?); close it and try again"
        )
    fsync(target)


def _new_identity(path: Path) -> None:
    """A restored copy is a book of its own: the log of the book it replaces (kept aside with
    it) must never be taken for the copy's."""
    import uuid

    conn = sqlite3.connect(path)
    try:
        with conn:
            if conn.execute(
                "select 1 from sqlite_master where type = 'table' and name = 'book_identity'"
            ).fetchone():
                conn.execute(
                    "UPDATE book_identity SET book_id = ?",
                    (IDENTITY_MARK.decode() + uuid.uuid4().hex,),
                )
    finally:
        conn.close()
    fsync(path)


def leftovers(folder: Path, name: str | None = None) -> list[Path]:
    """Temporary files a killed backup, restore or export left in `folder` (of the file
    `name`, else of any): `.<name>.partial-<pid>` and `.<name>.restoring-<pid>`, only those
    whose process is gone."""
    stem = re.escape(name) if name else r"[^/]+"
    pattern = re.compile(rf"^\.{stem}\.(?:partial|restoring)-(\d+)$")
    found = []
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return []
    for entry in entries:
        match = pattern.match(entry.name)
        if match and entry.is_file() and not _alive(match.group(1)):
            found.append(entry)
    return found


def _alive(pid: str) -> bool:
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except (OSError, ValueError, OverflowError):
        return True
    return int(pid) != 0
