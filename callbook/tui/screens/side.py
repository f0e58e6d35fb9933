"""The screens the calling screen opens over itself (detail, recall, stats, talk tracks, help,
the confirmations), each built from the app's book and settings. The calling screen, its call
and its capture line stay as they are underneath.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from callbook.model import Call, Prospect
from callbook.store import StoreError

if TYPE_CHECKING:
    from callbook.tui.app import CallbookApp

STATS_DAYS = 42  # days the stats screen reads: its chart covers the last six weeks

MAIN_HELP = """
## callbook
One screen for a whole calling session: the **queue** (who to call now), the **jigsaw** (what
is known and missing about the prospect) and the **capture** line with its live preview.

A call: **enter** on a prospect starts it (the cursor goes to the capture line), type one
line, **enter** records it; the next prospect is highlighted and the cursor is back on the
queue, where **enter** calls them. No answer or voicemail: **a** or **v** on the queue
records it and moves on, the objective kept.

**Wrap-up**: after a call that reached whom it was for and whose line set no `> objective`,
the capture offers one for the next call: **enter** takes it, or type another and **enter**;
**escape** keeps the objective in force. Typing `!…`, `@…` or `slot: …` there starts the
next call instead.

A clause like `receptionist said: try after 3:30` is a note; to keep any clause as a note,
start it with `note:`.
"""


def open_detail(app: CallbookApp, prospect_id: int, slot: str | None = None) -> None:
    from callbook.tui.screens.detail import DetailData, DetailScreen

    store = app.store
    prospect = store.get_prospect(prospect_id)
    if prospect is None:
        app.notify(f"no prospect #{prospect_id}", severity="error")
        return
    data = DetailData(
        prospect=prospect, template=app.desk.template_for(prospect),
        pieces=store.pieces(prospect_id), contacts=store.contacts(prospect_id),
        calls=store.calls(prospect_id), now=app.desk.now(), tz=app.desk.config.tz,
        zone=store.zone_of(prospect), phones=store.phones(prospect.id),
        gatekeepers=store.gatekeepers(prospect.id),
    )  # fmt: skip
    app.push_screen(DetailScreen(data, slot))


def confirm(app: CallbookApp, question: str, detail: str, then: Callable[[], None]) -> None:
    from callbook.tui.screens.dialogs import ConfirmScreen

    app.push_screen(ConfirmScreen(question, detail), lambda yes: then() if yes else None)


def confirm_drop(app: CallbookApp, name: str, then: Callable[[], None]) -> None:
    confirm(app, f"Drop the call to {name}?", "Nothing is recorded; the line is lost.", then)


def confirm_undo(
    app: CallbookApp, last: Call, prospect: Prospect, then: Callable[[], None]
) -> None:
    wins = f"{last.small_wins} small win{'s' * (last.small_wins != 1)}"
    detail = f"{last.outcome.label}, {wins}. Its pieces go back to what was known before" + (
        "; its line comes back to the capture." if app.call is None else "."
    )
    confirm(app, f"Undo call #{last.id} to {prospect.name}?", detail, then)


def skip(app: CallbookApp, prospect: Prospect) -> bool:
    try:
        app.store.skip(prospect.id, app.desk.now())
    except StoreError as exc:
        app.notify(str(exc), title="not skipped", severity="error")
        return False
    app.notify(f"{prospect.name}: skipped for today")
    return True


def snooze(app: CallbookApp, prospect: Prospect, then: Callable[[], None]) -> None:
    from callbook.tui.screens.dialogs import SnoozeScreen

    def parse(text: str) -> datetime:
        return app.desk.read_when(prospect, text)

    def answered(when: datetime | None) -> None:
        if when is None:
            return
        try:
            app.store.snooze(prospect.id, when)
        except StoreError as exc:
            app.notify(str(exc), title="not snoozed", severity="error")
            return
        shown = app.desk.show_when(prospect, when)
        app.notify(f"{prospect.name}: snoozed until {shown.text}")
        then()

    show = partial(app.desk.show_when, prospect)
    app.push_screen(SnoozeScreen(prospect.name, parse, show), answered)


def open_stats(app: CallbookApp) -> None:
    from callbook.stats import summary
    from callbook.tui.screens.stats_screen import StatsScreen

    if not isinstance(app.screen, StatsScreen):
        load = partial(summary, app.store, STATS_DAYS, app.desk.now(), app.desk.config.tz)
        app.push_screen(StatsScreen(load))


def toggle_talk_tracks(app: CallbookApp) -> None:
    from callbook.tui.screens.talk_tracks import TalkTracksScreen

    if isinstance(app.screen, TalkTracksScreen):
        app.screen.dismiss(None)
        return
    prospect = app.call.prospect if app.call else app.shown.prospect if app.shown else None
    if prospect is None:
        app.notify("no prospect to show talk tracks for", severity="warning")
        return
    app.push_screen(TalkTracksScreen(app.desk.template_for(prospect), prospect_name=prospect.name))


def toggle_help(app: CallbookApp) -> None:
    """The help of the focused pane (the nearest widget with a HELP), else the main one."""
    from callbook.tui.screens.dialogs import HelpScreen

    if isinstance(app.screen, HelpScreen):
        app.screen.dismiss(None)
        return
    text = MAIN_HELP
    focused = app.screen.focused
    if focused is not None:
        for node in focused.ancestors_with_self:
            if getattr(node, "HELP", None):
                text = node.HELP
                break
    app.push_screen(HelpScreen(text, app.desk.config.keys))


def open_recall(app: CallbookApp) -> None:
    """The recall overlay over the calling screen; the call and its line stay."""
    from callbook.search import search
    from callbook.tui.screens.recall_screen import LIMIT, RecallScreen

    if isinstance(app.screen, RecallScreen):
        return
    current = app.shown.prospect.id if app.shown else None
    searcher = partial(
        search, app.store, templates=app.desk.templates, limit=LIMIT, current_prospect_id=current
    )
    app.push_screen(RecallScreen(searcher, app.desk.now(), on_call=app.call is not None))


def offer_demo(app: CallbookApp, build: Callable[[], object]) -> None:
    from callbook.tui.screens.dialogs import WelcomeScreen

    if not app.book_empty:
        app.notify("the demo book only goes into an empty book; try callbook --db demo.db")
        return

    def answered(yes: bool | None) -> None:
        if yes:
            app.notify("building the demo book…", title="demo")
            build()

    app.push_screen(WelcomeScreen(), answered)
