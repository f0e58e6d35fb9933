"""A prospect's numbers as rows (the `phones` table), written inside the Store's transactions.

The table is the truth; `prospects.phones` (a JSON list) is a cache of it that the same writes
keep: every number, the dialable ones first in dialling order, then the wrong ones, then those
on the do-not-call list. Recall, zones, exports and duplicate checks read that list. A
prospect that has numbers but none left to dial carries the reason in `prospects.unreachable`,
which the queue reads through a partial index: leaving the queue costs nothing per number on
the do-not-call list.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from callbook import phones as numbers
from callbook.model import ProspectPhone
from callbook.store import rows

OK, WRONG, DO_NOT_CALL = "ok", "wrong", "do-not-call"
LABELS = ("direct", "mobile", "switchboard", "company", "home", "assistant", "other")
# What CRMs call them -> ours.
_LABEL_WORDS = {
    "cell": "mobile", "cellphone": "mobile", "mobile phone": "mobile", "main": "switchboard",
    "reception": "switchboard", "office": "company", "work": "company", "business": "company",
    "phone": "other", "direct dial": "direct", "direct line": "direct", "dd": "direct",
    "personal": "home", "pa": "assistant",
}  # fmt: skip

COLUMNS = (
    "id, prospect_id, number, e164, typed, extension, label, source, note, status, position, "
    "last_dialled_at, dialled, answered, reached_dm, machine, wrong"
)
# Dialable first, then wrong, then do-not-call; each in dialling order.
ORDER = "case status when 'ok' then 0 when 'wrong' then 1 else 2 end, position, id"


@dataclass(frozen=True)
class NumberSpec:
    """A number to write: what the book stores (E.164 with `;ext=`, or as typed) and about it."""

    stored: str
    typed: str
    label: str = "other"
    source: str | None = None
    note: str | None = None

    @property
    def number(self) -> str:
        return split_stored(self.stored)[0]

    @property
    def extension(self) -> str | None:
        return split_stored(self.stored)[1]


def split_stored(stored: str) -> tuple[str, str | None]:
    """(number, extension or None) of a number as the book stores it; text with nothing on
    one side of `;ext=` is a number kept as typed, whole."""
    number, _, extension = stored.partition(";ext=")
    if not number or not extension:
        return stored, None
    return number, extension


def label_of(text: str | None) -> str:
    """A label as the table keeps it; anything unknown is 'other'."""
    word = " ".join((text or "").casefold().replace("_", " ").split())
    if word in LABELS:
        return word
    return _LABEL_WORDS.get(word, "other")


def specs_of(fields: dict, source: str | None = None) -> list[NumberSpec] | None:
    """The numbers of a prospect record (`phones`, and `phone_details` when given, in the same
    order); None when the record says nothing about numbers."""
    details = fields.get("phone_details")
    listed = fields.get("phones")
    if details:
        specs = []
        for d in details:
            stored = str(d.get("number") or "").strip()
            if stored:
                specs.append(
                    NumberSpec(
                        stored, str(d.get("typed") or stored), label_of(d.get("label")),
                        d.get("source") or source, d.get("note"),
                    )
                )  # fmt: skip
        known = {s.stored for s in specs}
        # A number of the list that the details left out is still one of its numbers.
        specs += [NumberSpec(n, n, source=source) for n in listed or () if n not in known]
        return specs
    if listed is None:
        return None
    if isinstance(listed, str):
        listed = rows.from_json_list(listed)
    return [NumberSpec(n, n, source=source) for n in listed if str(n).strip()]


def without_details(fields: dict) -> dict:
    """The prospect's own fields: `phone_details` goes to the phones table, not the row."""
    if "phone_details" not in fields:
        return fields
    return {k: v for k, v in fields.items() if k != "phone_details"}


# --- reading -------------------------------------------------------------------------------


