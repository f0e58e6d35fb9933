"""Recall's documents are declared once (`recall.DOCUMENTS`): the triggers, the bulk fill, the
fetches and search's reconstruction come from that table, and the migrations that made the
index are frozen text that later declarations never change."""

from __future__ import annotations

import dataclasses
import hashlib
import sqlite3
from datetime import UTC, datetime

from callbook.clock import fixed_clock
from callbook.jigsaw import TemplateSet, builtin_templates
from callbook.search import index_in_step, search
from callbook.store import Store, bulk, recall
from callbook.store import schema as schema_module
from callbook.store.db import connect

NOW = datetime(2026, 11, 27, 15, tzinfo=UTC)
STAMP = "2026-11-27T15:00:00Z"
TEMPLATES = TemplateSet(builtin_templates())

# Shipped migrations' scripts: a changed byte would change what an old upgrade did.
SHIPPED = {
    "recall_v2.sql": "4138a423bf9391b22c22e46f0154a860cb8e27042dc4cd8155ead3f980a58e9c",
}


def test_the_latest_frozen_script_is_what_the_declarations_make() -> None:
    assert recall.frozen_script(recall.CURRENT_SCRIPT) == recall.rebuild_script(), (
        "recall.DOCUMENTS changed without its migration: freeze `python -m "
        "callbook.store.recall` into store/frozen/ and append a migration that runs it"
    )


def test_shipped_scripts_are_never_edited() -> None:
    for name, digest in SHIPPED.items():
        text = recall.frozen_script(name)
        assert hashlib.sha256(text.encode()).hexdigest() == digest, name


def test_the_frozen_first_index_is_not_scannable_and_the_current_one_is() -> None:
    conn = sqlite3.connect(":memory:")
    schema_module.MIGRATIONS[0](conn)
    schema_module.MIGRATIONS[1](conn)
    try:
        conn.execute("select count(*) from recall")
        raise AssertionError("the shipped v2 index was expected to refuse a scan")
    except sqlite3.OperationalError as exc:
        assert "does not support scanning" in str(exc)
    recall.run_frozen(conn, recall.CURRENT_SCRIPT)
    assert conn.execute("select count(*) from recall").fetchone()[0] == 0


def _with_website(doc: recall.Document) -> recall.Document:
    if doc.table != "prospects":
        return doc
    # The one-line change: the field in the document's text (and shown with it).
    return dataclasses.replace(
        doc, text=(*doc.text, recall.Text("website")), shows=(*doc.shows, recall.Shown("website"))
    )


def test_adding_a_findable_field_is_one_declaration_and_its_migration(tmp_path, monkeypatch):
    path = tmp_path / "book.db"
    with Store.open(path, clock=fixed_clock(NOW)) as store, bulk.writing(store) as conn:
        conn.execute(
            "insert into prospects (name, website, created_at, updated_at) "
            "values ('Acme Ltd', 'acme-widgets.example', ?, ?)",
            (STAMP, STAMP),
        )
    with Store.open(path) as store:
        assert search(store, "widgets", templates=TEMPLATES) == []

    documents = tuple(_with_website(d) for d in recall.DOCUMENTS)
    monkeypatch.setattr(recall, "DOCUMENTS", documents)
    monkeypatch.setattr(recall, "BY_KIND", {d.kind: d for d in documents})
    script = recall.rebuild_script()  # what the new migration freezes
    assert "website" in script

    def _v9_recall_website(conn: sqlite3.Connection) -> None:
        schema_module.run_script(conn, script)

    monkeypatch.setattr(
        schema_module, "MIGRATIONS", [*schema_module.MIGRATIONS, _v9_recall_website]
    )
    monkeypatch.setattr(schema_module, "LATEST", len(schema_module.MIGRATIONS))
    conn = connect(path, create=False)
    assert schema_module.migrate(conn, path, upto=schema_module.LATEST) == schema_module.LATEST
    conn.close()
    with Store.open(path, clock=fixed_clock(NOW)) as store:
        (hit,) = search(store, "widgets", templates=TEMPLATES)
        assert (hit.kind, hit.text) == ("prospect", "Acme Ltd · acme-widgets.example")
        # Bulk inserts (Python-built text) and the triggers (SQL) agree on the new field.
        with bulk.writing(store) as conn, bulk.recall_deferred(conn):
            conn.execute(
                "insert into prospects (name, website, created_at, updated_at) "
                "values ('Initech', 'initech-gadgets.example', ?, ?)",
                (STAMP, STAMP),
            )
        assert index_in_step(store)
        with bulk.writing(store) as conn:
            conn.execute("update prospects set website = 'initech-sprockets.example'")
        assert index_in_step(store)
        hits = search(store, "sprockets", templates=TEMPLATES)
        assert sorted(h.text for h in hits) == [
            "Acme Ltd · initech-sprockets.example",
            "Initech · initech-sprockets.example",
        ]


def test_search_labels_come_from_the_templates_passed_in(tmp_path) -> None:
    from callbook.model import NewCall, Outcome

    cold_call = TEMPLATES.get("cold_call")
    renamed = tuple(
        dataclasses.replace(s, label="Front desk") if s.key == "gatekeeper" else s
        for s in cold_call.slots
    )
    mine = TemplateSet(
        {**TEMPLATES.templates, "cold_call": dataclasses.replace(cold_call, slots=renamed)}
    )
    with Store.open(tmp_path / "book.db", clock=fixed_clock(NOW)) as store:
        p = store.add_prospect("Acme Ltd")
        store.record_call(
            NewCall(p.id, NOW, NOW, Outcome.GATEKEEPER, pieces=(("gatekeeper", "Sarah"),))
        )
        for templates, label in (
            (TEMPLATES, "Gatekeeper"),
            (mine, "Front desk"),
            (TEMPLATES, "Gatekeeper"),
        ):
            (hit,) = [h for h in search(store, "sarah", templates=templates) if h.kind == "piece"]
            assert hit.label == label
