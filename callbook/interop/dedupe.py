"""Finding duplicate prospects: same phone, same personal email, the same website domain with a
similar company name, then a company name that is the same or nearly so.

A merge needs strong evidence. A role address (`info@`, `sales@`) is shared by a company's
branches: it counts as its domain, not as a person. Two prospects in different cities or
countries are different branches unless a phone or a personal email ties them. A person alone
is matched by full name only, never a first name alone.

The fuzzy company check is blocked so that it stays fast on big files: a name is compared only
with names of as many words sharing its first word and the first letter of its second, at most
`BLOCK_LIMIT` of them; a match must also agree word for word (so "North West Plumbing" is not
"North East Plumbing"), and names with digits ("Store 12") only ever match exactly.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

FUZZY_CUTOFF = 90.0  # whole-name similarity, 0..100
WORD_CUTOFF = 80.0  # each word against its counterpart
BLOCK_LIMIT = 500  # names per block compared fuzzily; later ones still match exactly

# Words that do not tell two companies apart.
_LEGAL_WORDS = frozenset(
    """
    inc incorporated corp corporation co company companies ltd limited llc llp lp plc pllc
    gmbh ag kg ug mbh sa sas sarl srl spa bv nv oy ab as aps pty pvt pte the and of group
    """.split()
)
_NON_WORD = re.compile(r"[^\w\s]")
_HOST_END = re.compile(r"[/?#:]")
_DIGIT = re.compile(r"\d")
_FREE_MAIL = frozenset(
    """
    gmail.com googlemail.com yahoo.com hotmail.com outlook.com live.com msn.com aol.com
    icloud.com me.com mail.com gmx.com gmx.de web.de proton.me protonmail.com yandex.ru
    """.split()
)
# Addresses a company's front desk reads, not one person.
_ROLE_MAILBOXES = frozenset(
    """
    info hello contact contacts sales office admin enquiries enquiry inquiries inquiry support
    team mail reception accounts billing bookings booking service help general marketing
    """.split()
)


def company_key(name: str | None) -> str:
    """A company name folded for comparison: case, accents, punctuation and legal forms
    ("Ltd", "GmbH", "Inc.") aside. Empty when nothing distinctive is left."""
    if not name:
        return ""
    text = name.casefold().replace("&", " and ")
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _NON_WORD.sub("", text.replace("-", " ").replace("/", " "))
    return " ".join(w for w in text.split() if w not in _LEGAL_WORDS)


def email_key(email: str | None) -> str:
    return email.strip().casefold() if email else ""


def is_role_email(email: str) -> bool:
    return email.split("@", 1)[0].strip().casefold() in _ROLE_MAILBOXES


def domain_key(website: str | None) -> str:
    """The host of a website, lowercase and without `www.`; empty for anything not a domain,
    and for free mail providers, which say nothing about the company."""
    if not website:
        return ""
    text = website.strip().casefold()
    if "@" in text and "/" not in text:
        return ""
    # scheme://user@host:port/path?query#fragment -> host
    text = text.split("://", 1)[-1]
    host = _HOST_END.split(text, 1)[0].rsplit("@", 1)[-1].rstrip(".")
    host = host.removeprefix("www.")
    if "." not in host or " " in host or host in _FREE_MAIL:
        return ""
    return host


@dataclass(frozen=True, slots=True)
class Keys:
    """What duplicates are found by, folded once per prospect."""

    phones: tuple[str, ...] = ()  # E.164 without extension
    email: str = ""
    domain: str = ""
    company: str = ""  # company_key
    company_label: str = ""  # the name as written
    person: str = ""  # a person's full name, folded: exact matches only, for rows with nothing else
    place: tuple[str, str] = ("", "")  # (city, country), folded: different places are branches


def keys_for(
    phones: Iterable[str] = (),
    email: str | None = None,
    website: str | None = None,
    company: str | None = None,
    person: str | None = None,
    place: tuple[str | None, str | None] = (None, None),
) -> Keys:
    mail = email_key(email)
    domain = domain_key(website)
    if mail and is_role_email(mail):
        domain = domain or domain_key(mail.split("@", 1)[1])
        mail = ""
    folded = " ".join(person.casefold().split()) if person else ""
    return Keys(
        tuple(p.split(";", 1)[0] for p in phones if p.startswith("+")),
        mail,
        domain,
        company_key(company),
        (company or "").strip(),
        folded if " " in folded else "",  # a first name alone is never enough
        ((place[0] or "").strip().casefold(), (place[1] or "").strip().casefold()),
    )


@dataclass(frozen=True)
class Match:
    target: Hashable
    reason: str  # "same phone +12125550100", "company name like 'Acme Corp' (94%)"
    score: float = 100.0


class DuplicateIndex:
    """Keys of every prospect seen so far (in the book, then earlier rows of the file)."""

    def __init__(self) -> None:
        self._phones: dict[str, Hashable] = {}
        self._emails: dict[str, Hashable] = {}
        self._domains: dict[str, Hashable] = {}
        self._companies: dict[str, Hashable] = {}
        self._labels: dict[str, str] = {}  # company key -> a name as written
        self._blocks: dict[tuple[str, str], list[str]] = {}
        self._people: dict[str, Hashable] = {}
        self._places: dict[Hashable, tuple[str, str]] = {}
        self._domain_companies: dict[str, str] = {}  # domain -> the company key with it

    def add(self, target: Hashable, keys: Keys) -> None:
        """Remember a prospect's keys; a key already known keeps its first owner."""
        for phone in keys.phones:
            self._phones.setdefault(phone, target)
        if keys.email:
            self._emails.setdefault(keys.email, target)
        if keys.domain and keys.domain not in self._domains:
            self._domains[keys.domain] = target
            self._domain_companies[keys.domain] = keys.company
        if any(keys.place):
            self._places.setdefault(target, keys.place)
        if keys.person:
            self._people.setdefault(keys.person, target)
        key = keys.company
        if key and key not in self._companies:
            self._companies[key] = target
            self._labels[key] = keys.company_label
            if not _DIGIT.search(key):
                block = self._blocks.setdefault(_block(key), [])
                if len(block) < BLOCK_LIMIT:
                    block.append(key)

    def find(self, keys: Keys) -> Match | None:
        """The first prospect these keys duplicate, checking phone, personal email, website
        domain with a similar company, company name, a near company name, then (for a person
        alone) the same full name. Only a phone or a personal email ties prospects in
        different places."""
        for phone in keys.phones:
            if phone in self._phones:
                return Match(self._phones[phone], f"same phone {phone}")
        if keys.email and keys.email in self._emails:
            return Match(self._emails[keys.email], f"same email {keys.email}")
        match = self._weak(keys)
        if match is not None and self._elsewhere(match.target, keys):
            return None
        return match

    def _weak(self, keys: Keys) -> Match | None:
        key = keys.company
        if keys.domain and keys.domain in self._domains:
            other = self._domain_companies[keys.domain]
            if key and other and (key == other or _same_words(key, other)):
                label = self._labels.get(other, other)
                return Match(self._domains[keys.domain],
                             f"same website {keys.domain} and company {label!r}")  # fmt: skip
        if not key:
            if keys.person and keys.person in self._people:
                return Match(self._people[keys.person], f"same name {keys.person!r}")
            return None
        if key in self._companies:
            return Match(self._companies[key], f"same company name {self._labels[key]!r}")
        near = self._near(key)
        if near is not None:
            other, score = near
            label = self._labels[other]
            return Match(self._companies[other], f"company name like {label!r} ({score:.0f}%)",
                         score)  # fmt: skip
        return None

    def _elsewhere(self, target: Hashable, keys: Keys) -> bool:
        """Both places known and different: another branch, not a duplicate."""
        there = self._places.get(target, ("", ""))
        return any(a and b and a != b for a, b in zip(keys.place, there, strict=True))

    def _near(self, key: str) -> tuple[str, float] | None:
        if _DIGIT.search(key):
            return None
        block = self._blocks.get(_block(key))
        if not block:
            return None
        from rapidfuzz import fuzz, process

        for other, score, _ in process.extract(
            key, block, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=5
        ):
            if _same_words(key, other):
                return other, score
        return None


def _block(key: str) -> tuple[int, str, str]:
    words = key.split()
    return len(words), words[0], (words[1][0] if len(words) > 1 else "")


def _same_words(a: str, b: str) -> bool:
    """Word for word alike: a typo in a long word passes, a different word does not."""
    from rapidfuzz import fuzz

    left, right = a.split(), b.split()
    if len(left) != len(right):
        return False
    for x, y in zip(left, right, strict=True):
        if x == y:
            continue
        if min(len(x), len(y)) <= 3 or fuzz.ratio(x, y) < WORD_CUTOFF:
            return False
    return True
