"""Opening a callbook database safely: checks, pragmas and the cross-process write lock.

A file is only ever opened as a book if it is empty/new or already carries callbook's
application id; anything else (another program's SQLite file, a text file, a newer schema, a
damaged file) raises `StoreError` with one clear line and the file is left exactly as it was.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
import stat
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

from callbook.errors import ReadOnlyError, StoreError  # noqa: F401 (re-exported)
from callbook.paths import private_dir, private_file

# 'CBK1' — written in the SQLite header so that callbook knows its own files.
APPLICATION_ID = 0x43424B31
SQLITE_HEADER = b"SQLite format 3\x00"
HEADER_SIZE = 100
RESTORE_HINT = "restore a backup with `callbook restore` (see `callbook doctor`)"
BUSY_TIMEOUT_MS = 10_000
AUTOCHECKPOINT_PAGES = 0  # off: see `connect`
WAL_SIZE_LIMIT = 64 * 2**20  # what a folded-in log is cut back to (journal_size_limit)


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
    short (the header promises more pages than the file holds). A book this process already
    has open was checked when it was opened and is not read again (see `_HELD`)."""
    if not path.exists():
        return
    if path.is_dir():
        raise StoreError(f"{path} is a folder, not a callbook database")
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


def connect(path: Path, *, create: bool) -> sqlite3.Connection:
    """Open `path` with callbook's pragmas. With create=False a missing file is an error.

    A book that this process may not write (read-only file, folder or file system) is opened
    read-only: reading works and every write raises a clear error. A file that fails any check
    is left exactly as it was, and nothing is created in its place.
    """
    path = Path(path)
    check_sqlite_version()
    check_file(path)
    existed = path.exists() and path.stat().st_size > 0
    if not existed and not create:
        raise StoreError(f"{path}: no such callbook database")
    if existed and not writable(path):
        conn = open_readonly(path)
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


def open_readonly(path: Path) -> sqlite3.Connection:
    """A connection that cannot write the book, for a book this process may not write and for
    copies (backups). It sees the write-ahead log when there is one; in a read-only folder
    without a pending log it reads the file as it stands (`immutable`: SQLite could not keep
    its shared-memory file there), which is safe because nobody can be writing it either."""
    uri = f"file:{quote(str(path))}?mode=ro"
    try:
        conn = _open_uri(uri)
    except sqlite3.Error as exc:
        if wal_pending(path) or os.access(path.parent, os.W_OK):
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
        mode = stat.S_IMODE(os.stat(path).st_mode)
        if mode & 0o077:
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
    """

    def __init__(self, db_path: Path) -> None:
        self._thread_lock = threading.RLock()
        self._path = db_path.with_name(db_path.name + ".lock")
        self._fd: int | None = None
        self._depth = 0

    def _open(self) -> int | None:
        if self._fd is None:
            try:
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError:
                return None  # read-only folder: SQLite's own locking still applies
        return self._fd

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        with self._thread_lock:
            fd = self._open() if self._depth == 0 else None
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
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
