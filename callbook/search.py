"""Recall: find any past piece, note, contact or prospect from a few typed characters.

Design, chosen by measuring (`benchmarks/bench_search.py`, 2 cores, books of 10k-1M records):

- One contentless FTS5 index (`store/recall.py`: unicode61 without diacritics, detail=none,
  kept by triggers) stores terms and rowids only: ~30% of the file, where a trigram index is
  ~3x the text. Rowids sort by when a record was learned, so `ORDER BY rowid DESC LIMIT n`
  reads the newest matches of every kind and stops.
- FTS5's own prefix queries merge every matching term's postings before the LIMIT applies
  (230 ms for "s*" at 1M). So a typed prefix is expanded against the index's vocabulary (read
  once through fts5vocab, kept in memory, topped up from new and edited records) into its most
  frequent whole terms, ORed: those stream newest-first in about a millisecond.
- Typos, only when exact words and prefixes find too few: words of 3+ letters are compared
  with vocabulary prefixes of about their length by rapidfuzz's OSA distance (a swap is one
  edit; one edit up to 6 letters, two from 7) in `cdist`, which releases the GIL; the closest
  terms join the query. A word of 3-4 letters begins many terms ("ana": analytics), so its
  typos are tried even then, as whole words only ("ana" is Anna); in a query of several words,
  each whole-word typo of a word that begins no term is also searched on its own beside the
  other words, so that a frequent correction ("com" for "aom") cannot crowd out the one meant.
- About 60 candidates are ranked in Python: match quality (whole word > prefix > typo, the
  closest typo first; superseded pieces below current ones), then the day learned, then the
  current prospect, then newest. Phone numbers are indexed as digit suffixes, so any tail of a
  number, in any format, matches.

`search()` may run in a worker thread: each `Recall` reads through its own read-only connection.
"""

from __future__ import annotations

import bisect
import heapq
import re
import sqlite3
import threading
import unicodedata
import weakref
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING

from rapidfuzz.distance import OSA

from callbook.jigsaw import TemplateSet, builtin_templates
from callbook.model import Role
from callbook.store import recall as index
from callbook.store.db import StoreError
from callbook.store.rows import from_db_time, from_json_list

if TYPE_CHECKING:
    from callbook.store import Store

KINDS = ("piece", "note", "contact", "prospect")
MAX_QUERY_CHARS = 256  # longer queries are cut: nobody types more mid-call
MAX_WORDS = 8
CANDIDATES = 60  # rows read from the index per stage (at least; 3x the hits asked for)
SNIPPET_CHARS = 96
TYPO_MIN_LENGTH = 3  # one edit from 3 letters ("Ana" finds Anna, "Nis" Nils)
SHORT = 4  # words up to this long get their typos tried even when they begin some terms
EXPANSIONS = 24  # index terms a typed prefix stands for, most frequent first
MAX_CORRECTIONS = 12  # vocabulary prefixes tried per misspelt word
TYPO_TERMS = 12  # index terms each of those stands for
MAX_TYPO_TERMS = 16  # of which the closest are searched

# grades of one query word against one record
EXACT, PREFIX, UNSEEN = 3.0, 2.0, 0.25
TYPO = {1: 1.0, 2: 0.5}
WHOLE_TYPO = 0.2  # a typo'd whole word: still below any prefix match
COMMON_SHARE = 0.05  # of the most frequent term's documents: a whole-word typo this common is
# left out of the precise search (it would crowd the candidates)


@dataclass(frozen=True)
class RecallHit:
    """One thing recall found. `spans` are (start, end) offsets into `snippet` to highlight."""

    prospect_id: int
    prospect_name: str
    kind: str  # piece | note | contact | prospect
    label: str  # the slot's label, "note", the contact's role, or "prospect"
    text: str
    snippet: str
    spans: tuple[tuple[int, int], ...]
    learned_at: datetime | None
    record_id: int
    score: float  # match quality, 0..1
    current: bool = True  # False for a piece a newer one superseded


# --- folding text the way the index's tokenizer does -------------------------------------------


