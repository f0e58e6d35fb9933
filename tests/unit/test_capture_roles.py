"""A decision maker's title typed with their name (`dm: Tom Li, Ops Director`) is recorded as
the DM role piece of that call, exactly as the preview showed it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from callbook.clock import fixed_clock
from callbook.config import Config
from callbook.desk import Desk
from callbook.jigsaw import load_templates
from callbook.model import Change, Role
from callbook.store import Store

NOW = datetime(2026, 11, 27, 15, tzinfo=UTC)


def test_the_title_is_committed_as_a_piece_of_the_call(tmp_path: Path) -> None:
    with Store.open(tmp_path / "book.db", clock=fixed_clock(NOW)) as store:
        desk = Desk(store, Config(), load_templates(None))
        prospect = store.add_prospect("Acme Ltd")
        assert prospect.template == "cold_call"

        line = "gk: Sarah Jenkins; dm: Tom Li, Ops Director; !gk"
        shown = desk.preview(prospect, line)
        assert [(p.slot.key, p.value, p.change) for p in shown.pieces] == [
            ("gatekeeper", "Sarah Jenkins", Change.NEW),
            ("decision_maker", "Tom Li, Ops Director", Change.NEW),
            ("dm_role", "Ops Director", Change.NEW),
        ]
        first = desk.commit(prospect, line)
        assert (first.small_wins, first.big_wins) == (shown.wins.small, shown.wins.big) == (3, 0)
        assert [(p.slot, p.value) for p in store.pieces_of_call(first.id)] == [
            ("gatekeeper", "Sarah Jenkins"),
            ("decision_maker", "Tom Li, Ops Director"),
            ("dm_role", "Ops Director"),
        ]
        tom = next(c for c in store.contacts(prospect.id) if c.role is Role.DECISION_MAKER)
        assert (tom.name, tom.title) == ("Tom Li", "Ops Director")

        # A new title supersedes the old one; an explicit `dm role:` wins over the name's.
        second = desk.commit(prospect, "dm: Tom Li, COO; dm role: Chief Operating Officer; !dm")
        assert (second.small_wins, second.big_wins) == (2, 1)
        current = store.current_pieces(prospect.id)
        assert (current["dm_role"].value, current["dm_role"].call_id) == (
            "Chief Operating Officer",
            second.id,
        )
        history = [p.value for p in store.pieces(prospect.id) if p.slot == "dm_role"]
        assert history == ["Ops Director", "Chief Operating Officer"]

        # The same title again is no win: it confirms the title (still fresh).
        third = desk.commit(prospect, "dm: Tom Li, Chief Operating Officer; !dm")
        assert third.small_wins == 1  # the decision maker's value changed, the title did not
        dm, role = store.pieces_of_call(third.id)
        assert (dm.slot, dm.confirmed_at) == ("decision_maker", None)
        assert (role.slot, role.value, role.confirmed_at) == (
            "dm_role", "Chief Operating Officer", third.ended_at
        )  # fmt: skip
