"""Whether a write-ahead log beside a book is the book's own.

SQLite applies any valid log it finds beside a database, even one copied there from another
book: the book would show the other book's rows. So each book carries a random identity in a
row (`book_identity`, see schema.py) that every write transaction rewrites: every log the book
writes holds a page carrying it. Before SQLite opens the book, the log's current frames are
scanned for identities (and page-1 images for another program's application id); a log that
carries only another identity, or was written by another program, is refused and both files
are kept.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import quote

from callbook.store.db import APPLICATION_ID, StoreError, wal_pending

IDENTITY_MARK = b"callbook-book:"  # then 32 hex digits
_WAL_MAGIC = (0x377F0682, 0x377F0683)
_WAL_HEADER, _FRAME_HEADER = 32, 24


def book_identity(path: Path) -> str | None:
    """The book's identity as its file holds it, without reading its write-ahead log (an
    `immutable` connection ignores the log): None for a book made before identities."""
    try:
        conn = sqlite3.connect(
            f"file:{quote(str(path))}?mode=ro&immutable=1", uri=True, check_same_thread=False
        )
    except sqlite3.Error:
        return None
    try:
        row = conn.execute("select book_id from book_identity where id = 1").fetchone()
    except sqlite3.Error:
        return None
    finally:
        conn.close()
    return row[0] if row and isinstance(row[0], str) else None


def log_owners(
    wal: Path, page_size: int, own: bytes | None = None
) -> tuple[set[bytes], set[int], int | None]:
    """What a write-ahead log says about the book it belongs to: the book identities its
    current frames carry, the application ids of the page-1 images in them, and its page size
    (None when there is no usable header). Frames left from an older generation of the log
    (other salts) are not the log's and are skipped, as SQLite does. The scan stops at the
    first frame that carries `own` (the first write of the log, as a rule)."""
    ids: set[bytes] = set()
    app_ids: set[int] = set()
    try:
        with open(wal, "rb") as fh:
            header = fh.read(_WAL_HEADER)
            if len(header) < _WAL_HEADER or int.from_bytes(header[:4], "big") not in _WAL_MAGIC:
                return ids, app_ids, None
            size = int.from_bytes(header[8:12], "big")
            size = 65536 if size == 1 else size
            salts = header[16:24]
            if size != page_size:
                return ids, app_ids, size
            while own is None or own not in ids:
                frame = fh.read(_FRAME_HEADER + size)
                if len(frame) < _FRAME_HEADER + size or frame[8:16] != salts:
                    break
                page = frame[_FRAME_HEADER:]
                if int.from_bytes(frame[:4], "big") == 1:
                    app_ids.add(int.from_bytes(page[68:72], "big"))
                at = page.find(IDENTITY_MARK)
                while at >= 0:
                    ids.add(page[at : at + len(IDENTITY_MARK) + 32])
                    at = page.find(IDENTITY_MARK, at + 1)
    except OSError:
        return ids, app_ids, None
    return ids, app_ids, size


def check_log(path: Path, header: bytes) -> None:
    """Refuse a book whose write-ahead log belongs to another database (copied or left beside
    it): SQLite would apply it silently and show the other book's rows. Both files are kept.
    A log that carries the book's identity, or says nothing either way, is the book's own."""
    wal = path.with_name(path.name + "-wal")
    if not wal_pending(path):
        return
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    own = book_identity(path)
    ids, app_ids, size = log_owners(wal, page_size, own.encode() if own else None)
    reason = None
    if size is not None and size != page_size:
        reason = f"its pages are {size} bytes, the book's {page_size}"
    elif own is not None and own.encode() in ids:
        return
    elif app_ids - {0, APPLICATION_ID}:
        reason = "it was written by another program"
    elif own is not None and ids:
        reason = "it was written by another callbook book"
    if reason:
        raise StoreError(
            f"{wal} does not belong to {path.name} ({reason}); move it away to open the book "
            "(both files were left untouched)"
        )
