"""Recall: what queries find, in what order, how soon after a write, and that no query breaks it."""

from __future__ import annotations

import sqlite3
import unicodedata
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callbook.clock import fixed_clock
from callbook.jigsaw import TemplateSet, builtin_templates
from callbook.model import NewCall, NewContact, Outcome, Role
from callbook.search import Recall, RecallHit, index_in_step, parse_query, rebuild_index
from callbook.search import search as search_with
from callbook.store import Store

BUILTIN = TemplateSet(builtin_templates())


def search(store, query, **options):
    return search_with(store, query, templates=BUILTIN, **options)


NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)


def call(store: Store, prospect_id: int, days_ago: float, *, pieces=(), contacts=(), notes=None):
    ended = NOW - timedelta(days=days_ago)
    return store.record_call(
        NewCall(
            prospect_id,
            ended - timedelta(minutes=3),
            ended,
            Outcome.GATEKEEPER,
            pieces=tuple(pieces),
            contacts=tuple(contacts),
            notes=notes,
        )
    )


def fill(store: Store) -> dict[str, int]:
    """A small book with a story in it."""
    acme = store.add_prospect(
        "Acme Ltd", company="Acme Holdings", phones=["+14155550123"], city="Zürich", tags=["vip"]
    ).id
    globex = store.add_prospect("Globex GmbH", city="Berlin", phones=["+442079460958"]).id
    initech = store.add_prospect("Initech Inc", city="Austin").id
    call(
        store,
        acme,
        10,
        pieces=[("gatekeeper", "Sarah Jenkins"), ("dm_availability", "not Tuesdays")],
        contacts=[NewContact("Sarah Jenkins", Role.GATEKEEPER, phone="(415) 555-0199")],
        notes="We spoke to someone in March about the renewal. They use Salesforce.",
    )
    call(
        store,
        globex,
        5,
        pieces=[("gatekeeper", "Zoë Ó'Brien"), ("current_solution", "HubSpot")],
        contacts=[NewContact("Zoë Ó'Brien", Role.GATEKEEPER, email="zoe@globex.de")],
        notes="Müller is the one who signs; call after the board meets.",
    )
    call(
        store,
        initech,
        2,
        pieces=[("gatekeeper", "Sarah Novak"), ("direct_line", "020 7946 0000")],
        notes=(
            "Long call. " * 20
            + "The budget for the Salesforce replacement is 50k. "
            + "More words follow here. " * 10
        ),
    )
    return {"acme": acme, "globex": globex, "initech": initech}


@pytest.fixture
def book(tmp_path):
    store = Store.open(tmp_path / "book.db", clock=fixed_clock(NOW))
    ids = fill(store)
    yield store, ids
    store.close()


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """One book for the read-only tests (hypothesis runs many queries on it)."""
    store = Store.open(tmp_path_factory.mktemp("recall") / "book.db", clock=fixed_clock(NOW))
    ids = fill(store)
    recall = Recall(store)
    yield store, ids, recall
    recall.close()
    store.close()


def texts(hits: list[RecallHit]) -> list[str]:
    return [h.text for h in hits]


# --- what a query finds ----------------------------------------------------------------------

FINDS = [
    # typos
    ("tuesdy", "not Tuesdays"),
    ("jenkns", "Sarah Jenkins"),
    ("salesfroce", "We spoke to someone in March about the renewal. They use Salesforce."),
    ("hubspt", "HubSpot"),
    # prefixes, as the caller types
    ("tue", "not Tuesdays"),
    ("hub", "HubSpot"),
    ("renew", "We spoke to someone in March about the renewal. They use Salesforce."),
    # several words, all of them needed
    ("sarah nov", "Sarah Novak"),
    ("not tues", "not Tuesdays"),
    ("spoke march renewal", "We spoke to someone in March about the renewal. They use Salesforce."),
    # phone numbers, whatever their format
    ("415-555-0123", "Acme Ltd · Acme Holdings · Zürich · +14155550123 · #vip"),
    ("+1 (415) 555 0123", "Acme Ltd · Acme Holdings · Zürich · +14155550123 · #vip"),
    ("555 0123", "Acme Ltd · Acme Holdings · Zürich · +14155550123 · #vip"),
    ("4155550199", "Sarah Jenkins · (415) 555-0199"),
    ("020 7946 0958", "Globex GmbH · Berlin · +442079460958"),
    ("+44 20 7946 0000", "020 7946 0000"),
    # accents and apostrophes ignored
    ("zoe obrien", "Zoë Ó'Brien"),
    ("Zoe O'Brien", "Zoë Ó'Brien"),
    ("ZOË", "Zoë Ó'Brien"),
    ("obri", "Zoë Ó'Brien"),
    ("muller", "Müller is the one who signs; call after the board meets."),
    ("zurich", "Acme Ltd · Acme Holdings · Zürich · +14155550123 · #vip"),
    # prospects, contacts' email
    ("globex", "Globex GmbH · Berlin · +442079460958"),
    ("zoe@globex", "Zoë Ó'Brien · zoe@globex.de"),
]


