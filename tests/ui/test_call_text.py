"""What the preview says a line will do to the prospect: never a call that will not come."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from callbook.clock import fixed_clock
from callbook.desk import Desk
from callbook.service.call_flow import CallFlow
from callbook.store import Store
from callbook.tui.widgets.call_text import PreviewContext, render_preview

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)


@pytest.fixture
def flow(tmp_path):
    store = Store.open(tmp_path / "book.db", clock=fixed_clock(NOW))
    desk = Desk.around(store)
    flow = CallFlow(desk)
    prospect = store.add_prospect("Acme", phones=["+442079460000"])
    store.update_prospect(prospect.id, next_objective="ask for Tom")
    flow.start(prospect)
    yield flow
    store.close()


def said(flow: CallFlow, line: str) -> str:
    shown = flow.preview(line)
    ctx = PreviewContext(NOW, UTC, None)
    return render_preview(shown.preview, ctx, None, shown.aftermath).plain


@pytest.mark.parametrize(
    "line, says, never",
    [
        ("!ni; @2027-03-01 10:00",
         "parked until Mon 1 Mar 2027 10:00 your time · their zone unknown ?: back in the queue "
         "then", "for good"),
        ("!ni", "parked for good: lost, out of the queue", "next call by"),
        ("!na", "next call by the queue: the attempt plan's next try, in calling hours", "parked"),
        ("!na", "objective kept ask for Tom", "parked"),
        ("!gk; > send the deck", "objective send the deck", "kept"),
        ("!won", "ends: won, no next call", "next call by"),
        ("!dnc", "ends: do not call, no next call", "next call by"),
        ("!cb; @tomorrow 9:30", "next call tomorrow 09:30 your time", "parked"),
        ("!won; @thu", "!won ends the prospect: no next call; drop the @when", "next call Thu"),
    ],
)  # fmt: skip
def test_the_preview_says_what_will_happen(flow, line, says, never) -> None:
    text = said(flow, line)
    assert says in text
    assert never not in text


def test_a_do_not_call_prospect_stays_so_whatever_the_line(flow) -> None:
    store = flow.store
    prospect = flow.call.prospect
    flow.drop()
    store.update_prospect(prospect.id, status="do_not_call")
    flow.start(prospect, force=True)
    text = said(flow, "!mtg; @tomorrow 10:00")
    assert "do-not-call stays: no next call" in text
    assert "next call tomorrow" not in text