def phone(found: tuple) -> ProspectPhone:
    (pid_, pid, number, e164, typed, ext, label, source, note, status, position, last,
     dialled, answered, reached_dm, machine, wrong) = found  # fmt: skip
    return ProspectPhone(
        id=pid_, prospect_id=pid, number=number, e164=e164, typed=typed, extension=ext,
        label=label, source=source, note=note, status=status, position=position,
        last_dialled_at=rows.from_db_time(last), dialled=dialled, answered=answered,
        reached_dm=reached_dm, machine=machine, wrong=wrong,
    )  # fmt: skip


def of_prospect(conn: sqlite3.Connection, prospect_id: int) -> list[ProspectPhone]:
    """Every number of a prospect: the ones to dial first, in dialling order."""
    return [
        phone(r)
        for r in conn.execute(
            f"select {COLUMNS} from phones where prospect_id = ? order by {ORDER}", (prospect_id,)
        )
    ]


def first_dialable(conn: sqlite3.Connection, prospect_id: int) -> ProspectPhone | None:
    found = conn.execute(
        f"select {COLUMNS} from phones where prospect_id = ? and status = 'ok' "
        "order by position, id limit 1",
        (prospect_id,),
    ).fetchone()
    return phone(found) if found else None


def find(conn: sqlite3.Connection, prospect_id: int, stored: str) -> ProspectPhone | None:
    """The prospect's row of a number (stored form; its extension must match too)."""
    number, ext = split_stored(stored)
    found = conn.execute(
        f"select {COLUMNS} from phones where prospect_id = ? and number = ? "
        "and coalesce(extension, '') = ? order by id limit 1",
        (prospect_id, number, ext or ""),
    ).fetchone()
    return phone(found) if found else None


def banned(conn: sqlite3.Connection, number: str) -> bool:
    return conn.execute(
        "select 1 from do_not_call_numbers where number = ?", (number,)
    ).fetchone() is not None


# --- writing -------------------------------------------------------------------------------


def insert(conn: sqlite3.Connection, prospect_id: int, specs: Sequence[NumberSpec], now: str,
           *, first: bool = False) -> list[int]:  # fmt: skip
    """Add numbers after the prospect's others (before them with `first`), each on the
    do-not-call list already marked so. Numbers the prospect has are left as they are.
    Call `refresh` afterwards."""
    ends = conn.execute(
        "select coalesce(min(position), 0), coalesce(max(position), -1) from phones "
        "where prospect_id = ?",
        (prospect_id,),
    ).fetchone()
    ids = []
    fresh = [s for s in specs if find(conn, prospect_id, s.stored) is None]
    start = ends[0] - len(fresh) if first else ends[1] + 1
    for offset, spec in enumerate(fresh):
        ids.append(_insert_row(conn, prospect_id, spec, start + offset, now))
    return ids


def _insert_row(conn: sqlite3.Connection, prospect_id: int, spec: NumberSpec, position: int,
                now: str) -> int:  # fmt: skip
    status = DO_NOT_CALL if banned(conn, spec.number) else OK
    cur = conn.execute(
        "insert into phones (prospect_id, number, e164, typed, extension, label, source, note, "
        "status, position, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            prospect_id, spec.number, e164_of(spec.number), spec.typed, spec.extension,
            label_of(spec.label), spec.source, spec.note, status, position, now,
        ),
    )  # fmt: skip
    return cur.lastrowid


def e164_of(number: str) -> str | None:
    return number if numbers.is_normalized(number) else None


