"""CallbookApp: the calling screen's owner. It holds the Desk, the session, the call in progress
and the capture draft; widgets show what it gives them and post what the caller does.

The draft: one global draft key, `capture`, holds JSON `{"prospect_id", "started_at", "line"}`
for the call in progress (a caller is on one call at a time, and a restart should bring back
that call, not just its text). It is written ~300 ms after the last keystroke, on quit, and on
SIGTERM/SIGHUP; a commit or a dropped call deletes it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
import threading
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import partial
from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import App
from textual.content import Content
from textual.css.query import NoMatches
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from callbook import crashlog
from callbook.capture.apply import CaptureRejected
from callbook.clock import Clock, parse_instant, zone
from callbook.commands import CallbookCommands
from callbook.desk import Desk, Haystack, ObjectiveOffer
from callbook.jigsaw import build_jigsaw, current_pieces
from callbook.keymap import bind, remap, unknown_ids
from callbook.messages import DemoBuilt, OpenProspect, QueueLoaded
from callbook.model import Call, Prospect, QueueEntry, Scoreboard, Session
from callbook.paths import Paths
from callbook.screens.main import MainScreen
from callbook.state import chosen_theme, remember_theme
from callbook.stats import UsualDay, days_span, usual_day
from callbook.store import ReadOnlyError, StoreError
from callbook.timefmt import call_time, duration
from callbook.widgets.capture import GRAMMAR, CaptureBar, PreviewContext, render_preview
from callbook.widgets.jigsaw import LAST_CALLS, ProspectView
from callbook.widgets.queue import PAGE, QueuePane, QueueWindow, RowContext

DRAFT_KEY = "capture"
DRAFT_DELAY = 0.3  # seconds after the last keystroke
POLL_SECONDS = 1.0
CHECKPOINT_SECONDS = 30.0  # idle housekeeping of the book
STATS_DAYS = 42  # days the stats screen reads: its chart covers the last six weeks
EXIT_DEADLINE = 3.0  # seconds a SIGTERM'd app may take to restore the terminal

MAIN_HELP = """
## callbook
One screen for a whole calling session: the **queue** (who to call now), the **jigsaw** (what
is known and missing about the prospect) and the **capture** line with its live preview.

A call: **enter** on a prospect starts it, type one line, **enter** records it and the next
prospect is selected; **enter** again calls them.