@pytest.mark.parametrize(("query", "expected"), FINDS)
def test_query_finds(shared, query, expected):
    _, _, recall = shared
    assert expected in texts(recall.search(query, limit=5)), texts(recall.search(query))


def test_words_are_anded(shared):
    _, _, recall = shared
    assert sorted(texts(recall.search("sarah jen"))) == [
        "Sarah Jenkins",
        "Sarah Jenkins · (415) 555-0199",
    ]
    assert recall.search("sarah hubspot") == []


def test_decomposed_text_is_found_by_composed_query(book):
    store, ids = book
    call(store, ids["acme"], 1, pieces=[("pain", unicodedata.normalize("NFD", "Café Renée"))])
    assert [h.kind for h in search(store, "cafe renee")] == ["piece"]
    assert [h.kind for h in search(store, "Café")] == ["piece"]


def test_hit_describes_the_record(shared):
    store, ids, recall = shared
    (hit,) = recall.search("tuesdays")
    assert hit.prospect_id == ids["acme"]
    assert hit.prospect_name == "Acme Ltd"
    assert (hit.kind, hit.label, hit.text) == ("piece", "DM availability", "not Tuesdays")
    assert hit.learned_at == NOW - timedelta(days=10)
    assert hit.current and hit.score == 1.0
    assert store.pieces(ids["acme"])[1].id == hit.record_id
    note = recall.search("board meets")[0]
    assert (note.kind, note.label) == ("note", "note")
    contact = recall.search("zoe@globex")[0]
    assert (contact.kind, contact.label) == ("contact", "gatekeeper")
    prospect = recall.search("initech")[0]
    assert (prospect.kind, prospect.label, prospect.record_id) == (
        "prospect",
        "prospect",
        ids["initech"],
    )


def test_spans_mark_the_match_in_the_snippet(shared):
    _, _, recall = shared
    hit = recall.search("tue")[0]
    assert [hit.snippet[s:e] for s, e in hit.spans] == ["Tue"]
    hit = next(h for h in recall.search("zoe obrien") if h.kind == "piece")
    assert [hit.snippet[s:e] for s, e in hit.spans] == ["Zoë", "Ó'Brien"]
    hit = recall.search("555 0199")[0]
    assert [hit.snippet[s:e] for s, e in hit.spans] == ["555-0199"]
    hit = recall.search("jenkns")[0]
    assert [hit.snippet[s:e] for s, e in hit.spans] == ["Jenkins"]


def test_long_note_snippet_centres_on_the_match(shared):
    _, _, recall = shared
    hit = recall.search("budget replacement")[0]
    assert hit.kind == "note" and len(hit.text) > 300
    assert len(hit.snippet) < 110 and hit.snippet.startswith("…") and hit.snippet.endswith("…")
    assert [hit.snippet[s:e] for s, e in hit.spans] == ["budget", "replacement"]


# --- ranking ---------------------------------------------------------------------------------


def test_exact_beats_prefix_beats_typo(book):
    store, ids = book
    call(store, ids["acme"], 1, pieces=[("pain", "tomorrow only")])  # the newest
    call(store, ids["globex"], 3, pieces=[("pain", "tomas")])
    call(store, ids["initech"], 4, pieces=[("pain", "tom")])  # the oldest, but exact
    assert texts(search(store, "tom")) == ["tom", "tomorrow only", "tomas"]
    exact, typo = search(store, "tomas")[0], search(store, "tomsa")[0]  # "tomsa" begins no word
    assert exact.text == typo.text == "tomas"
    assert exact.score == 1.0 and typo.score < 0.5


def test_newer_beats_older(book):
    store, ids = book
    call(store, ids["acme"], 30, pieces=[("pain", "invoice chaos")])
    call(store, ids["globex"], 3, pieces=[("pain", "invoice delays")])
    assert texts(search(store, "invoice")) == ["invoice delays", "invoice chaos"]