def _fold_char(ch: str) -> str | None:
    """What unicode61 (remove_diacritics 2) makes of one character: None for a separator."""
    cat = unicodedata.category(ch)
    if cat[0] in "LN":
        low = ch.lower()
        if len(low) != 1:
            low = ch
        code = ord(ch)
        # unicode61 strips diacritics from Latin letters only
        if code < 0x250 or 0x1E00 <= code < 0x1F00:
            base = "".join(
                c for c in unicodedata.normalize("NFD", low) if not unicodedata.combining(c)
            )
            if len(base) == 1:
                return base
        return low
    if 0x300 <= ord(ch) < 0x370:
        return ""  # a combining diacritic (decomposed text): folded away, word continues
    return None


def _build_fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in [*range(0x80, 0x530), *range(0x1E00, 0x1F00)]:
        ch = chr(code)
        folded = _fold_char(ch)
        if folded is not None and folded != ch:
            table[code] = folded
    return table


_FOLD = _build_fold_table()
_TOKEN = re.compile(r"[^\W_]+")
_JOINED = re.compile(r"(?<![^\W_])[^\W_]++(?:['’][^\W_]++)+")  # words with apostrophes
_APOSTROPHES = str.maketrans("", "", "'’")
_PHONE_WORD = re.compile(r"[+(]*\d[\d().\-/+]*")
_NOT_DIGIT = re.compile(r"\D")


_NON_ASCII = re.compile("[^\x00-\x7f]+")


def fold(text: str) -> str:
    """Lower case without diacritics, like the index (fast; offsets may shift)."""
    lowered = text.lower()
    if lowered.isascii():
        return lowered
    # str.translate is slow on non-ASCII strings: translate only the non-ASCII runs.
    return _NON_ASCII.sub(lambda m: m.group().translate(_FOLD), lowered)


def _terms_of(text: str) -> set[str]:
    folded = fold(text)
    found = set(_TOKEN.findall(folded))
    if "'" in folded or "’" in folded:
        found.update(m.translate(_APOSTROPHES) for m in _JOINED.findall(folded))
    return found


_COMBINING = re.compile("[\u0300-\u036f]")
_FOLD_ONE = {k: v for k, v in _FOLD.items() if len(v) == 1}


def _folded_with_offsets(text: str) -> tuple[str, list[int] | None]:
    """The folded text and, for each of its characters, the offset in `text` it came from
    (None when they are the same offsets: the usual case)."""
    if text.isascii():
        return text.lower(), None
    lowered = text.lower()
    if len(lowered) == len(text) and not _COMBINING.search(text):
        return _NON_ASCII.sub(lambda m: m.group().translate(_FOLD_ONE), lowered), None
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        folded = _fold_char(ch)
        if folded is None:
            folded = ch  # a separator stays itself (apostrophes join words below)
        out.append(folded)
        where.extend([i] * len(folded))
    return "".join(out), where


# --- the query -----------------------------------------------------------------------------


