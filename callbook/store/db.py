"""Opening a callbook database safely: checks, pragmas and the cross-process write lock.

A file is only ever opened as a book if it is empty/new or already carries callbook's
application id; anything else (another program's SQLite file, a text file, a newer schema, a
damaged file) raises `StoreError` with one clear line and the file is left exactly as it was.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import sqlite3
import stat
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

from callbook.errors import BusyError, ReadOnlyError, StoreError  # noqa: F401 (re-exported)
from callbook.paths import private_dir, private_file

# 'CBK1' — written in the SQLite header so that callbook knows its own files.
APPLICATION_ID = 0x43424B31
SQLITE_HEADER = b"SQLite format 3\x00"
HEADER_SIZE = 100
RESTORE_HINT = "restore a backup with `callbook restore` (see `callbook doctor`)"
BUSY_TIMEOUT_MS = 10_000
AUTOCHECKPOINT_PAGES = 0  # off: see `connect`
WAL_SIZE_LIMIT = 64 * 2**20  # what a folded-in log is cut back to (journal_size_limit)
# How long a write waits for another process's write lock before saying who holds it
# (CALLBOOK_LOCK_WAIT, in seconds, changes it: the tests use a short wait).
LOCK_WAIT_S = 10.0
_FILE_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class _Connection(sqlite3.Connection):
    """A connection that this process counts as holding its book open (see `held_open`)."""

    _key: tuple[int, int] | None = None

    def close(self) -> None:
        key, self._key = self._key, None
        if key is not None:
            with _HELD_LOCK:
                _HELD[key] -= 1
                if not _HELD[key]:
                    del _HELD[key]
        super().close()


# Books this process has open, by (device, inode). POSIX drops every lock a process holds on a
# file when it closes *any* descriptor of that file: reading the header of a book that a
# connection of this process holds open would silently release SQLite's locks on it, and then
# another process closing the book believes it is the last one, checkpoints and deletes the
# write-ahead log under our feet — losing later commits (measured, see test_bad_files.py).
_HELD: dict[tuple[int, int], int] = {}
_HELD_LOCK = threading.Lock()


def _key(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


def held_open(path: Path) -> bool:
    """Whether a connection made by this module in this process has the file open."""
    key = _key(path)
    with _HELD_LOCK:
        return key is not None and key in _HELD


def _hold(conn: sqlite3.Connection, path: Path) -> None:
    if not isinstance(conn, _Connection) or conn._key is not None:
        return
    key = _key(path)
    if key is None:
        return
    with _HELD_LOCK:
        _HELD[key] = _HELD.get(key, 0) + 1
    conn._key = key


def check_file(path: Path) -> None:
    """Refuse, before SQLite touches it, a file that is not a callbook database this version
    can open: not SQLite, another program's (by its application id), a newer schema, or cut
    short (the header promises more pages than the file holds), or beside a write-ahead log
    that is not its own (see book_log). A book this process already has open was checked
    when it was opened and is not read again (see `_HELD`)."""
    try:
        os.stat(path)
    except FileNotFoundError:
        return
    except OSError as exc:  # a symlink loop, a name too long, a folder we may not enter
        raise StoreError(f"{path}: cannot open the book ({exc.strerror or exc})") from None
    refuse_non_regular(path)
    if held_open(path):
        return
    try:
        with open(path, "rb") as fh:
            header = fh.read(HEADER_SIZE)
    except PermissionError as exc:
        raise StoreError(f"{path}: cannot read the database ({exc.strerror})") from None
    except OSError as exc:
        raise StoreError(f"{path}: cannot read the database ({exc.strerror or exc})") from None
    if not header:
        return
    if not header.startswith(SQLITE_HEADER):
        prefix = header[: len(SQLITE_HEADER)]
        reason = "too short" if SQLITE_HEADER.startswith(prefix) else "not an SQLite file"
        raise StoreError(f"{path} is not a callbook database ({reason}); left untouched")
    if len(header) < HEADER_SIZE:
        raise StoreError(f"{path} is damaged (cut short: {len(header)} bytes); {RESTORE_HINT}")
    _check_header(path, header)
    from callbook.store.book_log import check_log  # here: that module imports this one

    check_log(path, header)


def refuse_non_regular(path: Path) -> None:
    """A book is a regular file (a symlink to one is fine): opening a FIFO would hang, and a
    device or folder must never be chmod-ed or written. Nothing is changed."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return
    if not stat.S_ISREG(mode):
        raise StoreError(f"{path} is {file_kind(mode)}, not a callbook database; left untouched")


