"""Is a name typed during a call someone the book knows? "Lukas", "Luke", "LP" and "Lucas"
are Lukas Patel; "Lukas Patel" is the "Lukas" already known, with his surname learned.

Pure: it compares names with names. The store asks it before adding a contact, so that a known
person typed by first name is that person: no second contact, no superseded piece, no win.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

# Common short forms, both ways. Kept small: a wrong match merges two people.
_NICKNAMES = {
    "alex": ("alexander", "alexandra", "alexis"), "andy": ("andrew",), "ben": ("benjamin",),
    "bill": ("william",), "bob": ("robert",), "bobby": ("robert",), "cathy": ("catherine",),
    "chris": ("christopher", "christine", "christina"), "dan": ("daniel",),
    "danny": ("daniel",), "dave": ("david",), "ed": ("edward",), "eddie": ("edward",),
    "fred": ("frederick",), "greg": ("gregory",), "jim": ("james",), "jimmy": ("james",),
    "joe": ("joseph",), "jon": ("jonathan",), "kate": ("katherine", "catherine"),
    "katie": ("katherine", "catherine"), "ken": ("kenneth",), "larry": ("lawrence",),
    "liz": ("elizabeth",), "beth": ("elizabeth",), "luke": ("lukas", "lucas"),
    "maggie": ("margaret",), "matt": ("matthew",), "meg": ("margaret",), "mike": ("michael",),
    "nick": ("nicholas",), "pat": ("patrick", "patricia"), "pete": ("peter",),
    "phil": ("philip", "phillip"), "rich": ("richard",), "rick": ("richard",),
    "rob": ("robert",), "ron": ("ronald",), "sam": ("samuel", "samantha"),
    "steve": ("steven", "stephen"), "sue": ("susan",), "ted": ("edward", "theodore"),
    "tom": ("thomas",), "tony": ("anthony",), "will": ("william",), "zach": ("zachary",),
    "jen": ("jennifer",), "jenny": ("jennifer",), "jess": ("jessica",), "becky": ("rebecca",),
    "nat": ("natalie", "nathan"), "vicky": ("victoria",), "jo": ("joanna", "joanne"),
}  # fmt: skip

EXACT = 3


def fold(name: str) -> list[str]:
    """A name's words without case, accents or punctuation: "Zoë O'Brien" -> zoe, obrien."""
    text = unicodedata.normalize("NFKD", name.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = "".join(c if c.isalnum() or c.isspace() else ("" if c in "'’." else " ") for c in text)
    return text.split()


def _typo(a: str, b: str, *, shortest_allowed: int = 4) -> bool:
    """One slip in a word of 4-7 letters, two in a longer one; short words, and words with
    digits, must be exact."""
    from rapidfuzz.distance import Levenshtein

    shortest = min(len(a), len(b))
    if shortest < shortest_allowed or not (a.isalpha() and b.isalpha()):
        return False
    allowed = 1 if shortest < 8 else 2
    return Levenshtein.distance(a, b, score_cutoff=allowed) <= allowed


def _same_first(a: str, b: str) -> bool:
    return a == b or b in _NICKNAMES.get(a, ()) or a in _NICKNAMES.get(b, ()) or _typo(a, b)


def _same_last(typed: str, known: str) -> bool:
    # Surnames a letter apart are often two people (Kent, Kemp): a slip only in long ones.
    return (
        typed == known
        or (len(typed) == 1 and known.startswith(typed))
        or _typo(typed, known, shortest_allowed=6)
    )


def score(typed: str, known: str) -> int:
    """How surely `typed` names the person called `known`: 3 the same name, 2 the same person
    by first name (or short form, or with a slip), 1 by initials; 0 someone else."""
    t, k = fold(typed), fold(known)
    if not t or not k:
        return 0
    if t == k:
        return EXACT
    if len(t) == 1 and len(k) >= 2 and 2 <= len(t[0]) <= 3 and t[0] == "".join(w[0] for w in k):
        return 1  # initials: "LP" for Lukas Patel
    if not _same_first(t[0], k[0]):
        return 0
    if len(t) == 1 or len(k) == 1:
        return 2  # "Lukas" for Lukas Patel, or "Lukas Patel" for the Lukas known so far
    return 2 if _same_last(t[-1], k[-1]) else 0


@dataclass(frozen=True)
class Match:
    """The known person a name stands for, and whether the name says more (a surname)."""

    index: int
    fuller: bool  # the typed name has more words than the known one: learn it


def match(typed: str, known: Sequence[str]) -> Match | None:
    """The best of `known` (names, oldest first) that `typed` stands for; on a tie, the newest.
    None: a new person."""
    best, best_score = None, 0
    for index, name in enumerate(known):
        found = score(typed, name)
        if found and found >= best_score:
            best, best_score = index, found
    if best is None:
        return None
    return Match(best, len(fold(typed)) > len(fold(known[best])))


def settled_value(known_name: str, title: str | None, in_force_name: str | None) -> str | None:
    """What a piece naming the known person `known_name` (typed with `title`, or none) writes,
    given the name in the piece in force for its slot: None for nothing (that piece names them
    already and no new title is said; or it names someone else, whose shift it stays), else
    the value with their name as known."""
    value = f"{known_name}, {title}" if title else known_name
    if in_force_name is None:
        return value
    if score(in_force_name, known_name) != EXACT:
        return None
    return value if title else None
