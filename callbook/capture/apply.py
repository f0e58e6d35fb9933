"""A parsed capture -> the call the store records. Pure: it builds a NewCall, the store writes it.

This is where a capture's pieces become contacts too: `gk: Sarah Jenkins` names the
gatekeeper, `dm: Tom Li, Ops Director` the decision maker with his title.
"""

from __future__ import annotations

import re
from datetime import datetime

from callbook.model import OUTCOME_CODES_HELP, Capture, NewCall, NewContact, Template


class CaptureRejected(ValueError):
    """The capture cannot be committed; the message is one line for the caller."""


def check_committable(capture: Capture) -> None:
    """Raise CaptureRejected unless the capture can be committed as a call."""
    if capture.errors:
        first = capture.errors[0]
        more = f" (and {len(capture.errors) - 1} more)" if len(capture.errors) > 1 else ""
        raise CaptureRejected(f"{first}{more}")
    if capture.outcome is None:
        raise CaptureRejected(f"no outcome: say how the call ended with {OUTCOME_CODES_HELP}")


def to_new_call(
    capture: Capture,
    template: Template,
    *,
    prospect_id: int,
    started_at: datetime,
    ended_at: datetime,
    session_id: int | None = None,
    objective: str | None = None,
) -> NewCall:
    """The call a committable capture records. `objective` is what the call was planned for."""
    check_committable(capture)
    contacts = []
    for piece in capture.pieces:
        slot = template.slot(piece.slot)
        if slot is not None and slot.role is not None:
            name, title = split_name_title(piece.value)
            if name:
                contacts.append(NewContact(name=name, role=slot.role, title=title))
    return NewCall(
        prospect_id=prospect_id,
        started_at=started_at,
        ended_at=ended_at,
        outcome=capture.outcome,
        pieces=tuple((p.slot, p.value) for p in capture.pieces),
        contacts=tuple(contacts),
        session_id=session_id,
        objective=objective,
        notes="\n".join(capture.notes) or None,
        next_call_at=capture.next_call_at,
        next_objective=capture.objective,
        tags=capture.tags,
        capture=capture.line,
    )


_TITLE_IN_PARENS = re.compile(r"^(?P<name>[^()]+?)\s*\((?P<title>[^()]+)\)\s*$")


def split_name_title(value: str) -> tuple[str, str | None]:
    """'Tom Li, Ops Director' -> ('Tom Li', 'Ops Director'); 'Tom Li (CFO)' likewise."""
    value = " ".join(value.split())
    found = _TITLE_IN_PARENS.match(value)
    if found:
        return found["name"].strip(), found["title"].strip()
    for separator in (",", " - ", " – ", "/"):
        if separator in value:
            name, title = value.split(separator, 1)
            return name.strip(), title.strip() or None
    return value, None