def file_kind(mode: int) -> str:
    """What a file that is not a regular one is, in words: "a FIFO (named pipe)" ..."""
    return next((name for test, name in _FILE_KINDS if test(mode)), "not a regular file")


def _check_header(path: Path, header: bytes) -> None:
    app_id = int.from_bytes(header[68:72], "big")
    if app_id not in (0, APPLICATION_ID):
        raise StoreError(
            f"{path} belongs to another program (application id {app_id:#x}); left untouched"
        )
    if app_id == APPLICATION_ID:
        refuse_newer_schema(path, int.from_bytes(header[60:64], "big"))
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    # The page count is only trusted when written by a version that keeps it (SQLite's rule);
    # a pending WAL may legitimately hold pages a crashed checkpoint had not written yet.
    trusted = header[24:28] == header[92:96] and pages > 0
    size = path.stat().st_size
    if trusted and size < pages * page_size and not wal_pending(path):
        raise StoreError(
            f"{path} is damaged (cut short: {size} of {pages * page_size} bytes); {RESTORE_HINT}"
        )


def refuse_newer_schema(path: Path, found: int) -> None:
    from callbook.store.schema import LATEST  # schema imports this module

    if found > LATEST:
        raise StoreError(
            f"{path} was written by a newer callbook (schema {found}; this one knows up to "
            f"{LATEST}); upgrade callbook — the file was left untouched"
        )


def wal_pending(path: Path) -> bool:
    """Whether the book's write-ahead log holds anything (committed work not yet folded in)."""
    wal = path.with_name(path.name + "-wal")
    try:
        return wal.stat().st_size > 0
    except OSError:
        return False


def connect(path: Path, *, create: bool, read_only: bool = False) -> sqlite3.Connection:
    """Open `path` with callbook's pragmas. With create=False a missing file is an error.

    A book that this process may not write (read-only file, folder or file system, or a disk
    too full for SQLite's shared-memory file) is opened read-only: reading works and every
    write raises a clear error. A file that fails any check is left exactly as it was, and
    nothing is created in its place.
    """
    path = Path(path)
    check_sqlite_version()
    check_file(path)
    existed = path.exists() and path.stat().st_size > 0
    if not existed and not create:
        raise StoreError(f"{path}: no such callbook database")
    if existed and (read_only or not writable(path)):
        conn = open_readonly(path, full_disk=read_only)
        read_only = True
    else:
        conn = _open_writable(path, existed)
        read_only = False
    try:
        check_identity(conn, path, existed)
        refuse_newer_schema(path, conn.execute("PRAGMA user_version").fetchone()[0])
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        if not read_only:
            _tighten(path)
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode.lower() != "wal":
                raise StoreError(f"{path}: cannot switch the database to WAL mode ({mode})")
        # FULL: the WAL is fsynced at each commit, so a committed call survives a power cut
        # too, not only a crash (measured: +0.2 ms a call).
        conn.execute("PRAGMA synchronous = FULL")
        # A checkpoint inside a commit costs 100-150 ms on a large book, so SQLite's own is off:
        # the command line checkpoints after each command, the app when idle, and the Store
        # after a commit only once the log has grown past a backstop (Store._write).
        conn.execute(f"PRAGMA wal_autocheckpoint = {AUTOCHECKPOINT_PAGES}")
        conn.execute(f"PRAGMA journal_size_limit = {WAL_SIZE_LIMIT}")
    except sqlite3.DatabaseError as exc:
        conn.close()
        if existed and not read_only and _no_room(exc):
            return connect(path, create=False, read_only=True)
        raise StoreError(describe_sqlite_error(path, exc)) from None
    except StoreError:
        conn.close()
        raise
    if not read_only:
        for suffix in ("-wal", "-shm"):
            _tighten(path.with_name(path.name + suffix))
    _hold(conn, path)
    return conn


def _open_writable(path: Path, existed: bool) -> sqlite3.Connection:
    if not existed:
        try:
            private_dir(path.parent)
        except OSError as exc:
            raise StoreError(
                f"{path}: cannot create the folder for the book ({exc.strerror or exc})"
            ) from None
        if not os.access(path.parent, os.W_OK):
            raise StoreError(f"{path}: cannot create a book here: the folder is read-only")
    try:
        conn = sqlite3.connect(
            str(path),
            timeout=BUSY_TIMEOUT_MS / 1000,
            check_same_thread=False,  # guarded by the Store's lock
            isolation_level="",  # the default (legacy) transaction handling sqlite-utils needs
            factory=_Connection,
        )
    except sqlite3.Error as exc:
        raise StoreError(f"{path}: cannot open the database ({exc})") from None
    if not existed:
        try:
            private_file(path)
        except OSError:
            pass
    return conn


