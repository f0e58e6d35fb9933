"""A call's route: who picked up, read from how it ended and what its line named.

Pure: the store asks it when it records a call, so that a call carries who answered beside
the number it dialled, and each number's history says which route works.
"""

from __future__ import annotations

from collections.abc import Iterable

from callbook.model import Answerer, Outcome, Role

_BY_OUTCOME = {
    Outcome.NO_ANSWER: None,
    Outcome.VOICEMAIL: Answerer.MACHINE,
    Outcome.GATEKEEPER: Answerer.GATEKEEPER,
    Outcome.WRONG_NUMBER: Answerer.SOMEONE,
    Outcome.DECISION_MAKER: Answerer.DECISION_MAKER,
    Outcome.CALLBACK: Answerer.DECISION_MAKER,
    Outcome.GATEKEEPER_CALLBACK: Answerer.GATEKEEPER,
    Outcome.MEETING: Answerer.DECISION_MAKER,
    Outcome.WON: Answerer.DECISION_MAKER,
}


def answered_by(outcome: Outcome, named: Iterable[Role] = ()) -> Answerer | None:
    """Who answered a call that ended with `outcome`, whose line named people in the roles
    `named`. "Not interested" and "do not call" say only that someone did: a line naming the
    gatekeeper alone puts them on the line, one naming the decision maker puts him there."""
    if outcome in _BY_OUTCOME:
        return _BY_OUTCOME[outcome]
    roles = set(named)
    if Role.DECISION_MAKER in roles:
        return Answerer.DECISION_MAKER
    if Role.GATEKEEPER in roles:
        return Answerer.GATEKEEPER
    return Answerer.SOMEONE


def answering_role(answerer: Answerer | None) -> Role | None:
    """The contact role of who answered, when a contact can be it."""
    return {
        Answerer.GATEKEEPER: Role.GATEKEEPER,
        Answerer.DECISION_MAKER: Role.DECISION_MAKER,
    }.get(answerer)