def replace_list(conn: sqlite3.Connection, prospect_id: int, specs: Sequence[NumberSpec],
                 now: str) -> None:  # fmt: skip
    """The prospect's numbers become `specs`, in that order (an edit, a merge). A number it
    had keeps its row, status and history; one left out goes unless a call dialled it."""
    keep: set[int] = set()
    for position, spec in enumerate(specs):
        known = find(conn, prospect_id, spec.stored)
        if known is None:
            keep.add(_insert_row(conn, prospect_id, spec, position, now))
            continue
        keep.add(known.id)
        conn.execute(
            "update phones set position = ?, label = case when ? != 'other' then ? else label "
            "end, source = coalesce(source, ?), note = coalesce(?, note) where id = ?",
            (position, spec.label, label_of(spec.label), spec.source, spec.note, known.id),
        )
    for row in of_prospect(conn, prospect_id):
        if row.id in keep:
            continue
        used = conn.execute("select 1 from calls where phone_id = ? limit 1", (row.id,)).fetchone()
        if used is None:
            conn.execute("delete from phones where id = ?", (row.id,))
        else:  # a call dialled it: kept for its history, after the listed ones
            conn.execute(
                "update phones set position = ? where id = ?", (len(specs) + row.position, row.id)
            )
    refresh(conn, [prospect_id])


def recount(conn: sqlite3.Connection, phone_id: int) -> None:
    """A number's tallies and last dialling, from the calls (not undone) that dialled it."""
    conn.execute(
        "update phones set (dialled, answered, reached_dm, machine, wrong, last_dialled_at) = "
        "(select count(*), "
        "coalesce(sum(answered_by in ('gatekeeper', 'decision_maker', 'someone')), 0), "
        "coalesce(sum(answered_by = 'decision_maker'), 0), "
        "coalesce(sum(answered_by = 'machine'), 0), "
        "coalesce(sum(outcome = 'wrong_number'), 0), max(started_at) "
        "from calls where phone_id = ?1 and undone_at is null) where id = ?1",
        (phone_id,),
    )


def move_first(conn: sqlite3.Connection, phone_id: int, prospect_id: int,
               label: str | None = None) -> None:  # fmt: skip
    """Make a number the first its prospect dials (and give it `label`)."""
    conn.execute(
        "update phones set position = (select min(position) - 1 from phones "
        "where prospect_id = ?), label = coalesce(?, label) where id = ?",
        (prospect_id, label, phone_id),
    )


def set_status(conn: sqlite3.Connection, phone_id: int, status: str) -> None:
    """Mark a number ok or wrong; one on the do-not-call list stays marked so."""
    conn.execute(
        "update phones set status = case when number in (select d.number from "
        "do_not_call_numbers d) then 'do-not-call' else ? end where id = ?",
        (status, phone_id),
    )


def ban(conn: sqlite3.Connection, number: str, now: str, note: str | None = None) -> bool:
    """Put a number (no extension) on the do-not-call list and mark every row of it, whoever
    holds it. False when it was there already."""
    added = conn.execute(
        "insert or ignore into do_not_call_numbers (number, added_at, note) values (?, ?, ?)",
        (number, now, note),
    ).rowcount > 0
    holders = [
        r[0]
        for r in conn.execute(
            "select distinct prospect_id from phones where number = ? and status != ?",
            (number, DO_NOT_CALL),
        )
    ]
    conn.execute("update phones set status = ? where number = ?", (DO_NOT_CALL, number))
    refresh(conn, holders)
    return added


def unban(conn: sqlite3.Connection, number: str) -> bool:
    """Take a number off the list; its rows go back to wrong (if a call found it so) or ok."""
    removed = conn.execute("delete from do_not_call_numbers where number = ?", (number,)).rowcount
    holders = [
        r[0]
        for r in conn.execute(
            "select distinct prospect_id from phones where number = ? and status = ?",
            (number, DO_NOT_CALL),
        )
    ]
    conn.execute(
        "update phones set status = case when wrong > 0 then 'wrong' else 'ok' end "
        "where number = ? and status = ?",
        (number, DO_NOT_CALL),
    )
    refresh(conn, holders)
    return removed > 0