def _no_room(exc: sqlite3.Error) -> bool:
    """SQLite could not make its shared-memory file: the disk is full (it says "disk I/O
    error" when the memory map of a file on a full disk fails)."""
    text = str(exc)
    return "disk I/O error" in text or "full" in text


def open_readonly(path: Path, *, full_disk: bool = False) -> sqlite3.Connection:
    """A connection that cannot write the book, for a book this process may not write and for
    copies (backups). It sees the write-ahead log when there is one; in a read-only folder (or
    on a full disk) without a pending log it reads the file as it stands (`immutable`: SQLite
    could not keep its shared-memory file there), which is safe because nobody can be writing
    it either."""
    uri = f"file:{quote(str(path))}?mode=ro"
    try:
        conn = _open_uri(uri)
    except sqlite3.Error as exc:
        if wal_pending(path) or (os.access(path.parent, os.W_OK) and not full_disk):
            raise StoreError(describe_sqlite_error(path, exc)) from None
        try:
            conn = _open_uri(uri + "&immutable=1")
        except sqlite3.Error as exc2:
            raise StoreError(describe_sqlite_error(path, exc2)) from None
    _hold(conn, path)
    return conn


def _open_uri(uri: str) -> sqlite3.Connection:
    conn = sqlite3.connect(
        uri,
        uri=True,
        timeout=BUSY_TIMEOUT_MS / 1000,
        check_same_thread=False,
        isolation_level="",
        factory=_Connection,
    )
    try:
        conn.execute("select count(*) from sqlite_master").fetchone()
    except sqlite3.Error:
        conn.close()
        raise
    return conn


