"""The schema as ordered migrations, keyed on `PRAGMA user_version`.

Each migration runs in one transaction together with the version bump, so a crash leaves the
file at the old version or the new one, never between. A file newer than `LATEST` is refused.
Add a migration by appending a function; never edit one that has shipped.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from callbook.store.db import APPLICATION_ID, StoreError, fault_point

Migration = Callable[[sqlite3.Connection], None]


def _v1_book(conn: sqlite3.Connection) -> None:
    run_script(
        conn,
        """
        CREATE TABLE prospects (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            company TEXT,
            phones TEXT NOT NULL DEFAULT '[]',      -- JSON list, E.164 where it parsed
            email TEXT,
            website TEXT,
            city TEXT,
            region TEXT,
            country TEXT,
            timezone TEXT,                          -- IANA name
            status TEXT NOT NULL DEFAULT 'new',
            priority INTEGER NOT NULL DEFAULT 3,    -- 1 highest .. 5 lowest
            tags TEXT NOT NULL DEFAULT '[]',        -- JSON list
            template TEXT NOT NULL DEFAULT 'cold_call',
            next_call_at TEXT,                      -- UTC ISO 8601
            next_objective TEXT,
            last_call_at TEXT,
            call_count INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX prospects_next_call ON prospects (next_call_at) WHERE next_call_at IS NOT NULL;
        CREATE INDEX prospects_queue ON prospects (status, priority, last_call_at, id);

        CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,
            ended_at TEXT
        );

        CREATE TABLE calls (
            id INTEGER PRIMARY KEY,
            prospect_id INTEGER NOT NULL REFERENCES prospects (id) ON DELETE CASCADE,
            session_id INTEGER REFERENCES sessions (id),
            started_at TEXT NOT NULL,
            ended_at TEXT NOT NULL,
            objective TEXT,                         -- what the call was planned for
            outcome TEXT NOT NULL,
            notes TEXT,
            next_call_at TEXT,
            next_objective TEXT,
            tags TEXT NOT NULL DEFAULT '[]',
            small_wins INTEGER NOT NULL DEFAULT 0,
            big_wins INTEGER NOT NULL DEFAULT 0,
            capture TEXT,                           -- the line as typed
            previous_state TEXT,                    -- JSON: prospect fields before, for undo
            undone_at TEXT
        );
        CREATE INDEX calls_prospect ON calls (prospect_id, started_at);
        CREATE INDEX calls_session ON calls (session_id);
        CREATE INDEX calls_started ON calls (started_at);

        CREATE TABLE contacts (
            id INTEGER PRIMARY KEY,
            prospect_id INTEGER NOT NULL REFERENCES prospects (id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            role TEXT NOT NULL DEFAULT 'other',
            title TEXT,
            phone TEXT,
            email TEXT,
            call_id INTEGER REFERENCES calls (id),
            created_at TEXT NOT NULL,
            undone_at TEXT
        );
        CREATE INDEX contacts_prospect ON contacts (prospect_id);

        CREATE TABLE pieces (
            id INTEGER PRIMARY KEY,
            prospect_id INTEGER NOT NULL REFERENCES prospects (id) ON DELETE CASCADE,
            slot TEXT NOT NULL,
            value TEXT NOT NULL,
            learned_at TEXT NOT NULL,
            call_id INTEGER REFERENCES calls (id),
            superseded_by INTEGER REFERENCES pieces (id),
            superseded_at TEXT,
            undone_at TEXT
        );
        CREATE INDEX pieces_prospect_slot ON pieces (prospect_id, slot, id);
        CREATE INDEX pieces_call ON pieces (call_id);

        CREATE TABLE drafts (
            key TEXT PRIMARY KEY,
            text TEXT NOT NULL,
            saved_at TEXT NOT NULL
        );
        """,
    )


def run_script(conn: sqlite3.Connection, script: str) -> None:
    """Run statements one by one: `executescript` would COMMIT the migration's transaction."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            conn.execute(statement)
            statement = ""
    if statement.strip():
        conn.execute(statement)


def _v2_recall(conn: sqlite3.Connection) -> None:
    """The recall index (FTS5) over pieces, notes, contacts and prospects, kept by triggers."""
    from callbook.store import recall

    recall.run_frozen(conn, "recall_v2.sql")


def _v3_queue(conn: sqlite3.Connection) -> None:
    """Skips, the do-not-call numbers, each prospect's zone as the queue reads it, and the
    indexes the queue walks."""
    run_script(
        conn,
        """
        CREATE TABLE skips (
            prospect_id INTEGER PRIMARY KEY REFERENCES prospects (id) ON DELETE CASCADE,
            skipped_at TEXT NOT NULL                -- UTC; holds for the caller's day it is in
        );
        CREATE INDEX skips_at ON skips (skipped_at);

        CREATE TABLE do_not_call_numbers (
            number TEXT PRIMARY KEY,                -- as prospects store it: E.164 where it parsed
            added_at TEXT NOT NULL,
            note TEXT
        );

        -- Derived, never typed: `timezone` when it is a zone, else the zone read from the
        -- numbers or the place; '' when none could be read; NULL until the queue reads it
        -- (a change of timezone, phones, country or region sets it back to NULL).
        ALTER TABLE prospects ADD COLUMN zone TEXT;
        ALTER TABLE prospects ADD COLUMN zone_source TEXT;  -- 'prospect', 'phone' or 'place'
        -- (from v4 also 'area' or 'country': a set of possible zones, joined by spaces)
        CREATE TRIGGER prospects_zone_stale AFTER UPDATE OF timezone, phones, country, region
            ON prospects BEGIN
            UPDATE prospects SET zone = NULL, zone_source = NULL WHERE id = new.id;
        END;
        CREATE INDEX prospects_zone_pending ON prospects (id) WHERE zone IS NULL;

        -- The queue's lanes: per zone in queue order, and callbacks due by time.
        CREATE INDEX prospects_lanes ON prospects (zone, priority, last_call_at, id)
            WHERE next_call_at IS NULL AND status IN ('new', 'active', 'meeting');
        CREATE INDEX prospects_due ON prospects (next_call_at, priority, id, zone)
            WHERE next_call_at IS NOT NULL AND status IN ('new', 'active', 'meeting');
        CREATE INDEX prospects_due_lanes
            ON prospects (zone, priority, last_call_at, id, next_call_at)
            WHERE next_call_at IS NOT NULL AND status IN ('new', 'active', 'meeting');
        """,
    )


def _v4_calling_hours(conn: sqlite3.Connection) -> None:
    """Zones read again where none was found: a number's area code or a country now gives
    the set of its possible zones (names joined by spaces in `zone`, source 'area' or
    'country'), so that an unknown zone is read conservatively instead of as any time. And
    `calls.outside_hours`: 1 for a call the caller forced outside the legal hours."""
    run_script(
        conn,
        """
        UPDATE prospects SET zone = NULL, zone_source = NULL WHERE zone = '';
        ALTER TABLE calls ADD COLUMN outside_hours INTEGER NOT NULL DEFAULT 0;
        """,
    )


def _v5_open_book(conn: sqlite3.Connection) -> None:
    """The book open to other tools: the recall index made again without `columnsize=0` (a
    contentless FTS5 table without column sizes refuses a full scan, so `sqlite-utils tables
    --counts` and Datasette failed on it; the sizes cost a small row per document that searches
    never read); and an id of its own, so that two books' events in one calendar (.ics UIDs)
    never overwrite each other."""
    from callbook.store import recall

    recall.run_frozen(conn, "recall_scannable.sql")
    run_script(
        conn,
        """
        CREATE TABLE book_info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        INSERT INTO book_info (key, value) VALUES ('id', lower(hex(randomblob(16))));
        """,
    )


def _v6_flat_reads(conn: sqlite3.Connection) -> None:
    """What keeps the reads on a caller's path flat at any size: indexes that undo reads by,
    folded name and company keys that lookups seek, and per-day stats tallies (built here for
    the machine's zone; `callbook.store.tallies`)."""
    from callbook.clock import local_zone
    from callbook.store import names, tallies

    run_script(
        conn,
        """
        CREATE INDEX pieces_superseded_by ON pieces (superseded_by)
            WHERE superseded_by IS NOT NULL;
        CREATE INDEX contacts_call ON contacts (call_id) WHERE call_id IS NOT NULL;

        -- Derived, never typed: the name and company folded (case, accents, spacing) as
        -- lookups compare them; kept by the Store's writes.
        ALTER TABLE prospects ADD COLUMN name_key TEXT;
        ALTER TABLE prospects ADD COLUMN company_key TEXT;
        """,
    )
    names.fill_keys(conn)
    run_script(
        conn,
        """
        CREATE INDEX prospects_name_key ON prospects (name_key);
        CREATE INDEX prospects_company_key ON prospects (company_key)
            WHERE company_key IS NOT NULL;
        """,
    )
    run_script(conn, tallies.DDL)
    now = conn.execute("select strftime('%Y-%m-%dT%H:%M:%SZ', 'now')").fetchone()[0]
    tallies.rebuild(conn, local_zone(), now)


def _v7_book_identity(conn: sqlite3.Connection) -> None:
    """A random identity for the book, in a row each write transaction rewrites: every
    write-ahead log of the book then carries it, and a log left beside the wrong book is told
    apart before SQLite applies it (book_log.check_log)."""
    import uuid

    from callbook.store.book_log import IDENTITY_MARK

    conn.execute(
        "CREATE TABLE book_identity (id INTEGER PRIMARY KEY CHECK (id = 1), "
        "book_id TEXT NOT NULL, writes INTEGER NOT NULL DEFAULT 0)"
    )
    conn.execute(
        "INSERT INTO book_identity (id, book_id) VALUES (1, ?)",
        (IDENTITY_MARK.decode() + uuid.uuid4().hex,),
    )


def _v8_call_flow(conn: sqlite3.Connection) -> None:
    """Explicit status changes (lifting do-not-call is one, and only that lifts it), and a
    draft per open app: who owns it and which prospect its line is for."""
    run_script(
        conn,
        """
        CREATE TABLE status_changes (
            id INTEGER PRIMARY KEY,
            prospect_id INTEGER NOT NULL REFERENCES prospects (id) ON DELETE CASCADE,
            old_status TEXT NOT NULL,
            new_status TEXT NOT NULL,
            reason TEXT NOT NULL,
            changed_at TEXT NOT NULL
        );
        CREATE INDEX status_changes_prospect ON status_changes (prospect_id, changed_at);

        -- A draft belongs to the app that typed it (host and process id, while it runs);
        -- one whose owner is gone is an unsent line that the next app to open brings back.
        ALTER TABLE drafts ADD COLUMN host TEXT;
        ALTER TABLE drafts ADD COLUMN pid INTEGER;
        ALTER TABLE drafts ADD COLUMN prospect_id INTEGER;
        """,
    )


def _v9_plans(conn: sqlite3.Connection) -> None:
    """`pieces.confirmed_at`: when a piece's value was said again (still true then), for
    freshness. `prospects.attempt_plan`: a per-prospect attempt plan overriding its
    template's, as JSON with the keys of a template's [plan] table; NULL: the template's."""
    run_script(
        conn,
        """
        ALTER TABLE pieces ADD COLUMN confirmed_at TEXT;
        ALTER TABLE prospects ADD COLUMN attempt_plan TEXT;
        """,
    )


def _v10_phones(conn: sqlite3.Connection) -> None:
    """Numbers as rows: each prospect's numbers (moved from its JSON list, which stays as a
    cache of them, dialable ones first), the number each call dialled and who answered, and
    a prospect's reason for leaving the queue when no number is left to dial."""
    from callbook.store import phone_rows as phones

    run_script(
        conn,
        """
        CREATE TABLE phones (
            -- Never reused: a call's undo names the rows it added or changed.
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            prospect_id INTEGER NOT NULL REFERENCES prospects (id) ON DELETE CASCADE,
            number TEXT NOT NULL,                   -- E.164 where it parsed, else as typed;
                                                    -- no extension: the do-not-call key
            e164 TEXT,                              -- NULL when it did not parse
            typed TEXT NOT NULL,                    -- as it was typed or imported
            extension TEXT,
            label TEXT NOT NULL DEFAULT 'other',    -- direct, mobile, switchboard, company,
                                                    -- home, assistant, other
            source TEXT,                            -- 'import:<column>', 'call:<id>', ...
            note TEXT,
            status TEXT NOT NULL DEFAULT 'ok',      -- ok, wrong, do-not-call
            position INTEGER NOT NULL,              -- dialling order among its prospect's
            last_dialled_at TEXT,
            dialled INTEGER NOT NULL DEFAULT 0,     -- calls made on it
            answered INTEGER NOT NULL DEFAULT 0,    -- ... a person picked up
            reached_dm INTEGER NOT NULL DEFAULT 0,  -- ... the decision maker was on the line
            machine INTEGER NOT NULL DEFAULT 0,     -- ... voicemail
            wrong INTEGER NOT NULL DEFAULT 0,       -- ... it was the wrong number
            created_at TEXT NOT NULL
        );
        CREATE INDEX phones_number ON phones (number);
        CREATE INDEX phones_e164 ON phones (e164) WHERE e164 IS NOT NULL;
        CREATE INDEX phones_prospect ON phones (prospect_id, position);

        ALTER TABLE calls ADD COLUMN phone_id INTEGER REFERENCES phones (id) ON DELETE SET NULL;
        ALTER TABLE calls ADD COLUMN dialled TEXT;  -- the number dialled, as stored
        -- gatekeeper, decision_maker, someone, machine; NULL when nobody answered
        ALTER TABLE calls ADD COLUMN answered_by TEXT;
        ALTER TABLE calls ADD COLUMN contact_id INTEGER REFERENCES contacts (id);
        CREATE INDEX calls_phone ON calls (phone_id) WHERE phone_id IS NOT NULL;
        CREATE INDEX calls_contact ON calls (contact_id) WHERE contact_id IS NOT NULL;

        -- Why a prospect with numbers has none left to dial (every one wrong or do-not-call);
        -- NULL while one is. Kept by the writes that change its numbers.
        ALTER TABLE prospects ADD COLUMN unreachable TEXT;
        -- Covering the queue's count of them: no row of the table is read.
        CREATE INDEX prospects_unreachable ON prospects (status, next_call_at, unreachable)
            WHERE unreachable IS NOT NULL;
        """,
    )
    phones.move_lists(conn)


MIGRATIONS: list[Migration] = [
    _v1_book, _v2_recall, _v3_queue, _v4_calling_hours, _v5_open_book, _v6_flat_reads,
    _v7_book_identity, _v8_call_flow, _v9_plans, _v10_phones,
]
LATEST = len(MIGRATIONS)


def version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def upgrade_notice(path: Path, current: int) -> str:
    return (
        f"callbook: upgrading {path} (schema {current} → {LATEST}); on a large book this takes "
        "a minute or two. Stopping is safe: the upgrade carries on next time."
    )


def migrate(conn: sqlite3.Connection, path: Path, *, upto: int = LATEST) -> int:
    """Bring the file to `upto`, one transaction per step. Returns the version reached."""
    current = version(conn)
    if current > LATEST:
        raise StoreError(
            f"{path} was written by a newer callbook (schema {current}; this one knows up to "
            f"{LATEST}); upgrade callbook — the file was left untouched"
        )
    while current < upto:
        step = MIGRATIONS[current]
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have migrated while we waited for the lock.
            if version(conn) != current:
                conn.rollback()
                current = version(conn)
                continue
            step(conn) if current else _first(conn, step)
            conn.execute(f"PRAGMA user_version = {current + 1}")
            fault_point(f"migrate:{current + 1}:uncommitted")
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
        current += 1
        fault_point(f"migrate:{current}:committed")
    return current


def _first(conn: sqlite3.Connection, step: Migration) -> None:
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    step(conn)
