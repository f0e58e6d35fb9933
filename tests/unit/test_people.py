"""Names typed on a call against the people the book knows; who answered a call."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callbook.model import Answerer, Outcome, Role
from callbook.people import Match, match
from callbook.route import answered_by

KNOWN = ["Lukas Patel", "Robert Stone", "Anna Lee", "Sarah Kent"]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Lukas Patel", Match(0, False)),
        ("lukas", Match(0, False)),
        ("Lucas", Match(0, False)),  # a slip
        ("LP", Match(0, False)),  # initials
        ("Lukas P.", Match(0, False)),
        ("Bob", Match(1, False)),  # a short form
        ("Bob Stone", Match(1, False)),
        ("Ana", None),  # three letters: exact only
        ("Anna Lee", Match(2, False)),
        ("Sarah Kemp", None),  # another surname is another person
        ("Maria", None),
        ("", None),
    ],
)
def test_match(typed, expected):
    assert match(typed, KNOWN) == expected


def test_more_words_than_known_is_a_fuller_name():
    assert match("Lukas Patel", ["Lukas"]) == Match(0, True)
    assert match("Zoë O'Brien", ["zoe obrien"]) == Match(0, False)


@pytest.mark.parametrize(
    ("outcome", "named", "expected"),
    [
        (Outcome.NO_ANSWER, (), None),
        (Outcome.VOICEMAIL, (), Answerer.MACHINE),
        (Outcome.GATEKEEPER, (), Answerer.GATEKEEPER),
        (Outcome.WRONG_NUMBER, (), Answerer.SOMEONE),
        (Outcome.CALLBACK, (Role.GATEKEEPER,), Answerer.DECISION_MAKER),
        (Outcome.NOT_INTERESTED, (Role.GATEKEEPER,), Answerer.GATEKEEPER),
        (Outcome.NOT_INTERESTED, (Role.GATEKEEPER, Role.DECISION_MAKER), Answerer.DECISION_MAKER),
        (Outcome.DO_NOT_CALL, (), Answerer.SOMEONE),
    ],
)
def test_answered_by(outcome, named, expected):
    assert answered_by(outcome, named) == expected


@given(st.text(max_size=40), st.lists(st.text(max_size=40), max_size=5))
def test_match_takes_any_text(typed, known):
    found = match(typed, known)
    assert found is None or 0 <= found.index < len(known)