def writable(path: Path) -> bool:
    """Whether this process may write the book: the file and its folder (for the WAL)."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def _tighten(path: Path) -> None:
    """Take group and other permissions away from an existing file, keeping the owner's own
    (a read-only book stays read-only). Best effort: a file system may refuse."""
    try:
        st = os.lstat(path)
        mode = stat.S_IMODE(st.st_mode)
        if stat.S_ISREG(st.st_mode) and mode & 0o077:
            os.chmod(path, mode & 0o700)
    except OSError:
        pass


def check_identity(conn: sqlite3.Connection, path: Path, existed: bool) -> None:
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    if app_id == APPLICATION_ID:
        return
    tables = [
        r[0]
        for r in conn.execute(
            "select name from sqlite_master where type = 'table' and name not like 'sqlite_%'"
        )
    ]
    if tables:
        shown = ", ".join(sorted(tables)[:5]) + (", ..." if len(tables) > 5 else "")
        raise StoreError(
            f"{path} is an SQLite database of another program (tables: {shown}); left untouched"
        )
    if existed and app_id != 0:
        raise StoreError(f"{path} belongs to another program (application id {app_id:#x})")


# SQLite's primary result codes, by the name Python gives each error (`sqlite_errorname`, e.g.
# SQLITE_READONLY_DBMOVED is a SQLITE_READONLY), as the trouble they mean for the book.
_ERROR_KINDS = {
    "SQLITE_CORRUPT": "damaged",
    "SQLITE_NOTADB": "damaged",
    "SQLITE_READONLY": "read-only",
    "SQLITE_FULL": "full",
    "SQLITE_BUSY": "busy",
    "SQLITE_LOCKED": "busy",
    "SQLITE_CANTOPEN": "cannot open",
}


def error_kind(exc: sqlite3.Error) -> str | None:
    """What an SQLite error means for the book ("damaged", "read-only", "full", "busy",
    "cannot open"), from its result code; None for any other error."""
    name = getattr(exc, "sqlite_errorname", None) or ""
    return _ERROR_KINDS.get("_".join(name.split("_")[:2]))


def describe_sqlite_error(path: Path, exc: sqlite3.Error) -> str:
    text = str(exc)
    kind = error_kind(exc)
    if kind == "damaged":
        return f"{path} is damaged ({text}); restore a backup with `callbook restore`"
    if kind == "read-only":
        return f"{path} is read-only ({text}); nothing was changed"
    if kind == "full":
        return f"{path}: the disk is full; nothing was changed"
    if kind == "busy":
        return f"{path} is busy in another program for too long ({text}); try again"
    if kind == "cannot open":
        return f"{path}: cannot open the database ({text})"
    return f"{path}: {text}"


# The recall index's triggers use unixepoch() (SQLite 3.38, February 2022).
MIN_SQLITE = (3, 38, 0)


def check_sqlite_version() -> None:
    """Refuse, with one line, an SQLite library too old for the book."""
    if sqlite3.sqlite_version_info < MIN_SQLITE:
        raise StoreError(
            f"callbook needs SQLite {'.'.join(map(str, MIN_SQLITE))} or newer; this Python has "
            f"SQLite {sqlite3.sqlite_version} — use a newer Python build"
        )


class WriteLock:
    """Serialises write transactions across threads (RLock) and processes (flock).

    SQLite's own locking is enough in principle, but WAL had a rare bug before 3.51.3 when two
    connections write or checkpoint at the same moment; a short exclusive flock on a side file
    around each write transaction keeps two open terminals and `callbook log` loops safe.

    The wait is bounded: after `wait` seconds `hold()` raises BusyError naming the process
    that holds the lock (each holder writes its pid and command into the lock file). The wait
    polls, so a signal handler (SIGTERM, SIGINT) runs while it waits.
    """

    def __init__(self, db_path: Path, wait: float | None = None) -> None:
        self._thread_lock = threading.RLock()
        self._db_path = db_path
        self._path = db_path.with_name(db_path.name + ".lock")
        self._fd: int | None = None
        self._depth = 0
        self.wait = lock_wait() if wait is None else wait

    def _open(self) -> int | None:
        if self._fd is None:
            try:
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
            except OSError:
                return None  # read-only folder: SQLite's own locking still applies
        return self._fd

    def _acquire(self, fd: int, wait: float) -> None:
        deadline = time.monotonic() + wait
        pause = 0.005
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise BusyError(self._busy_message(wait)) from None
                time.sleep(pause)
                pause = min(pause * 2, 0.1)
        with contextlib.suppress(OSError):
            stamp = f"{os.getpid()} {_command_line()}\n".encode()
            os.ftruncate(fd, 0)
            os.pwrite(fd, stamp, 0)

    def busy(self) -> str | None:
        """Who holds the lock in another process right now ("process 123 (callbook import
        big.csv)"), without waiting; None when it is free or this process holds it (its own
        writes are short). For a screen that must not block: ask first, or write from a
        worker. A descriptor of its own: flock sees this process's other one as a rival, so
        a thread of ours waiting for another process does not hide that process."""
        try:
            fd = os.open(self._path, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            return None  # no lock file yet (nobody ever wrote), or a read-only folder
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                who = self.holder()
                if who.partition(" ")[0] == str(os.getpid()):
                    return None
                return _described(who)
            fcntl.flock(fd, fcntl.LOCK_UN)
            return None
        finally:
            os.close(fd)

    def holder(self) -> str:
        """Who holds the lock, as its holder wrote it: "pid command", or "" if unknown."""
        try:
            with open(self._path, "rb") as fh:
                return fh.read(512).decode("utf-8", "replace").strip().splitlines()[0]
        except (OSError, IndexError):
            return ""

    def _busy_message(self, wait: float) -> str:
        by = _described(self.holder())
        return (
            f"{self._db_path} is busy: {by} has held its write lock for over {wait:g} s; "
            "nothing was changed, try again when it is done"
        )

    @contextlib.contextmanager
    def hold(self, wait: float | None = None) -> Iterator[None]:
        with self._thread_lock:
            fd = self._open() if self._depth == 0 else None
            if fd is not None:
                self._acquire(fd, self.wait if wait is None else wait)
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                if fd is not None:
                    fcntl.flock(fd, fcntl.LOCK_UN)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def _described(holder: str) -> str:
    """ "process 123 (callbook import big.csv)" from the lock file's "123 callbook import ..." """
    pid, _, command = holder.partition(" ")
    return f"process {pid} ({command or 'unknown command'})" if pid else "another process"


def lock_wait() -> float:
    try:
        wait = float(os.environ.get("CALLBOOK_LOCK_WAIT", LOCK_WAIT_S))
    except ValueError:
        return LOCK_WAIT_S
    return wait if 0 <= wait < 3600 else LOCK_WAIT_S


def _command_line() -> str:
    name = os.path.basename(sys.argv[0]) if sys.argv else "python"
    words = ["callbook" if name == "__main__.py" else name, *sys.argv[1:]]
    text = " ".join(words).replace("\n", " ")
    return text[:200]


def fault_point(name: str) -> None:
    """A named step of a multi-step file operation (restore, upgrade), where the crash tests
    kill the process (CALLBOOK_FAULT=name) to prove that every moment between two steps is
    safe. Costs one dictionary lookup."""
    if os.environ.get("CALLBOOK_FAULT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