**Wrap-up**: when a line sets no `> objective`, the capture offers one for the next call (the
question of the most important missing piece): **enter** keeps it, or type another and
**enter**; **escape** leaves the line and the prospect without one.
"""


@dataclass(frozen=True)
class ActiveCall:
    prospect: Prospect
    started_at: datetime
    objective: str | None  # what this call is for


@dataclass(frozen=True)
class WrapUp:
    """A call just recorded whose line set no objective, and the one offered for the next."""

    call: Call
    prospect: Prospect
    offer: ObjectiveOffer

    @property
    def suggestion(self) -> str:
        return self.offer.objective


def typed_objective(line: str) -> str:
    """An objective typed at the wrap-up, without the `>` a capture line would put before it."""
    return line.strip().removeprefix(">").strip()


class DraftKeeper:
    """The latest capture draft, written to the book by whoever calls `flush` (a worker after
    a pause in typing, or the UI thread on quit, a signal or a dropped call). One lock orders
    the writes, so a draft written late can never resurrect one that a commit deleted (a
    commit deletes it in the call's own transaction, after `discard`)."""

    def __init__(self, store) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._pending: str | None = None  # "" deletes the draft

    def set(self, text: str) -> None:
        with self._lock:
            self._pending = text

    def flush(self) -> None:
        with self._lock:
            if self._pending is None:
                return
            if self.store.write_busy():  # never wait on another process under this lock (the
                return  # UI takes it): kept pending for the next try, or printed on exit
            text, self._pending = self._pending, None
            try:
                self.store.save_draft(DRAFT_KEY, text)
            except StoreError:
                self._pending = text  # still unsaved: kept for the next try, or the terminal
                raise

    def unsaved_line(self) -> str | None:
        """The line typed that is not on disk (a full disk, a read-only book), if any."""
        with self._lock:
            pending = self._pending
        if not pending:
            return None
        try:
            return str(json.loads(pending)["line"]) or None
        except (ValueError, KeyError, TypeError):
            return pending

    def discard(self) -> None:
        """Forget what is pending (waiting for a write in flight): a commit is about to delete
        the draft itself, and nothing may be written after it."""
        with self._lock:
            self._pending = None


class CallbookApp(App[int]):
    """The calling screen."""

    CSS_PATH = Path(__file__).with_name("callbook.tcss")  # absolute: subclasses live elsewhere
    TITLE = "callbook"
    COMMANDS = App.COMMANDS | {CallbookCommands}
    BINDINGS = [bind("quit"), bind("help")]

    def __init__(
        self,
        desk: Desk,
        *,
        clock: Clock | None = None,
        signals: bool = False,
        paths: Paths | None = None,
    ) -> None:
        super().__init__()
        remap(self, desk.config.keys)
        if clock is not None:
            desk.store.clock = clock
        self.desk = desk
        self.paths = paths  # None (tests): no backups, no crash log
        self.store = desk.store
        self.signals = signals
        self.main: MainScreen | None = None
        self.session: Session | None = None
        self.read_only: str | None = None  # why the book cannot be written, when it cannot
        self.call: ActiveCall | None = None
        self.highlighted: QueueEntry | None = None
        self.shown: ProspectView | None = None
        self.last_saved: tuple[Call, Prospect] | None = None
        # (prospect id, line) refused once as outside the legal hours: enter again forces it.
        self._outside_hours_line: tuple[int, str] | None = None
        self.wrap_up: WrapUp | None = None
        self.planned: tuple[Prospect, str] | None = None  # the objective the last wrap-up set
        self.book_empty = False
        self._known: dict[str, str] = {}
        self._error: str | None = None  # why the last commit was refused
        self._error_line: str | None = None  # ... for this line; editing it clears the error
        self._score = Scoreboard()  # this session
        self._today = Scoreboard()
        # The caller's usual day, read in a worker after the first paint; None until then.
        self.usual: UsualDay | None = None
        self._day: date | None = None  # the caller's day the usual day was read for
        self._drafts = DraftKeeper(desk.store)
        self._draft_timer: Timer | None = None
        self._queue_token = 0
        self._query = ""
        self._names: Haystack | None = None  # kept for the filter; None: read again
        self._version: int | None = None
        self._minute: int | None = None
        self._shut_down = False
        self._first_paint = False  # True once the queue is on screen: background reads may start
        self._reshow = False  # the next queue load re-reads the highlighted prospect

    # --- start-up ------------------------------------------------------------------------

    async def on_mount(self) -> None:
        config = self.desk.config
        if config.keys:
            self.set_keymap(config.keys)
        problems = [*config.errors, *self.desk.templates.errors]
        problems += [
            f"config [keys]: no key binding with id {i!r}" for i in unknown_ids(config.keys)
        ]
        theme = chosen_theme(self.paths, config.theme)
        if theme in self.available_themes:
            self.theme = theme
        elif theme:
            problems.append(f"config: theme: no theme {theme!r} (the palette lists them)")
        for problem in problems:
            self.notify(problem, title="config", severity="warning", timeout=10)
        draft = self._read_draft()
        self._version = self.store.data_version()
        # Read the queue while the screen is being built.
        self.reload_queue(offset=0, keep_id=draft[0].id if draft and draft[0] else None)
        try:
            if busy := self.store.write_busy():  # never a blank screen while another writes
                raise StoreError(f"no session yet: the book is busy in {busy}")
            self.session = self.store.start_session()
        except ReadOnlyError as exc:  # a book it may only read: open it, say so, record nothing
            self.read_only = str(exc)
        except StoreError as exc:  # busy in another process: calls are recorded without one
            self.notify(str(exc), title="no session", severity="warning", timeout=10)
        self.main = MainScreen(config.keys)
        await self.push_screen(self.main)
        if self.read_only:
            self.sub_title = "READ-ONLY: nothing can be recorded"
            self.notify(self.read_only, title="read-only book", severity="warning", timeout=30)
        self.main.capture.previewer = self.preview_of
        self.book_empty = self.store.count_prospects() == 0
        self._show_score()
        if draft is not None:
            self._restore_draft(*draft)
        self._preview()
        self.set_interval(POLL_SECONDS, self._tick)
        self.set_interval(CHECKPOINT_SECONDS, self._checkpoint)
        if self.paths is not None:
            self._backup()
        if self.signals:
            self._install_signal_handlers()
        if self.book_empty:
            self.action_offer_demo()

    def watch_theme(self, name: str) -> None:
        remember_theme(self.paths, name, self.desk.config.theme)

    def _read_draft(self) -> tuple[Prospect | None, datetime | None, str] | None:
        """The draft left by the last run: its prospect, when its call started, its line."""
        text = self.store.load_draft(DRAFT_KEY)
        if not text:
            return None
        try:
            data = json.loads(text)
            line = str(data["line"])
            pid = data.get("prospect_id")
            started = parse_instant(data["started_at"]) if data.get("started_at") else None
        except (ValueError, KeyError, TypeError, AttributeError):
            return None, None, text  # not ours: keep the text all the same
        prospect = self.store.get_prospect(int(pid)) if pid is not None else None
        return prospect, started, line

    def _restore_draft(
        self, prospect: Prospect | None, started: datetime | None, line: str
    ) -> None:
        if prospect is not None:
            self.start_call(prospect, started_at=started)
        self.main.capture.set_value(line)
        self.notify("the capture you were typing is back", title="draft")

    def _install_signal_handlers(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        loop = asyncio.get_running_loop()
        # SIGINT (130) and SIGQUIT too: each leaves through the exit that restores the terminal.
        for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT, signal.SIGQUIT):
            try:
                loop.add_signal_handler(sig, self._on_signal, sig)
            except (NotImplementedError, RuntimeError, ValueError):
                pass

    def _on_signal(self, sig: int) -> None:
        """SIGTERM/SIGHUP: the draft goes to disk first, then the app leaves.

        After SIGHUP the terminal is gone: restoring it could block or spin on a dead tty, so
        the process ends at once. SIGTERM exits the usual way, with a deadline."""
        self.shutdown()
        code = 128 + sig
        if sig == signal.SIGHUP:
            self._end_process(code)
        self.exit(return_code=code)
        if not self.is_headless:
            deadline = threading.Timer(EXIT_DEADLINE, self._end_process, args=(code,))
            deadline.daemon = True
            deadline.start()

    def _end_process(self, code: int) -> None:
        with contextlib.suppress(Exception):
            self.desk.close()
        say_unsaved(self)
        os._exit(code)

    # --- housekeeping --------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="backup", exit_on_error=False)
    def _backup(self) -> None:
        """The daily backup, off the UI thread; a failure is one warning, never a crash."""
        from callbook.store.backup import auto_backup

        try:
            auto_backup(self.store, self.paths, self.desk.config)
        except StoreError as exc:  # BackupError is one
            self.call_from_thread(
                self.notify, str(exc), title="backup failed", severity="warning", timeout=10
            )

    @work(thread=True, exclusive=True, group="checkpoint", exit_on_error=False)
    def _checkpoint(self) -> None:
        """Fold the write-ahead log back into the book; a full disk waits for the next try."""
        if self._shut_down:
            return
        with contextlib.suppress(StoreError):
            self.store.checkpoint()

    # --- reading the book ----------------------------------------------------------------

    def _ctx(self) -> RowContext:
        return RowContext(self.desk.now(), self.desk.config.tz)

    def view_of(self, prospect: Prospect, objective: str | None = None) -> ProspectView:
        pieces = self.store.pieces(prospect.id)
        jigsaw = build_jigsaw(self.desk.template_for(prospect), pieces)
        return ProspectView(
            prospect=prospect,
            jigsaw=jigsaw,
            pieces=pieces,
            contacts=self.store.contacts(prospect.id),
            calls=self.store.calls(prospect.id, limit=LAST_CALLS),
            objective=objective or prospect.next_objective or jigsaw.suggested_objective,
            now=self.desk.now(),
            tz=self.desk.config.tz,
            zone=self.store.zone_of(prospect),
            dial=self.store.number_to_dial(prospect.id),
            conversation=self.store.last_conversation(prospect.id),
        )

    def _show(self, view: ProspectView | None) -> None:
        self.shown = view
        self.main.jigsaw.show(view)
        if view is not None:
            self._known = {k: p.value for k, p in current_pieces(view.pieces).items()}
            self.main.capture.set_template(view.jigsaw.template)
        else:
            self._known = {}
            self.main.capture.set_template(None)

    def _show_highlighted(self) -> None:
        entry = self.highlighted
        self._show(self.view_of(entry.prospect) if entry else None)
        self._preview()

    def _show_score(self) -> None:
        now, tz = self.desk.now(), self.desk.config.tz
        if self.session is not None:
            self._score = self.store.scoreboard(session_id=self.session.id)
        since, until = days_span(1, now, tz)
        self._today = self.store.scoreboard(since=since, until=until)
        if now.astimezone(tz).date() != self._day and self._first_paint:
            self._day = now.astimezone(tz).date()
            self._load_usual(now)
        self._show_elapsed()

    @work(thread=True, exclusive=True, group="usual", exit_on_error=False)
    def _load_usual(self, now: datetime) -> None:
        """The usual day (four weeks of calls) off the UI thread; once a day."""
        usual = usual_day(self.store, now, self.desk.config.tz)
        self.call_from_thread(self._usual_loaded, usual)

    def _usual_loaded(self, usual: UsualDay) -> None:
        self.usual = usual
        if self.main is not None and self.is_running:
            self._show_elapsed()

    def _show_elapsed(self) -> None:
        started = self.session.started_at if self.session else self.desk.now()
        elapsed = (self.desk.now() - started).total_seconds()
        self.main.scoreboard.show(self._score, self._today, self.usual, elapsed)

    def reload_queue(
        self, *, keep_id: int | None = None, position: int | None = None, offset: int | None = None
    ) -> None:
        """Read the queue window again, in a worker; older requests' results are dropped."""
        self._queue_token += 1
        if offset is None:
            offset = self.main.queue.window.offset
        self._load_queue(self._queue_token, offset, self._query, keep_id, position)

    @work(thread=True, exclusive=True, group="queue", exit_on_error=False)
    def _load_queue(
        self, token: int, offset: int, query: str, keep_id: int | None, position: int | None
    ) -> None:
        now = self.desk.now()
        if query:
            if self._names is None:
                self._names = self.desk.queue_names()
            entries = self.desk.filter_queue(query, now, limit=PAGE, names=self._names)
            offset, total = 0, len(entries)
        else:
            total = self.store.queue_size(now)
            offset = max(0, min(offset, total - PAGE))
            entries = self.store.queue(now, limit=PAGE, offset=offset)
        self.post_message(QueueLoaded(token, entries, offset, total, query, keep_id, position))

    def on_queue_loaded(self, message: QueueLoaded) -> None:
        if message.token != self._queue_token or self.main is None:
            return
        queue = self.main.queue
        keep_id, position = message.keep_id, message.position
        if keep_id is None and position is None:
            # The table's cursor, not self.highlighted: its message may still be on its way.
            current = queue.highlighted
            keep_id = current.prospect.id if current else None
            position = queue.position
        window = QueueWindow(message.entries, message.offset, message.total, message.query)
        before = queue.highlighted
        queue.show(window, self._ctx(), keep_id=keep_id, position=position)
        after = queue.highlighted
        same = before is not None and after is not None and before.prospect.id == after.prospect.id
        if same:
            self.highlighted = after  # fresh from the book; a change of prospect posts its own
            if self._reshow and self.call is None:
                self._show_highlighted()
        self._reshow = False
        if not self._first_paint:
            self._first_paint = True
            # Reads that compete for the GIL wait for the first paint.
            self.call_after_refresh(self._prepare_recall)
            self.call_after_refresh(self._show_score)  # reads the usual day

    def _tick(self) -> None:
        """Once a second: the timers, local times, and whether another process wrote."""
        if self.main is None or self._shut_down or not self.main.is_attached or self._exit:
            return  # not started yet, or on the way out
        if not self.is_running:
            return  # shutting down without exit() (a test harness): widgets are going
        self._show_elapsed()
        self._update_call_title()
        now = self.desk.now()
        if now.minute != self._minute:
            self._minute = now.minute
            self.main.queue.refresh_times(self._ctx())
            if now.astimezone(self.desk.config.tz).date() != self._day:
                self._show_score()  # a new day: today starts at nought, the usual day moves
        try:
            version = self.store.data_version()
        except StoreError:
            return
        if version != self._version:
            self._version = version
            self.action_refresh_book()

    # --- the call ------------------------------------------------------------------------

    def start_call(self, prospect: Prospect, *, started_at: datetime | None = None) -> None:
        self._set_wrap_up(None)  # the next call begins: the last one goes without an objective
        view = self.view_of(prospect)
        self.call = ActiveCall(prospect, started_at or self.desk.now(), view.objective)
        self._show(view)
        self.main.queue.set_calling(prospect.id)
        self.last_saved = None
        self._update_call_title()
        self.main.capture.input.focus()
        self._preview()
        self._save_draft_soon()
        outside = self.desk.outside_legal_hours(prospect, self.call.started_at)
        if outside:
            self.notify(f"{prospect.name}: {outside}", title="outside hours", severity="error")
        if started_at is None and not outside:  # begun now (not brought back), and lawful
            self._hand_off(prospect)

    def _hand_off(self, prospect: Prospect) -> None:
        """Give the number to dial to the configured dialer (see callbook.dial)."""
        from callbook.dial import launch, plan

        number = self.store.number_to_dial(prospect.id)
        dial = plan(self.desk.config.dial, number.stored if number else None)
        if dial is None:
            return
        if dial.clipboard is not None:
            self.copy_to_clipboard(dial.clipboard)
            return
        failed = launch(dial.argv, self._dial_failed)
        if failed:
            self.notify(failed, severity="warning")

    def _dial_failed(self, line: str) -> None:
        """From the thread that reaps the dialer: one line, unless the app has gone."""
        with contextlib.suppress(RuntimeError):
            self.call_from_thread(self.notify, line, severity="warning")

    def commit(self) -> None:
        """Record the call. The preview clears only once the write is on disk."""
        call, capture = self.call, self.main.capture
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._drafts.discard()
        # Outside the legal hours, enter records only the second time: the explicit force.
        forced = self._outside_hours_line == (call.prospect.id, capture.value)
        try:
            if busy := self.store.write_busy():  # the UI never waits on another process
                raise StoreError(f"not saved yet: the book is busy in {busy}; "
                                 "enter tries again")  # fmt: skip
            saved = self.desk.commit(
                call.prospect,
                capture.value,
                started_at=call.started_at,
                session_id=self.session.id if self.session else None,
                objective=call.objective,
                clear_draft=DRAFT_KEY,  # in the call's own transaction
                outside_hours=forced,
            )
        except (CaptureRejected, StoreError, ValueError) as exc:
            message = str(exc)
            if not forced and self.desk.outside_legal_hours(call.prospect, call.started_at):
                self._outside_hours_line = (call.prospect.id, capture.value)
                message = message.replace("force it to call anyway", "enter again to force it")
            self._error, self._error_line = message, capture.value
            self._preview()
            self._save_draft_soon()  # the line stays the draft
            return
        self.call = None
        self.last_saved = (saved, call.prospect)
        self.planned = None
        self._error = None
        offer = self.desk.wrap_up_offer(saved) if self.desk.config.wrap_up else None
        self._set_wrap_up(WrapUp(saved, call.prospect, offer) if offer else None)
        queue = self.main.queue
        queue.set_calling(None)
        capture.clear()
        self._show_score()
        self._update_call_title()
        queue.advance_past(call.prospect.id)
        # Show the next prospect now, in the same frame as the cleared line, rather than when
        # the queue's Highlighted message comes round.
        self.highlighted = queue.highlighted
        self._show_highlighted()
        # After the next prospect is painted: the worker would compete for the GIL.
        self.call_after_refresh(self.reload_queue)

    def drop_call(self) -> None:
        self.call = None
        self._error = None
        self._clear_draft()
        self.main.queue.set_calling(None)
        self.main.capture.clear()
        self._update_call_title()
        self._show_highlighted()

    # --- the wrap-up --------------------------------------------------------------------

    def _set_wrap_up(self, wrap_up: WrapUp | None) -> None:
        """Offer (or stop offering) an objective for the call just recorded. While it is
        offered, the capture line holds the objective, not the next call; starting a call ends
        it, so there is never a wrap-up during a call."""
        self.wrap_up = wrap_up
        self.main.capture.set_placeholder(wrap_up.suggestion if wrap_up else None)
        self._update_call_title()

    def accept_objective(self) -> None:
        """enter at the wrap-up: the typed objective (a leading `>` allowed), else the one
        offered, becomes the next call's."""
        wrap_up, capture = self.wrap_up, self.main.capture
        typed = typed_objective(capture.value)
        objective = typed or wrap_up.suggestion
        try:
            self.store.set_next_objective(wrap_up.call.id, objective)
        except (StoreError, ValueError) as exc:
            self.notify(str(exc), title="objective not saved", severity="error")
            return
        self.planned = (wrap_up.prospect, objective)
        self._set_wrap_up(None)
        capture.clear()
        self._preview()
        self.reload_queue()  # the entries hold the prospect as it was

    def skip_objective(self) -> None:
        """escape at the wrap-up (it leaves the line, too): no objective; the jigsaw goes on
        suggesting one."""
        self._set_wrap_up(None)
        self.main.capture.clear()
        self._preview()

    def _update_call_title(self) -> None:
        capture = self.main.capture
        if self.wrap_up is not None:
            capture.border_title = f"Wrap-up · next objective for {self.wrap_up.prospect.name}"
            capture.border_subtitle = "enter keeps it · escape: none"
            return
        if self.call is None:
            capture.border_title = "Capture"
            capture.border_subtitle = ""
            return
        elapsed = (self.desk.now() - self.call.started_at).total_seconds()
        capture.border_title = f"Capture · on call with {self.call.prospect.name}"
        capture.border_subtitle = f"☎ {duration(elapsed)}"

    def _preview_ctx(self, prospect: Prospect) -> PreviewContext:
        found = self.store.zone_of(prospect)
        tz = zone(found[0]) if found else None
        config = self.desk.config
        return PreviewContext(
            self.desk.now(), config.tz, tz, config.calling_hours, config.legal_hours
        )

    def _preview(self) -> None:
        """Redraw the preview under the capture line."""
        capture = self.main.capture
        capture.show(self.preview_of(capture.value))

    def preview_of(self, line: str) -> Content:
        """What the preview shows for `line`: the capture bar asks on every keystroke."""
        if self.wrap_up is not None:
            return self._wrap_up_text(line)
        if self.call is not None and line.strip():
            prospect = self.call.prospect
            preview = self.desk.preview(prospect, line, self._known)
            error = self._error if line == self._error_line else None
            return render_preview(preview, self._preview_ctx(prospect), error)
        return self._idle_text()

    def _idle_text(self) -> Content:
        lines: list[Content] = []
        if self.call is not None:
            lines.append(
                Content.assemble(
                    ("on call with ", "$text-muted"),
                    (self.call.prospect.name, "bold"),
                    ("   this call: ", "$text-muted"),
                    (self.call.objective or "-", "$accent"),
                )  # fmt: skip
            )
            lines.append(Content.styled("type what you learn, then enter:", "$text-muted"))
        else:
            if self.last_saved is not None:
                lines += self._saved_text(*self.last_saved)
            entry = self.highlighted
            if entry is not None:
                lines.append(
                    Content.assemble(
                        ("enter", "bold $accent"), " calls ", (entry.prospect.name, "bold")
                    )
                )
            elif not self.book_empty:
                lines.append(Content.styled("nobody in the queue right now", "$text-muted"))
        lines.append(Content.styled(GRAMMAR, "$text-muted"))
        return Content("\n").join(lines)

    def _wrap_up_text(self, line: str) -> Content:
        wrap_up = self.wrap_up
        typed = typed_objective(line)
        lines = self._saved_text(wrap_up.call, wrap_up.prospect)
        lines.append(
            Content.assemble(
                ("next objective ▸ ", "bold $accent"),
                (typed, "bold") if typed else (wrap_up.suggestion, "$accent"),
            )
        )
        if not typed:
            lines.append(
                Content.assemble(
                    ("  it asks for ", "$text-muted"),
                    (wrap_up.offer.slot.label, "$text-warning"),
                    (", the most important piece still missing", "$text-muted"),
                )  # fmt: skip
            )
        keep = "enter keeps yours" if typed else "enter keeps it · type another"
        lines.append(Content.styled(f"{keep} · escape: none", "$text-muted"))
        return Content("\n").join(lines)

    def _saved_text(self, call: Call, prospect: Prospect) -> list[Content]:
        parts: list = [("✔ saved ", "bold $text-success"), f"{prospect.name}: "]
        parts.append((call.outcome.label, "bold"))
        wins = []
        if call.small_wins:
            wins.append(f"+{call.small_wins} small win{'s' * (call.small_wins != 1)}")
        if call.big_wins:
            wins.append(f"+{call.big_wins} big")
        if wins:
            parts.append((" · " + ", ".join(wins), "$text-success"))
        if call.next_call_at:
            when = call_time(call.next_call_at, self.desk.now(), self.desk.config.tz)
            parts.append(f" · next {when}")
        lines = [Content.assemble(*parts)]
        if self.planned is not None and self.planned[0].id == prospect.id:
            lines.append(
                Content.assemble(("next objective ", "$text-muted"), (self.planned[1], "$accent"))
            )
        if not call.small_wins and call.outcome.connected:
            lines.append(
                Content.styled("↳ nothing learned: what did you learn? (u undoes)", "$accent")
            )
        return lines

    # --- drafts --------------------------------------------------------------------------

    def _draft_payload(self) -> str:
        line = self.main.capture.value if self.main else ""
        if not line.strip() or self.wrap_up is not None:
            return ""  # nothing typed, or an objective being wrapped up: not a call's line
        call = self.call
        return json.dumps(
            {
                "prospect_id": call.prospect.id if call else None,
                "started_at": call.started_at.isoformat() if call else None,
                "line": line,
            },
            ensure_ascii=False,
        )

    def _save_draft_soon(self) -> None:
        self._drafts.set(self._draft_payload())
        if self.read_only:  # kept in memory, printed on exit: the book cannot hold it
            return
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._draft_timer = self.set_timer(DRAFT_DELAY, self._write_draft)

    @work(thread=True, group="draft", exit_on_error=False)
    def _write_draft(self) -> None:
        self._drafts.flush()

    def _clear_draft(self) -> None:
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._drafts.set("")
        try:
            self._drafts.flush()
        except StoreError as exc:
            self.notify(str(exc), title="draft not cleared", severity="error")

    def flush_draft(self) -> None:
        """Write the draft now (quit, a signal, a crash). Once the widgets are gone (after a
        crash), the keeper holds the last line typed."""
        if self.main is not None:
            try:
                payload = self._draft_payload()
            except NoMatches:
                payload = None
            if payload is not None:
                self._drafts.set(payload)
        self._drafts.flush()

    def shutdown(self) -> None:
        """Save the draft and close the session; safe to call more than once."""
        if self._shut_down:
            return
        self._shut_down = True
        try:
            self._keep_typed_objective()
            self.flush_draft()
        except StoreError:
            pass
        if self.session is not None:
            try:
                self.store.end_session(self.session.id)
            except StoreError:
                pass

    def _keep_typed_objective(self) -> None:
        """Leaving in the middle of a wrap-up: an objective typed is kept, as enter would."""
        if self.wrap_up is None or self.main is None:
            return
        try:
            typed = typed_objective(self.main.capture.value)
        except NoMatches:
            return
        if typed:
            self.store.set_next_objective(self.wrap_up.call.id, typed)

    def _handle_exception(self, error: Exception) -> None:
        """A handler raised: save the draft while the widgets are still there, then leave
        with one line on screen (the kind of error and the crash log), never a traceback:
        it would show the caller's words."""
        draft_saved = False
        try:
            self.shutdown()
            draft_saved = bool(self.store.load_draft(DRAFT_KEY))
        except Exception:  # noqa: BLE001 - the first error is the one to report
            pass
        if self.paths is None:
            super()._handle_exception(error)
            return
        self._return_code = 1
        log = crashlog.record_crash(self.paths, error)
        message = crashlog.screen_message(error, log, draft_saved=draft_saved)
        self._exit_renderables.append(Text(message))
        self._close_messages_no_wait()

    # --- messages from the widgets -------------------------------------------------------

    def on_queue_pane_highlighted(self, event: QueuePane.Highlighted) -> None:
        self.highlighted = event.entry
        if self.call is not None:
            return
        shown = self.shown.prospect.id if self.shown else None
        if event.entry is None or event.entry.prospect.id != shown:
            self._show_highlighted()

    def on_queue_pane_call_requested(self, event: QueuePane.CallRequested) -> None:
        entry = event.entry
        if entry is None:
            return
        if self.call is None:
            self.start_call(entry.prospect)
        elif self.call.prospect.id != entry.prospect.id:
            self.notify(
                f"you are on a call with {self.call.prospect.name}: enter commits it, x drops it",
                severity="warning",
            )
        self.main.capture.input.focus()

    def on_queue_pane_page_requested(self, event: QueuePane.PageRequested) -> None:
        self.reload_queue(offset=event.offset, position=event.position)

    def on_queue_pane_filter_changed(self, event: QueuePane.FilterChanged) -> None:
        query = event.query.strip()
        field = self.main.queue.filter_input
        if not event.query and field.value:
            field.value = ""
        if query == self._query:
            return
        self._query = query
        # Filtering highlights the best match; clearing keeps whoever was highlighted.
        current = self.main.queue.highlighted
        keep = current.prospect.id if current and not query else None
        self.reload_queue(offset=0, keep_id=keep, position=0)

    def on_capture_bar_changed(self, event: CaptureBar.Changed) -> None:
        """The bar has drawn the preview already; start the call if need be, keep the draft."""
        if event.line != event.bar.value:
            return  # typed before a commit or a wrap-up cleared the line: not a new call
        if self.wrap_up is not None:
            return  # the line holds the objective being wrapped up, not a call
        if self.call is None and event.line.strip() and self.highlighted is not None:
            self.start_call(self.highlighted.prospect)
            return
        self._save_draft_soon()

    def on_open_prospect(self, message: OpenProspect) -> None:
        self.open_detail(message.prospect_id, message.slot)

    def on_demo_built(self, message: DemoBuilt) -> None:
        self.book_empty = False
        self._names = None
        self.notify(f"demo book ready: {message.prospects} prospects", title="demo")
        self._day = None  # weeks of calls came with it: read the usual day again
        self._show_score()
        self.reload_queue(offset=0)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Worker failures, all in one place: a line for the caller, the app carries on."""
        if event.state is WorkerState.ERROR:
            error = event.worker.error
            self.notify(f"{error}", title=f"{event.worker.group} failed", severity="error")

    # --- actions -------------------------------------------------------------------------

    def action_call(self) -> None:
        """enter: start the call on the highlighted prospect, or commit the one in progress."""
        if self.main is None or self.screen is not self.main:
            return
        if self.call is not None:
            self.commit()
        elif self.wrap_up is not None:
            self.accept_objective()
        elif self.highlighted is not None:
            self.start_call(self.highlighted.prospect)
        else:
            self.notify("nobody to call: the queue is empty", severity="warning")

    def action_next(self) -> None:
        self.main.queue.move(+1)

    def action_previous(self) -> None:
        self.main.queue.move(-1)

    def action_focus_capture(self) -> None:
        self.main.capture.input.focus()

    def action_focus_jigsaw(self) -> None:
        self.main.jigsaw.rows.focus()

    def action_focus_filter(self) -> None:
        self.main.queue.filter_input.focus()

    def action_leave(self) -> None:
        if self.wrap_up is not None:
            self.skip_objective()
        self.main.queue.rows.focus()

    def action_detail(self) -> None:
        focused = self.main.focused
        in_queue = focused is not None and self.main.queue in focused.ancestors_with_self
        if in_queue and self.highlighted is not None:
            self.open_detail(self.highlighted.prospect.id)
        elif self.shown is not None:
            self.open_detail(self.shown.prospect.id)

    def open_detail(self, prospect_id: int, slot: str | None = None) -> None:
        from callbook.screens.detail import DetailData, DetailScreen

        prospect = self.store.get_prospect(prospect_id)
        if prospect is None:
            self.notify(f"no prospect #{prospect_id}", severity="error")
            return
        data = DetailData(
            prospect=prospect,
            template=self.desk.template_for(prospect),
            pieces=self.store.pieces(prospect_id),
            contacts=self.store.contacts(prospect_id),
            calls=self.store.calls(prospect_id),
            now=self.desk.now(),
            tz=self.desk.config.tz,
            zone=self.store.zone_of(prospect),
            phones=self.store.phones(prospect.id),
            gatekeepers=self.store.gatekeepers(prospect.id),
        )
        self.push_screen(DetailScreen(data, slot))

    def can_undo(self) -> bool:
        return self.session is not None and (
            self.store.last_call_of_session(self.session.id) is not None
        )

    def action_undo(self) -> None:
        from callbook.screens.dialogs import ConfirmScreen

        last = self.store.last_call_of_session(self.session.id) if self.session else None
        if last is None:
            self.notify("nothing to undo: no call recorded in this session", severity="warning")
            return
        prospect = self.store.get_prospect(last.prospect_id)
        wins = f"{last.small_wins} small win{'s' * (last.small_wins != 1)}"
        detail = f"{last.outcome.label}, {wins}. Its pieces go back to what was known before" + (
            "; its line comes back to the capture." if self.call is None else "."
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self._undo(last, prospect)

        self.push_screen(
            ConfirmScreen(f"Undo call #{last.id} to {prospect.name}?", detail), answered
        )

    def _undo(self, last: Call, prospect: Prospect) -> None:
        try:
            self.store.undo_call(last.id)
        except StoreError as exc:
            self.notify(str(exc), title="not undone", severity="error")
            return
        self.last_saved = None
        self._set_wrap_up(None)
        self._show_score()
        line = self.store.call_capture(last.id)
        fresh = self.store.get_prospect(prospect.id) or prospect
        if self.call is None and line:
            self.start_call(fresh, started_at=last.started_at)
            self.main.capture.set_value(line)
            self.notify(f"call #{last.id} undone: its line is back; enter records it, x drops it")
        else:
            self.notify(f"call #{last.id} undone")
            if self.shown is not None and self.shown.prospect.id == prospect.id:
                self._show(self.view_of(fresh, self.shown.objective))
        self.reload_queue(keep_id=self.highlighted.prospect.id if self.highlighted else None)

    def _target(self) -> Prospect | None:
        """Who skip and snooze act on: the highlighted prospect, when no call is on."""
        if self.main is None or self.screen is not self.main:
            return None
        if self.call is not None:
            self.notify("you are on a call: enter commits it, x drops it", severity="warning")
            return None
        if self.highlighted is None:
            self.notify("nobody highlighted in the queue", severity="warning")
            return None
        return self.highlighted.prospect

    def action_skip(self) -> None:
        """s: the highlighted prospect goes to the back of the queue for today."""
        prospect = self._target()
        if prospect is None:
            return
        try:
            self.store.skip(prospect.id, self.desk.now())
        except StoreError as exc:
            self.notify(str(exc), title="not skipped", severity="error")
            return
        self.notify(f"{prospect.name}: skipped for today")
        self.reload_queue(position=self.main.queue.position)

    def action_snooze(self) -> None:
        """z: out of the queue until a time the caller types."""
        from callbook.screens.dialogs import SnoozeScreen

        prospect = self._target()
        if prospect is None:
            return

        def parse(text: str) -> datetime:
            return self.desk.read_when(prospect, text)

        def answered(when: datetime | None) -> None:
            if when is None:
                return
            try:
                self.store.snooze(prospect.id, when)
            except StoreError as exc:
                self.notify(str(exc), title="not snoozed", severity="error")
                return
            shown = self.desk.show_when(prospect, when)
            self.notify(f"{prospect.name}: snoozed until {shown.text}")
            self.reload_queue(position=self.main.queue.position)

        self.push_screen(
            SnoozeScreen(prospect.name, parse, partial(self.desk.show_when, prospect)), answered
        )

    def action_stats(self) -> None:
        """w: the stats screen; the calling screen and its capture line stay as they are."""
        from callbook.screens.stats import StatsScreen
        from callbook.stats import summary

        if isinstance(self.screen, StatsScreen):
            return
        load = partial(summary, self.store, STATS_DAYS, self.desk.now(), self.desk.config.tz)
        self.push_screen(StatsScreen(load))

    def action_talk_tracks(self) -> None:
        """ctrl+t: the talk tracks of the prospect on the call (or shown), over the screen."""
        from callbook.screens.talk_tracks import TalkTracksScreen

        if isinstance(self.screen, TalkTracksScreen):
            self.screen.dismiss(None)
            return
        prospect = self.call.prospect if self.call else self.shown.prospect if self.shown else None
        if prospect is None:
            self.notify("no prospect to show talk tracks for", severity="warning")
            return
        self.push_screen(
            TalkTracksScreen(self.desk.template_for(prospect), prospect_name=prospect.name)
        )

    def action_drop_call(self) -> None:
        from callbook.screens.dialogs import ConfirmScreen

        if self.call is None:
            self.notify("no call in progress")
            return
        if not self.main.capture.value.strip():
            self.drop_call()
            return
        name = self.call.prospect.name

        def answered(yes: bool | None) -> None:
            if yes:
                self.drop_call()

        self.push_screen(
            ConfirmScreen(f"Drop the call to {name}?", "Nothing is recorded; the line is lost."),
            answered,
        )

    def action_help(self) -> None:
        from callbook.screens.dialogs import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss(None)
            return
        text = MAIN_HELP
        focused = self.screen.focused
        if focused is not None:
            for node in focused.ancestors_with_self:
                if getattr(node, "HELP", None):
                    text = node.HELP
                    break
        self.push_screen(HelpScreen(text, self.desk.config.keys))

    def action_recall(self) -> None:
        """`/`: the recall overlay over the calling screen; the call and its line stay."""
        from callbook.screens.recall import LIMIT as RECALL_LIMIT
        from callbook.screens.recall import RecallScreen
        from callbook.search import search

        if isinstance(self.screen, RecallScreen):
            return
        current = self.shown.prospect.id if self.shown else None
        searcher = partial(
            search, self.store, templates=self.desk.templates, limit=RECALL_LIMIT,
            current_prospect_id=current,
        )  # fmt: skip
        self.push_screen(RecallScreen(searcher, self.desk.now()))

    @work(thread=True, exclusive=True, group="recall", exit_on_error=False)
    def _prepare_recall(self) -> None:
        """Read recall's vocabulary once, off the UI thread, so that the first search is quick."""
        from callbook.search import recall_for

        recall_for(self.store).prepare()

    def action_refresh_book(self) -> None:
        """Read everything again: another process wrote to the book."""
        self._names = None
        self._reshow = True
        self._day = None  # an import or a restore may have brought history
        self._show_score()
        if self.call is not None:
            fresh = self.store.get_prospect(self.call.prospect.id)
            if fresh is not None:
                self.call = replace(self.call, prospect=fresh)
                self._show(self.view_of(fresh, self.call.objective))
                self._preview()
        self.reload_queue()

    def action_offer_demo(self) -> None:
        from callbook.screens.dialogs import WelcomeScreen

        if not self.book_empty:
            self.notify("the demo book only goes into an empty book; try callbook --db demo.db")
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.notify("building the demo book…", title="demo")
                self._build_demo()

        self.push_screen(WelcomeScreen(), answered)

    @work(thread=True, exclusive=True, group="demo", exit_on_error=False)
    def _build_demo(self) -> None:
        from callbook.demo import build_demo

        if self.store.count_prospects():
            return
        added = build_demo(self.store, self.desk.now())
        self.post_message(DemoBuilt(added))

    async def action_quit(self) -> None:
        self.shutdown()
        self.exit(return_code=0)


def make_app(
    desk: Desk,
    *,
    clock: Clock | None = None,
    signals: bool = False,
    paths: Paths | None = None,
) -> CallbookApp:
    """The one way to build the app: the CLI, the tests and the screenshot script use it.

    `clock` replaces the desk's clock (tests and screenshots pass a fixed one); `signals`
    installs the SIGTERM/SIGHUP handlers that save the draft (only for a real terminal);
    `paths` turns on the daily backup and the crash log."""
    return CallbookApp(desk, clock=clock, signals=signals, paths=paths)


def run_app(paths: Paths, clock: Clock | None = None) -> int:
    """Open the book at `paths` and run the calling screen; the exit code."""
    from callbook.store import StoreError

    try:
        # Before the screen takes over the terminal: the line stays in view while it works.
        desk = Desk.open(paths, clock=clock, announce=partial(print, file=sys.stderr, flush=True))
    except StoreError as exc:
        print(f"callbook: {exc}", file=sys.stderr)
        return 1
    try:
        app = make_app(desk, signals=True, paths=paths)
        app.run()
        app.shutdown()
        say_unsaved(app)
        return app.return_code or 0
    finally:
        desk.close()


def say_unsaved(app: CallbookApp) -> None:
    """The line being typed, on the terminal, when the book could not keep it (a full disk, a
    read-only book): the caller's words are never lost without a word."""
    line = app._drafts.unsaved_line()
    if line:
        with contextlib.suppress(OSError, ValueError):
            print(f"callbook: this line could not be saved, copy it: {line}", file=sys.stderr,
                  flush=True)  # fmt: skip