def test_current_prospect_first_on_ties(book):
    store, ids = book
    call(store, ids["acme"], 1, pieces=[("pain", "shipping delays")])
    call(store, ids["globex"], 1, pieces=[("pain", "shipping costs")])
    hits = search(store, "shipping")
    assert [h.prospect_id for h in hits] == [ids["globex"], ids["acme"]]  # globex: newer id
    hits = search(store, "shipping", current_prospect_id=ids["acme"])
    assert [h.prospect_id for h in hits] == [ids["acme"], ids["globex"]]


def test_superseded_pieces_are_found_below_current_ones(book):
    store, ids = book
    call(store, ids["acme"], 1, pieces=[("gatekeeper", "Sarah Jenkinson")])
    hits = [h for h in search(store, "sarah jenk") if h.kind == "piece"]
    assert [(h.text, h.current) for h in hits] == [
        ("Sarah Jenkinson", True),
        ("Sarah Jenkins", False),
    ]
    # A better match still comes first, history or not.
    hits = [h for h in search(store, "sarah jenkins") if h.kind == "piece"]
    assert [(h.text, h.current) for h in hits] == [
        ("Sarah Jenkins", False),
        ("Sarah Jenkinson", True),
    ]


def test_limit(shared):
    _, _, recall = shared
    assert len(recall.search("a", limit=2)) == 2
    assert recall.search("sarah", limit=0) == []


# --- in step with the book -------------------------------------------------------------------


def test_findable_as_soon_as_committed(book):
    store, ids = book
    assert search(store, "wobblefrotz") == []
    call(store, ids["acme"], 0, notes="They mentioned the Wobblefrotz tender.")
    assert texts(search(store, "wobble")) == ["They mentioned the Wobblefrotz tender."]
    assert texts(search(store, "wobblefritz")) == ["They mentioned the Wobblefrotz tender."]
    store.add_contact(ids["globex"], NewContact("Quentin Zabrowski", Role.DECISION_MAKER))
    assert [h.kind for h in search(store, "zabrow")] == ["contact"]


def test_findable_after_a_write_by_another_connection(book):
    store, ids = book
    recall = Recall(store)
    assert recall.search("xylophone") == []
    with Store.open(store.path, clock=fixed_clock(NOW)) as other:
        call(other, ids["initech"], 0, pieces=[("pain", "Xylophone licensing")])
        other.add_prospect("Xyloco Ltd")
    assert texts(recall.search("xylo")) == ["Xyloco Ltd", "Xylophone licensing"]
    assert texts(recall.search("xylophnoe")) == ["Xylophone licensing"]
    recall.close()


def test_an_edit_is_findable_by_prefix_at_once(book):
    store, ids = book
    recall = Recall(store)
    assert recall.search("acme")  # the vocabulary is loaded
    store.update_prospect(ids["acme"], name="Zanzibar Traders")
    assert [h.text for h in recall.search("zanzi")] == [
        "Zanzibar Traders · Acme Holdings · Zürich · +14155550123 · #vip"
    ]
    # More edits than the log keeps between two searches: the vocabulary is read again.
    with store._write() as conn:
        for i in range(1100):
            conn.execute(
                "update prospects set city = ? where id = ?", (f"Qwerton{i}", ids["globex"])
            )
    assert [h.text for h in recall.search("qwert")] == ["Globex GmbH · Qwerton1099 · +442079460958"]
    recall.close()


def test_undone_is_not_found(book):
    store, ids = book
    done = call(
        store,
        ids["acme"],
        0,
        pieces=[("pain", "Quokka invasion")],
        contacts=[NewContact("Quincy Quokka", Role.USER)],
        notes="quokka everywhere",
    )
    assert len(search(store, "quokka")) == 3
    store.undo_call(done.id)
    assert search(store, "quokka") == []
    assert search(store, "quokka invasion") == []


def test_rebuild_and_in_step(book):
    store, ids = book
    assert index_in_step(store)
    with store._write() as conn:
        conn.execute("DROP TRIGGER recall_pieces_ai")
    call(store, ids["acme"], 0, pieces=[("pain", "unindexed words")])
    assert not index_in_step(store)
    rebuild_index(store)
    assert index_in_step(store)
    assert texts(search(store, "unindexed")) == ["unindexed words"]


def test_the_index_is_written_by_triggers_for_any_sqlite_client(book):
    store, ids = book
    conn = sqlite3.connect(store.path)
    conn.execute(
        "insert into pieces (prospect_id, slot, value, learned_at) "
        "values (?, 'pain', 'Raw SQL gremlins', '2026-11-27T10:00:00Z')",
        (ids["globex"],),
    )
    conn.commit()
    conn.close()
    assert texts(search(store, "gremlin")) == ["Raw SQL gremlins"]
    assert index_in_step(store)