@dataclass
class _Word:
    """One query word and the index terms that satisfy it."""

    text: str  # folded
    numeric: bool = False  # a phone number or part of one (digits only)
    alternatives: tuple[str, ...] = ()  # other prefixes that satisfy it (digits without 0s)
    terms: list[tuple[str, bool]] = field(default_factory=list)  # (term, as FTS5 prefix)
    typos: dict[str, int] = field(default_factory=dict)  # vocabulary prefix -> edits
    whole_typos: list[str] = field(default_factory=list)  # terms that are the word misspelt
    rare: dict[str, int] = field(default_factory=dict)  # whole typo -> its rank, rarest highest

    @property
    def typo_budget(self) -> int:
        if self.numeric or len(self.text) < TYPO_MIN_LENGTH or not self.text.isalpha():
            return 0
        return min((len(self.text) + 1) // 4, 2)  # ~one edit per 4 letters: 4-6 one, 7+ two

    def plan(self, vocab: _Vocabulary) -> None:
        """Choose the index terms: the word itself as a whole term, then the vocabulary's
        terms it begins (most frequent first). Words the vocabulary does not cover (digits,
        scripts it has no terms for) use FTS5's own prefix search from 3 characters on."""
        heads = (self.text, *self.alternatives)
        if not self.numeric and vocab.covers(self.text):
            self.terms = [(self.text, False)] + [(t, False) for t in vocab.expand(self.text)]
        else:
            self.terms = [(h, len(h) >= 3) for h in heads]

    def add_typos(self, vocab: _Vocabulary, *, whole_only: bool = False) -> bool:
        """Add the terms the word may have been meant as: those the closest corrections
        begin, the closest first. Few and close, so that the newest-first candidates are
        mostly the likely meanings. `whole_only`: just the terms that are the whole word
        misspelt (for a short word that also begins real terms: "ana" is Anna, not
        Anniversary)."""
        budget = self.typo_budget
        corrections = vocab.corrections(self.text, budget)
        self.typos = dict(corrections)
        edits: dict[str, int] = {}
        for prefix, e in corrections:
            for term in vocab.expand(prefix, TYPO_TERMS):
                edits[term] = min(e, edits.get(term, e))
        if whole_only:
            edits = {
                t: e
                for t, e in edits.items()
                if OSA.distance(self.text, t, score_cutoff=budget) <= budget
            }
            self.typos = dict(edits)
        first = self.text[0]


        def likely(term: str) -> tuple:
            # A whole word within the budget first ("moar" is Omar before Moorcroft): short
            # words have many corrected prefixes, and the typed word is mostly a whole one.
            closeness = OSA.normalized_similarity(self.text, term)
            whole = OSA.distance(self.text, term, score_cutoff=budget) <= budget
            return (edits[term], not whole, term[0] != first, -closeness, term)

        extra = sorted(edits, key=likely)[:MAX_TYPO_TERMS]
        self.terms += [(t, False) for t in extra]
        whole = [t for t in extra if OSA.distance(self.text, t, score_cutoff=budget) <= budget]
        # Not the words in a good share of all documents ("com" in every email, for "aom"):
        # newest first, they would crowd the meant one ("tom") out of the candidates.
        common = vocab.most_docs() * COMMON_SHARE
        self.whole_typos = [t for t in whole if vocab.count(t) <= common]
        # Between whole words as close, the rarer ranks first (a name over "com").
        self.rare = {t: i for i, t in enumerate(sorted(whole, key=vocab.count, reverse=True), 1)}
        return bool(extra)

    def precise_terms(self) -> list[tuple[str, bool]]:
        """The word's terms without the longer words a corrected prefix begins: when typos
        were added, the word itself and the whole words it may be misspelt from."""
        if not self.whole_typos:
            return self.terms
        return [(self.text, False)] + [(t, False) for t in self.whole_typos]


@lru_cache(maxsize=4096)
def _is_token_char(ch: str) -> bool:
    """Whether SQLite's tokenizer keeps `ch` inside a word (its Unicode tables are older than
    Python's: a letter it does not know would split a word into a phrase, which detail=none
    refuses)."""
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute(f'CREATE VIRTUAL TABLE p USING fts5(t, tokenize="{index.TOKENIZE}")')
        conn.execute("CREATE VIRTUAL TABLE v USING fts5vocab(p, instance)")
        conn.execute("INSERT INTO p (t) VALUES (?)", (f"a{ch}a",))
        return conn.execute("SELECT count(*) FROM v").fetchone()[0] == 1
    finally:
        conn.close()


def _clean_term(term: str) -> str:
    return "".join(c for c in term if c.isalnum() and (c.isascii() or _is_token_char(c)))


def parse_query(query: str) -> list[_Word]:
    """The words of a query: folded terms, runs of phone-number words merged into digits."""
    words: list[_Word] = []
    digits = ""

    def flush() -> None:
        nonlocal digits
        if digits:
            # The same number written nationally: without the trunk 0 ("020 7946" is stored
            # "+44 20 7946"), or, typed with a country code, its last 10 or 9 digits.
            alternatives = [digits.lstrip("0")]
            if len(digits) > 10:
                alternatives += [digits[-10:], digits[-9:]]
            alternatives = [a for a in dict.fromkeys(alternatives) if a and a != digits]
            words.append(_Word(digits, numeric=True, alternatives=tuple(alternatives)))
            digits = ""

    for raw in query[:MAX_QUERY_CHARS].split():
        if _PHONE_WORD.fullmatch(raw):
            digits += _NOT_DIGIT.sub("", raw)
            continue
        flush()
        folded = fold(raw)
        parts = [m.translate(_APOSTROPHES) for m in _JOINED.findall(folded)]
        parts += _TOKEN.findall(_JOINED.sub(" ", folded))
        for part in parts:
            term = _clean_term(part)
            if term:
                words.append(_Word(term))
    flush()
    unique: dict[str, _Word] = {}
    for word in words:
        unique.setdefault(word.text, word)
    return list(unique.values())[:MAX_WORDS]


# --- the vocabulary ------------------------------------------------------------------------


class _Vocabulary:
    """The index's terms that start with a letter, sorted, with their document counts: what
    prefixes expand to, and what typos are corrected against."""

    FIRST, LAST = "a", chr(index.MARK_CODEPOINT)  # the range of terms it holds

    def __init__(self, pairs: list[tuple[str, int]]) -> None:
        pairs = sorted(pairs)
        self.terms = [t for t, _ in pairs]
        self.docs = [d for _, d in pairs]
        self._expanded: dict[str, list[str]] = {}
        self._buckets: dict[tuple[int, str, int], list[str]] = {}
        self._by_second: dict[str, list[str]] | None = None
        self._most: int | None = None

    def covers(self, word: str) -> bool:
        return self.FIRST <= word[0] < self.LAST

    def add(self, words: set[str]) -> None:
        new = sorted(w for w in words if self.covers(w) and not self.has(w))
        if not new:
            return
        for word in new:
            i = bisect.bisect_left(self.terms, word)
            self.terms.insert(i, word)
            self.docs.insert(i, 1)
        self._expanded.clear()
        keys = {(0, w[0]) for w in new} | {(1, w[1]) for w in new if len(w) > 1}
        self._buckets = {k: v for k, v in self._buckets.items() if k[:2] not in keys}
        if self._by_second is not None:
            for word in new:
                if len(word) > 1:
                    self._by_second.setdefault(word[1], []).append(word)

    def _range(self, prefix: str) -> tuple[int, int]:
        lo = bisect.bisect_left(self.terms, prefix)
        return lo, bisect.bisect_left(self.terms, prefix + "\U0010ffff", lo)

    def most_docs(self) -> int:
        """Documents holding the most frequent term."""
        if self._most is None:
            self._most = max(self.docs, default=0)
        return self._most

    def count(self, word: str) -> int:
        """Documents holding the term (0 when it is not one)."""
        i = bisect.bisect_left(self.terms, word)
        return self.docs[i] if i < len(self.terms) and self.terms[i] == word else 0

    def has(self, word: str) -> bool:
        i = bisect.bisect_left(self.terms, word)
        return i < len(self.terms) and self.terms[i] == word

    def has_prefix(self, prefix: str) -> bool:
        lo, hi = self._range(prefix)
        return hi > lo

    def expand(self, prefix: str, limit: int = EXPANSIONS) -> list[str]:
        """Terms beginning with `prefix`, the `limit` most frequent (all, when few)."""
        key = f"{limit}:{prefix}"
        found = self._expanded.get(key)
        if found is None:
            lo, hi = self._range(prefix)
            if hi - lo > limit:
                chosen = heapq.nlargest(limit, range(lo, hi), key=self.docs.__getitem__)
                found = [self.terms[i] for i in sorted(chosen)]
            else:
                found = self.terms[lo:hi]
            if len(self._expanded) > 4096:
                self._expanded.clear()
            self._expanded[key] = found
        return found

    def _bucket(self, position: int, ch: str, length: int) -> list[str]:
        """Distinct `length`-letter prefixes of the terms with `ch` at `position` (0 or 1)."""
        key = (position, ch, length)
        found = self._buckets.get(key)
        if found is None:
            if position == 0:
                lo, hi = self._range(ch)
                pool = self.terms[lo:hi]
            else:
                if self._by_second is None:
                    self._by_second = {}
                    for t in self.terms:
                        if len(t) > 1:
                            self._by_second.setdefault(t[1], []).append(t)
                pool = self._by_second.get(ch, [])
            found = list(dict.fromkeys(t[:length] for t in pool if len(t) >= length))
            self._buckets[key] = found
        return found

    def corrections(self, word: str, budget: int) -> list[tuple[str, int]]:
        """Vocabulary prefixes within `budget` edits of `word` (OSA: a swap is one edit),
        fewest edits first. Candidates share the word's first or second letter in either of
        those places, which keeps the comparison to a few thousand prefixes and still catches
        a wrong, missing, extra or swapped first letter."""
        from rapidfuzz.process import cdist

        n = len(word)
        keys = {(0, word[0]), (0, word[1]), (1, word[1]), (1, word[0])}
        choices: list[str] = []
        for length in range(max(3, n - budget), n + budget + 1):
            for position, ch in keys:
                choices += self._bucket(position, ch, length)
        if not choices:
            return []
        scores = cdist([word], choices, scorer=OSA.distance, score_cutoff=budget, workers=1)[0]
        found: dict[str, int] = {}
        for i in (scores <= budget).nonzero()[0]:
            found[choices[i]] = int(scores[i])
        found = {p: e for p, e in found.items() if not p.startswith(word)}
        # Fewest edits, then whole terms (a short word is mostly typed whole: "ven" is Sven
        # before any 3-letter prefix), then those keeping the first letter, then the length
        # typed (a shorter prefix mostly means a dropped ending).
        best = sorted(
            found,
            key=lambda p: (
                found[p], not self.has(p), p[0] != word[0], abs(len(p) - n), len(p) < n, p
            ),
        )
        return [(p, found[p]) for p in best[:MAX_CORRECTIONS]]


# --- ranking ---------------------------------------------------------------------------------


def _either(items) -> str:
    """A regex alternation of literal strings, longest first (never empty)."""
    return "|".join(map(re.escape, sorted(set(items), key=len, reverse=True))) or "(?!)"


_WORD_START = r"(?<![^\W_])"
_WORD_END = r"(?![^\W_])"


@dataclass
class _Grader:
    """How well one query word matches a record's folded text, by regex (C speed)."""

    word: _Word
    exact: re.Pattern[str]
    prefix: re.Pattern[str]
    typo: re.Pattern[str] | None

    @classmethod
    def of(cls, word: _Word) -> _Grader:
        heads = (word.text, *word.alternatives)
        return cls(
            word,
            re.compile(_WORD_START + re.escape(word.text) + _WORD_END),
            re.compile(_WORD_START + f"(?:{_either(heads)})"),
            re.compile(_WORD_START + rf"(?:{_either(word.typos)})[^\W_]*") if word.typos else None,
        )

    def grade(self, folded: str, digits: str) -> float:
        word = self.word
        if self.exact.search(folded):
            return EXACT
        if self.prefix.search(folded):
            return PREFIX
        if word.numeric and any(h in digits for h in (word.text, *word.alternatives)):
            return PREFIX
        best = 0.0
        budget = word.typo_budget
        if self.typo is not None:
            for token in self.typo.findall(folded):
                edits = min(e for p, e in word.typos.items() if token.startswith(p))
                # Among typo matches: the word most like what was typed (a swap is one edit),
                # then one that keeps the first letter (people seldom miss that one).
                closeness = OSA.normalized_similarity(word.text, token)
                same_start = token[:1] == word.text[:1]
                # A whole word within the budget ("tom" for "uom") above a longer word that
                # only begins like a correction ("company" from "com").
                whole = OSA.distance(word.text, token, score_cutoff=budget) <= budget
                grade = TYPO.get(edits, 0.5) + 0.2 * closeness + 0.05 * same_start
                # then, between whole words as close, the rarer (a name over "com")
                rare = 0.01 * min(word.rare.get(token, 0), 4)
                best = max(best, grade + (WHOLE_TYPO + rare) * whole)
        return best or UNSEEN


@dataclass
class _Candidate:
    rowid: int
    record: index.Record
    label: str
    text: str
    quality: float = 0.0


def _candidate(rowid: int, record: index.Record, templates: TemplateSet) -> _Candidate:
    """The record as search shows it, by its kind's declaration (`index.DOCUMENTS`)."""
    doc = index.BY_KIND[record.kind]
    if len(doc.shows) == 1 and doc.shows[0].read == "plain":
        text = record.fields[0] or ""  # a piece's value, a call's notes: shown as they are
    else:
        parts: list[str | None] = []
        for shown, value in zip(doc.shows, record.fields, strict=True):
            if shown.read == "plain":
                parts.append(value)
            else:
                listed = from_json_list(value)
                parts += [f"#{v}" for v in listed] if shown.read == "tags" else listed
        text = " · ".join(p for p in parts if p)
    return _Candidate(rowid, record, _label(doc, record, templates), text)


def _label(doc: index.Document, record: index.Record, templates: TemplateSet) -> str:
    """"note", "prospect"; a piece's slot label in its prospect's template; a role."""
    value = record.slot or ""
    if doc.label == "slot":
        slot = templates.get(record.template).slot(value)
        return slot.label if slot else value.replace("_", " ")
    if doc.label == "role":
        try:
            return Role(value).label
        except ValueError:
            return value.replace("_", " ")
    return doc.label


@lru_cache(maxsize=256)
def _highlighter(heads: tuple[str, ...], typos: tuple[str, ...]) -> re.Pattern[str]:
    """Matches, at the start of a word, a typed prefix or a word a typo stands for."""
    return re.compile(_WORD_START + rf"(?:{_either(heads)}|(?:{_either(typos)})[^\W_]*)")


def _spans(text: str, words: list[_Word]) -> list[tuple[int, int]]:
    """Where the query's words match in `text` (offsets into `text`), merged."""
    folded, where = _folded_with_offsets(text)
    if where is None:
        where = range(len(folded))
    heads = tuple(h for w in words for h in (w.text, *w.alternatives))
    typos = tuple(p for w in words for p in w.typos)
    spans = [
        (where[m.start()], where[m.end() - 1] + 1)
        for m in _highlighter(heads, typos).finditer(folded)
    ]
    if "'" in folded or "’" in folded:
        # "Ó'Brien" is the word "obrien" too: a match across the apostrophe lights it all.
        for m in _JOINED.finditer(folded):
            token = m.group().translate(_APOSTROPHES)
            if token.startswith(heads) or (typos and token.startswith(typos)):
                spans.append((where[m.start()], where[m.end() - 1] + 1))
    for word in words:
        if word.numeric:
            spans += _digit_spans(text, word)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _digit_spans(text: str, word: _Word) -> list[tuple[int, int]]:
    positions = [i for i, ch in enumerate(text) if ch.isdigit()]
    digits = "".join(text[i] for i in positions)
    for head in (word.text, *word.alternatives):
        at = digits.find(head)
        if at >= 0:
            return [(positions[at], positions[at + len(head) - 1] + 1)]
    return []


_BLANKS = re.compile(r"[\x00-\x1f\x7f\s]")


def _snippet(text: str, spans: list[tuple[int, int]]) -> tuple[str, tuple[tuple[int, int], ...]]:
    """One line of at most about SNIPPET_CHARS around the first match, spans moved with it."""
    text = _BLANKS.sub(" ", text)  # one for one: offsets hold
    if len(text) <= SNIPPET_CHARS:
        return text, tuple(spans)
    first = spans[0][0] if spans else 0
    start = max(0, first - SNIPPET_CHARS // 3)
    if start:
        space = text.rfind(" ", 0, start + 1)
        start = space + 1 if space >= 0 and first - space < SNIPPET_CHARS // 2 else start
    end = min(len(text), start + SNIPPET_CHARS)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > first else end
    prefix = "…" if start else ""
    suffix = "…" if end < len(text) else ""
    shift = len(prefix) - start
    kept = tuple(
        (max(s, start) + shift, min(e, end) + shift) for s, e in spans if s < end and e > start
    )
    return prefix + text[start:end] + suffix, kept


# --- the search ------------------------------------------------------------------------------


class Recall:
    """Search over one book. Thread-safe; opens its own read-only connection when it can."""

    def __init__(self, store: Store, templates: TemplateSet | None = None) -> None:
        self.store = store
        self.templates = templates or TemplateSet(builtin_templates())
        self._lock = threading.Lock()
        self._vocab: _Vocabulary | None = None
        self._seen: dict[str, int] = {}
        self._version: int | None = None
        try:
            self._conn: sqlite3.Connection | None = index.open_reader(store.path)
        except sqlite3.Error:
            self._conn = None  # read through the Store's connection, under its lock

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def _run(self, work):
        """Run `work(conn)` on the reader (or the Store's connection), as StoreError on trouble."""
        with self._lock:
            try:
                if self._conn is not None:
                    return work(self._conn)
                with self.store._lock:
                    return work(self.store.conn)
            except sqlite3.Error as exc:
                raise StoreError(f"recall: {exc}") from None

    def prepare(self) -> None:
        """Load the vocabulary now (else the first search does): for a worker at start-up."""
        self._run(self._vocabulary)

    def refresh(self) -> None:
        """Reread the vocabulary from the index, catching words that edits brought in."""
        with self._lock:
            self._vocab = None
        self.prepare()

    def _vocabulary(self, conn: sqlite3.Connection) -> _Vocabulary:
        if self._conn is None:
            conn.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{index.TABLE}_terms "
                f"USING fts5vocab(main, {index.TABLE}, row)"
            )
        version = index.data_version(conn)
        if self._vocab is None:
            self._seen = index.seen_now(conn)
            self._vocab = _Vocabulary(index.words(conn))
        elif version != self._version or self._conn is None:
            # (The Store's own connection does not see its own commits in data_version.)
            texts, self._seen = index.changed_texts(conn, self._seen)
            if texts is None:
                self._vocab = _Vocabulary(index.words(conn))
            elif texts:
                self._vocab.add(set().union(*map(_terms_of, texts)))
        self._version = version
        return self._vocab

    def search(
        self,
        query: str,
        *,
        limit: int = 20,
        current_prospect_id: int | None = None,
        templates: TemplateSet | None = None,
    ) -> list[RecallHit]:
        """The best `limit` records for `query`, best first; pieces labelled by `templates`
        (else the ones this Recall was made with). Never raises for any query text."""
        if not isinstance(query, str) or limit <= 0:
            return []
        words = parse_query(query)
        if not words:
            return []
        labels = templates or self.templates
        return self._run(
            lambda conn: self._search(conn, words, limit, current_prospect_id, labels)
        )

    def _search(
        self,
        conn: sqlite3.Connection,
        words: list[_Word],
        limit: int,
        current: int | None,
        templates: TemplateSet,
    ) -> list[RecallHit]:
        vocab = self._vocabulary(conn)
        for word in words:
            word.plan(vocab)
        found: dict[int, _Candidate] = {}
        pool = max(CANDIDATES, 3 * limit)

        def gather(groups: list[list[tuple[str, bool]]], size: int = pool) -> int:
            expression = index.expression(groups)
            if expression is None:
                return 0
            rowids = index.match(conn, expression, size)
            fresh = [r for r in rowids if r not in found]
            for rowid, record in index.fetch(conn, fresh).items():
                found[rowid] = _candidate(rowid, record, templates)
            return len(rowids)

        # Whole words first: when enough match, prefixes could only rank below them. A stage
        # that the vocabulary shows cannot match (an AND over a word no term has) is skipped.
        def possible(word: _Word, whole: bool) -> bool:
            if word.numeric or not vocab.covers(word.text):
                return not whole
            return vocab.has(word.text) if whole else vocab.has_prefix(word.text)

        if all(possible(w, whole=True) for w in words):
            gather([[(w.text, False)] for w in words])
        if len(found) < limit and all(possible(w, whole=False) for w in words):
            gather([w.terms for w in words])
        if len(found) < limit:
            # Too few: typos. Words that begin no term are the likeliest slips; a word of 3-4
            # letters begins many terms ("ana": analytics) and is tried too, as the whole words
            # it may be misspelt from only ("ana" is Anna); the rest only when nothing at all
            # was found.
            unknown = [w for w in words if w.typo_budget and not vocab.has_prefix(w.text)]
            short = [
                w for w in words if w.typo_budget and w not in unknown and len(w.text) <= SHORT
            ]
            known = [w for w in words if w.typo_budget and w not in unknown and w not in short]
            slips = [w for w in unknown if w.add_typos(vocab)]
            slips += [w for w in short if w.add_typos(vocab, whole_only=True)]
            searchable = all(len(w.terms) > 1 or possible(w, whole=False) for w in words)
            if slips and searchable:
                if len(words) > 1:
                    # The whole words misspelt, every word at once, first: the newest-first
                    # pool of every correction's longer words could leave the one meant out.
                    gather([w.precise_terms() for w in words])
                # Then the longer words the corrections begin, unless the whole words filled
                # the places (those rank above them). A short word's whole-word typos rank below
                # every hit already found: when they are all there is, the few newest fill the
                # places left.
                if len(found) < limit:
                    gather([w.terms for w in words], pool if unknown else limit)
            if known and not found and any([w.add_typos(vocab) for w in known]):
                if all(len(w.terms) > 1 or possible(w, whole=False) for w in words):
                    gather([w.terms for w in words])
        return self._rank(list(found.values()), words, limit, current)

    def _rank(
        self, found: list[_Candidate], words: list[_Word], limit: int, current: int | None
    ) -> list[RecallHit]:
        numeric = any(w.numeric for w in words)
        graders = [_Grader.of(w) for w in words]
        for cand in found:
            record = cand.record
            # What the index holds for it: the slot (and its label) or role with the text.
            extra = f"{cand.label} {record.slot} " if record.slot else ""
            folded = fold(extra + cand.text)
            if "'" in folded or "’" in folded:
                folded += " " + folded.translate(_APOSTROPHES)  # "o'brien" is "obrien" too
            digits = _NOT_DIGIT.sub("", cand.text) if numeric else ""
            cand.quality = sum(g.grade(folded, digits) for g in graders)

        def key(c: _Candidate):
            learned = c.rowid >> index.TIME_SHIFT  # seconds since the epoch
            return (
                -c.quality,
                c.record.superseded,
                -(learned // 86400),
                c.record.prospect_id != current,
                -c.rowid,
            )

        best = sorted(found, key=key)[:limit]
        top = EXACT * len(words)
        return [self._hit(c, words, top) for c in best]

    def _hit(self, cand: _Candidate, words: list[_Word], top: float) -> RecallHit:
        record = cand.record
        snippet, spans = _snippet(cand.text, _spans(cand.text, words))
        try:
            learned = from_db_time(record.when)
        except ValueError:
            learned = None
        return RecallHit(
            prospect_id=record.prospect_id,
            prospect_name=record.prospect_name,
            kind=KINDS[record.kind],
            label=cand.label,
            text=cand.text,
            snippet=snippet,
            spans=spans,
            learned_at=learned,
            record_id=record.id,
            score=round(min(cand.quality / top, 1.0), 3),
            current=not record.superseded,
        )


# --- one Recall per open Store ---------------------------------------------------------------
# A cache of readers and vocabularies, nothing more: which labels a search shows is the caller's
# to say (`templates=` on every search).

_RECALLS: weakref.WeakKeyDictionary[Store, Recall] = weakref.WeakKeyDictionary()
_RECALLS_LOCK = threading.Lock()


def recall_for(store: Store) -> Recall:
    """The Recall kept for `store`: its reader and vocabulary, made on first use and dropped
    with the Store."""
    with _RECALLS_LOCK:
        found = _RECALLS.get(store)
        if found is None:
            found = _RECALLS[store] = Recall(store)
        return found


def search(
    store: Store,
    query: str,
    *,
    templates: TemplateSet,
    limit: int = 20,
    current_prospect_id: int | None = None,
) -> list[RecallHit]:
    """Search the book behind `store`, pieces labelled by `templates`; see `Recall.search`."""
    return recall_for(store).search(
        query, limit=limit, current_prospect_id=current_prospect_id, templates=templates
    )


def rebuild_index(store: Store) -> None:
    """Recreate the recall index and its triggers from the book, in one write transaction."""
    with store._write() as conn:
        index.rebuild(conn)


def index_in_step(store: Store) -> bool:
    """Whether the recall index holds exactly the book's findable records (reads it all)."""
    with store._write() as conn:
        return index.in_step(conn)