def refresh(conn: sqlite3.Connection, prospect_ids: Iterable[int]) -> None:
    """Bring each prospect's cached list and its `unreachable` reason in line with its rows;
    rows are written only where something changed."""
    for pid in dict.fromkeys(prospect_ids):
        held = of_prospect(conn, pid)
        cached = rows.to_json_list(dict.fromkeys(p.stored for p in held))
        reason = unreachable_reason([p.status for p in held])
        # Apart: an update naming `phones` sets the zone back to be read again (a trigger),
        # even when the list comes out the same.
        conn.execute(
            "update prospects set phones = ? where id = ? and phones is not ?",
            (cached, pid, cached),
        )
        conn.execute(
            "update prospects set unreachable = ? where id = ? and unreachable is not ?",
            (reason, pid, reason),
        )


def unreachable_reason(statuses: Sequence[str]) -> str | None:
    """Why a prospect with these numbers cannot be dialled; None when one is dialable (or it
    has none: a prospect without numbers is left to the caller)."""
    if not statuses or OK in statuses:
        return None
    if all(s == DO_NOT_CALL for s in statuses):
        return "every number is on the do-not-call list"
    if all(s == WRONG for s in statuses):
        return "every number is wrong"
    return "no number left to dial: the others are wrong or on the do-not-call list"


def move_lists(conn: sqlite3.Connection) -> None:
    """The migration's step: a row per number of every prospect's JSON list, in its order
    (a repeat once), marked do-not-call where the list holds it; then the caches and reasons
    of the prospects whose rows say otherwise than their list. In SQL, one pass: a book of a
    million prospects is upgraded in seconds, not minutes."""
    listed = "CASE WHEN json_valid(p.phones) THEN p.phones ELSE json_array(p.phones) END"
    conn.execute(
        f"""INSERT INTO phones (prospect_id, number, e164, typed, extension, status, position,
                                source, created_at)
        SELECT pid, number,
            CASE WHEN number GLOB '+[1-9]*' AND length(number) BETWEEN 3 AND 16
                AND substr(number, 2) NOT GLOB '*[^0-9]*' THEN number END,
            typed, extension,
            CASE WHEN number IN (SELECT d.number FROM do_not_call_numbers d)
                THEN 'do-not-call' ELSE 'ok' END,
            position, 'book', created
        FROM (
            SELECT pid, typed, position, created,
                -- As split_stored: text with nothing on one side of ';ext=' is kept whole.
                CASE WHEN cut > 1 AND length(typed) > cut + 4
                    THEN substr(typed, 1, cut - 1) ELSE typed END AS number,
                CASE WHEN cut > 1 AND length(typed) > cut + 4
                    THEN substr(typed, cut + 5) END AS extension,
                row_number() OVER (PARTITION BY pid, typed ORDER BY position) AS nth
            FROM (
                SELECT p.id AS pid, p.created_at AS created, coalesce(j.key, 0) AS position,
                    trim(CAST(j.value AS TEXT), char(32, 9, 10, 13)) AS typed,
                    instr(trim(CAST(j.value AS TEXT), char(32, 9, 10, 13)), ';ext=') AS cut
                FROM prospects p, json_each({listed}) AS j
                WHERE p.phones IS NOT NULL AND p.phones NOT IN ('', '[]')
            )
            WHERE typed != ''
        )
        WHERE nth = 1
        ORDER BY pid, position"""
    )
    touched = conn.execute(
        f"""SELECT prospect_id FROM phones WHERE status = 'do-not-call'
        UNION
        SELECT p.id FROM prospects p
        WHERE p.phones IS NOT NULL AND p.phones NOT IN ('', '[]')
            AND ((SELECT count(*) FROM phones h WHERE h.prospect_id = p.id)
                    != (SELECT count(*) FROM json_each({listed}))
                OR EXISTS (SELECT 1 FROM json_each({listed}) AS j WHERE j.type != 'text'
                    OR j.value != trim(j.value, char(32, 9, 10, 13))))"""
    ).fetchall()
    refresh(conn, [pid for (pid,) in touched])