def test_reads_through_a_connection_of_its_own(book):
    store, _ = book
    recall = Recall(store)
    assert recall._conn is not None and recall._conn is not store.conn
    recall.close()


# --- no query breaks it ----------------------------------------------------------------------

HOSTILE = [
    "",
    " ",
    "\t\n",
    '"',
    '""',
    "'",
    "*",
    "**",
    "-",
    "--",
    "AND",
    "OR",
    "NOT",
    "NEAR(",
    "NEAR(a b, 2)",
    "a AND",
    "a OR OR b",
    "(",
    ")",
    "^",
    ":",
    "text:",
    "recall:",
    "{a b}",
    "a*b",
    "\x00",
    "a\x00b",
    "\x1b[31m",
    "\u202e",
    "\ue000",
    "\U0001f600",
    "x" * 10_000,
    "sarah " * 2000,
    "1" * 500,
    "+++",
    "(((555)))",
    "0",
    "00000",
    "ǅ ß ﬁ Ｆｕｌｌ",
    "\u0870\u0871",
    "e\u0301\u0301\u0301",
    "'; DROP TABLE pieces; --",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_never_raise(shared, query):
    _, _, recall = shared
    hits = recall.search(query)
    assert isinstance(hits, list) and all(isinstance(h, RecallHit) for h in hits)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(query=st.text(alphabet=st.characters(codec="utf-8"), max_size=60))
def test_no_query_string_crashes(shared, query):
    _, _, recall = shared
    hits = recall.search(query)
    assert isinstance(hits, list)
    for hit in hits:
        assert all(0 <= s < e <= len(hit.snippet) for s, e in hit.spans)


@settings(max_examples=200, deadline=None)
@given(query=st.text(alphabet=st.sampled_from('ab "*-()^:+\x00\t'), max_size=30))
def test_operator_soup_never_crashes(shared, query):
    _, _, recall = shared
    assert isinstance(recall.search(query), list)


def test_parse_query_merges_phone_words_and_folds():
    assert [(w.text, w.numeric) for w in parse_query("+1 (415) 555-0123 Zoë O'Brien")] == [
        ("14155550123", True),
        ("zoe", False),
        ("obrien", False),
    ]
    assert [w.text for w in parse_query("020 7946")][0] == "0207946"
    assert parse_query("020 7946")[0].alternatives == ("207946",)
    assert parse_query('"* AND -') == [parse_query("and")[0]]


# --- short words: one edit from 3 letters ------------------------------------------------------


def test_a_short_name_typed_with_a_slip_finds_the_person(book):
    store, ids = book
    call(store, ids["acme"], 2, pieces=[("gatekeeper", "Anna Kowalski")])
    call(store, ids["globex"], 3, pieces=[("gatekeeper", "Nils Berg")])
    # "ana" and "nis" begin other words in the book: still the names are found
    call(store, ids["initech"], 1, notes="Analytics team; Nissan fleet; annual review")
    assert "Anna Kowalski" in texts(search(store, "ana"))
    assert "Nils Berg" in texts(search(store, "nis"))
    assert texts(search(store, "ana kowalsky"))[0] == "Anna Kowalski"
    assert texts(search(store, "nsl brg"))[0] == "Nils Berg"  # both words misspelt


def test_exact_and_prefix_hits_stay_above_a_short_words_typos(book):
    store, ids = book
    call(store, ids["acme"], 5, pieces=[("gatekeeper", "Ana Lopez")])  # exact, older
    call(store, ids["globex"], 1, pieces=[("gatekeeper", "Anna Kowalski")])  # a typo away
    call(store, ids["initech"], 3, notes="Analytics team has the budget")  # "ana" begins it
    found = texts(search(store, "ana"))
    assert found.index("Ana Lopez") < found.index(
        "Analytics team has the budget"
    ) < found.index("Anna Kowalski")
    exact, typo = search(store, "ana")[0], next(
        h for h in search(store, "ana") if h.text == "Anna Kowalski"
    )
    assert exact.score == 1.0 and typo.score < 0.5


def test_two_letters_get_no_typos(book):
    store, ids = book
    call(store, ids["acme"], 2, pieces=[("gatekeeper", "Al Kowalski")])
    assert "Al Kowalski" not in texts(search(store, "ak"))
