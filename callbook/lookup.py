"""Finding the prospect a caller means from what they typed: `#12`, an exact name, or a fuzzy
one. An ambiguous answer lists the candidates instead of guessing."""

from __future__ import annotations

from dataclasses import dataclass

from callbook.model import Prospect

# A fuzzy match must score this well to count, and beat the runner-up by this much to be
# taken without asking.
MIN_SCORE = 72.0
CLEAR_LEAD = 6.0
# A candidate found by its first letters is taken at this score (one typo in a name scores
# about 90-95); below it, every name is compared, as a better match may start otherwise.
SURE_SCORE = 88.0
NEAR_LIMIT = 2000  # candidates by first letters beyond which every name is compared anyway


@dataclass(frozen=True)
class ProspectMatch:
    query: str
    prospect: Prospect | None = None
    candidates: tuple[Prospect, ...] = ()

    @property
    def message(self) -> str:
        """One line saying why there is no single prospect."""
        if self.prospect is not None:
            return ""
        if not self.candidates:
            return f"no prospect matches {self.query!r}"
        shown = "; ".join(f"#{p.id} {describe(p)}" for p in self.candidates[:5])
        return f"{self.query!r} is ambiguous: {shown} (name one by #id)"


def describe(prospect: Prospect) -> str:
    if prospect.company and prospect.company != prospect.name:
        return f"{prospect.name} ({prospect.company})"
    return prospect.name


def match_prospect(store, query: str) -> ProspectMatch:
    text = query.strip()
    if not text:
        return ProspectMatch(query)
    if text.startswith("#") and text[1:].isdigit() or text.isdigit():
        found = store.get_prospect(int(text.lstrip("#")))
        if found is not None or text.startswith("#"):
            return ProspectMatch(query, found)
    exact = store.prospects_named(text)
    if len(exact) == 1:
        return ProspectMatch(query, exact[0])
    if exact:
        return ProspectMatch(query, None, tuple(exact))
    return _fuzzy(store, query, text)


def _fuzzy(store, query: str, text: str) -> ProspectMatch:
    """The prospect a misspelt name means. Candidates come first from the names that start
    within one typo of the text (a few index seeks at any size); only when none of them is a
    sure match are all the names read and compared (on the Store's read-only connection)."""
    near = store.prospects_near(text, NEAR_LIMIT)
    best = _ranked(text, near) if near else []
    if not best or best[0][1] < SURE_SCORE:
        best = _ranked(text, store.prospect_names())
    if not best:
        return ProspectMatch(query)
    top = best[0][1]
    close = [pid for pid, score in best if score >= top - CLEAR_LEAD]
    if len(close) == 1:
        return ProspectMatch(query, store.get_prospect(close[0]))
    return ProspectMatch(query, None, tuple(store.get_prospect(pid) for pid in close))


def _ranked(text: str, names) -> list[tuple[int, float]]:
    """(id, score) of the best matches of `text` among (id, name, company) rows."""
    from rapidfuzz import fuzz, process, utils

    choices = {pid: " ".join(filter(None, (name, company))) for pid, name, company in names}
    return [
        (pid, score)
        for _, score, pid in process.extract(
            text,
            choices,
            scorer=fuzz.WRatio,
            processor=utils.default_process,
            limit=6,
            score_cutoff=MIN_SCORE,
        )
    ]
