"""Any book exported and imported again is the same book: callbook's own CSV of prospects
into an empty book, and the JSON backup restored."""

from __future__ import annotations

import io
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callbook.clock import fixed_clock
from callbook.config import Config
from callbook.interop import export, restore
from callbook.interop.csv_import import ImportOptions, import_file
from callbook.jigsaw import load_templates
from callbook.model import Status
from callbook.store import Store, bulk

NOW = datetime(2026, 11, 27, 15, tzinfo=UTC)
CONFIG = Config(timezone="Europe/London", region="US")
FIELDS = (
    "name", "company", "phones", "email", "website", "city", "region", "country", "timezone",
    "status", "priority", "tags", "template", "next_call_at", "next_objective",
)  # fmt: skip

# Text as a caller or a CRM writes it: no control or invisible format characters (taken out
# of every value on import by design), no surrounding spaces.
text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Cf", "Zl", "Zp")), max_size=20
).map(str.strip)
name = text.filter(bool)
tag = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Cf", "Zl", "Zp"),
                           blacklist_characters=";"),
    min_size=1, max_size=10,
).map(str.strip).filter(bool)  # fmt: skip
phone = st.sampled_from(
    ["+12125550101", "+442079460958", "+61285453391", "+4930123456", "555-CALL", "n/a",
     "+121282246341", "ext. 5", "=cmd()"]
)  # fmt: skip
when = st.integers(0, 10_000_000).map(lambda s: NOW + timedelta(seconds=s))
prospect = st.fixed_dictionaries(
    {"name": name},
    optional={
        "company": text.filter(bool),
        "phones": st.lists(phone, max_size=3, unique=True),
        "email": text.filter(bool),
        "website": text.filter(bool),
        "city": text.filter(bool),
        "region": text.filter(bool),
        "country": text.filter(bool),
        "timezone": st.sampled_from(["America/New_York", "Europe/Berlin", "Asia/Tokyo"]),
        "status": st.sampled_from(list(Status)),
        "priority": st.integers(1, 5),
        "tags": st.lists(tag, max_size=3, unique=True),
        "next_call_at": when,
        "next_objective": text.filter(bool),
    },
)


def fields_of(store: Store) -> list[dict]:
    return [{key: getattr(p, key) for key in FIELDS} for p in store.prospects()]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records=st.lists(prospect, min_size=1, max_size=6))
def test_any_book_exported_as_csv_and_imported_is_the_same_book(records) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        with Store.open(root / "a.db", clock=fixed_clock(NOW)) as book:
            book.add_prospects(records)
            out = io.StringIO()
            export.write_csv(book, "prospects", out)
            before = fields_of(book)
        path = root / "prospects.csv"
        path.write_text(out.getvalue(), "utf-8-sig")
        with Store.open(root / "b.db", clock=fixed_clock(NOW)) as fresh:
            report = import_file(fresh, path, ImportOptions(), CONFIG, load_templates(None))
            assert report.preset == "callbook"
            assert report.counts["merged"] == 0
            assert fields_of(fresh) == before


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records=st.lists(prospect, min_size=1, max_size=6))
def test_any_book_exported_as_json_and_restored_is_the_same_book(records) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        with Store.open(root / "a.db", clock=fixed_clock(NOW)) as book:
            book.add_prospects(records)
            out = io.StringIO()
            export.write_json(book, "all", out)
            with bulk.reading(book) as conn:
                before = {t: list(bulk.dump(conn, t)) for t in bulk.tables(conn)}
        data = out.getvalue().encode()
        with Store.open(root / "b.db", clock=fixed_clock(NOW)) as fresh:
            restore.restore_file(fresh, root / "x.json", data)
            with bulk.reading(fresh) as conn:
                after = {t: list(bulk.dump(conn, t)) for t in bulk.tables(conn)}
        assert after == before
