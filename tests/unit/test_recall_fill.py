"""Bulk inserts index their rows in one pass (`recall.fill_added`), building the documents' text
in Python where the triggers build it in SQL. The two must agree to the character, or a later
update's trigger would delete terms the index never held: checked here on any text."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callbook.clock import fixed_clock
from callbook.store import Store, bulk, recall
from callbook.store.rows import to_json_list

NOW = datetime(2026, 11, 27, 15, tzinfo=UTC)
STAMP = "2026-11-27T15:00:00Z"

# Text as callers and CRM files hold it: phone punctuation, apostrophes, accents, underscores,
# the odd control or NUL character.
ALPHABET = st.sampled_from(list("0123456789 -()./+_'’aéZ;:,\"\\\n\t\0ø中"))
TEXT = st.text(ALPHABET, max_size=24)
PHONE = st.one_of(TEXT, st.from_regex(r"\+?[0-9 ()./-]{4,20}", fullmatch=True))
MAYBE = st.one_of(st.none(), TEXT)


def sql_text(conn, table: str, row_id: int) -> str:
    doc = next(d for d in recall.DOCUMENTS if d.table == table)
    query = f"SELECT {doc.sql_text(table)} FROM {table} WHERE id = ?"
    return conn.execute(query, (row_id,)).fetchone()[0]


def python_text(table: str, values: tuple) -> str | None:
    doc = next(d for d in recall.DOCUMENTS if d.table == table)
    return doc.python_text({}, values)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=TEXT.filter(str.strip),
    company=MAYBE,
    phones=st.one_of(st.lists(PHONE, max_size=3).map(to_json_list), TEXT),
    email=MAYBE,
    city=MAYBE,
    tags=st.lists(TEXT, max_size=2).map(to_json_list),
    slot=st.sampled_from(["gatekeeper", "dm_availability", "direct_line", "x_y_z"]),
    value=PHONE.filter(str.strip),
    role=st.sampled_from(["gatekeeper", "decision_maker", "other"]),
    title=MAYBE,
    phone=st.one_of(st.none(), PHONE),
)
def test_python_builds_each_document_as_the_triggers_do(
    tmp_path_factory, name, company, phones, email, city, tags, slot, value, role, title, phone
) -> None:
    path = tmp_path_factory.mktemp("fill") / "book.db"
    with Store.open(path, clock=fixed_clock(NOW)) as store, bulk.writing(store) as conn:
        pid = conn.execute(
            "insert into prospects (name, company, phones, email, city, tags, created_at, "
            "updated_at) values (?, ?, ?, ?, ?, ?, ?, ?)",
            (name, company, phones, email, city, tags, STAMP, STAMP),
        ).lastrowid
        piece = conn.execute(
            "insert into pieces (prospect_id, slot, value, learned_at) values (?, ?, ?, ?)",
            (pid, slot, value, STAMP),
        ).lastrowid
        contact = conn.execute(
            "insert into contacts (prospect_id, name, role, title, phone, email, created_at) "
            "values (?, ?, ?, ?, ?, ?, ?)",
            (pid, name, role, title, phone, email, STAMP),
        ).lastrowid
        call = conn.execute(
            "insert into calls (prospect_id, started_at, ended_at, outcome, notes) "
            "values (?, ?, ?, 'no_answer', ?)",
            (pid, STAMP, STAMP, value),
        ).lastrowid
        cases = [
            ("calls", call, (value,)),
            ("prospects", pid, (name, company, phones, email, city, tags)),
            ("pieces", piece, (slot, value)),
            ("contacts", contact, (name, role, title, phone, email)),
        ]
        for table, row_id, values in cases:
            built = python_text(table, values)
            # None: Python declines, and the row goes through the SQL itself.
            assert built is None or built == sql_text(conn, table, row_id), (table, values)
        conn.execute("rollback")


def test_plain_rows_are_built_in_python(tmp_path) -> None:
    """The fast path is taken for what imports write: without it the test above proves
    nothing."""
    phones = to_json_list(["+12125550101", "+44 20 7946 0000"])
    assert python_text("prospects", ("Ó'Brien Ltd", None, phones, None, "Köln", "[]")) == (
        "\ue000 Ó'Brien Ltd  +12125550101 12125550101 2125550101 125550101 25550101 5550101 "
        "550101 50101 0101 +44 20 7946 0000 442079460000 42079460000 2079460000 079460000 "
        "79460000 9460000 460000 60000 0000  Köln [] \ue000 ÓBrien Ltd  +12125550101 "
        "12125550101 2125550101 125550101 25550101 5550101 550101 50101 0101 +44 20 7946 0000 "
        "442079460000 42079460000 2079460000 079460000 79460000 9460000 460000 60000 0000  "
        "Köln []"
    )
    assert python_text("pieces", ("gatekeeper", "Sarah\0")) is None
    assert python_text("prospects", ("Acme", None, json.dumps(["a\\b"]), None, None, "[]")) is (
        None
    )


def test_a_bulk_fill_leaves_the_index_as_a_rebuild_would(tmp_path) -> None:
    """Term for term: rows inserted with the triggers set aside and indexed in one pass,
    against the index rebuilt from the same rows by SQL."""
    path = tmp_path / "book.db"
    with Store.open(path, clock=fixed_clock(NOW)) as store, bulk.writing(store) as conn:
        with bulk.recall_deferred(conn):
            for i in range(40):
                phones = to_json_list([f"+4420794600{i:02d}", "555-CALL", "(212) 555-0101"])
                pid = conn.execute(
                    "insert into prospects (name, company, phones, city, tags, created_at, "
                    "updated_at) values (?, ?, ?, ?, ?, ?, ?)",
                    (f"Zoë O'Neil {i}", "Acme (UK) Ltd", phones, "Köln", '["warm"]', STAMP,
                     STAMP),
                ).lastrowid  # fmt: skip
                conn.execute(
                    "insert into pieces (prospect_id, slot, value, learned_at) "
                    "values (?, 'direct_line', ?, ?)",
                    (pid, f"ext. 2{i} or 020 7946 00{i:02d}", STAMP),
                )
                conn.execute(
                    "insert into contacts (prospect_id, name, role, phone, created_at) "
                    "values (?, 'Tom Li', 'decision_maker', '+1 212 555 0199', ?)",
                    (pid, STAMP),
                )
        filled = terms(conn)
        assert len(filled) > 1000
        recall.rebuild(conn)
        assert terms(conn) == filled
        assert recall.in_step(conn)


def terms(conn) -> list[tuple]:
    conn.execute(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.fill_vocab USING fts5vocab(main, "
        f"{recall.TABLE}, 'instance')"
    )
    query = "SELECT term, doc, col, offset FROM temp.fill_vocab ORDER BY 1, 2, 3, 4"
    return conn.execute(query).fetchall()
