"""CallbookApp: the wiring of the calling screen. The call itself (start, commit, the wrap-up,
the one-key outcomes, undo, drafts) is the CallFlow's (callbook/service/call_flow.py); this
class routes keys and widget messages to it, runs slow reads in workers, keeps the draft on
disk (~300 ms after the last keystroke, on quit, on SIGTERM/SIGHUP) and shows what the flow
returns through the presenters in widgets/ and screens/.

Focus follows the call: between calls it rests on the queue, where single-letter keys work;
during a call (and its wrap-up) it is in the capture line, where text goes.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import threading
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
from callbook.clock import Clock, zone
from callbook.desk import Desk
from callbook.jigsaw import current_pieces
from callbook.model import Outcome, Prospect, QueueEntry, Scoreboard, Session
from callbook.paths import Paths
from callbook.service.call_flow import (
    CallFlow,
    CallRefused,
    Committed,
    NothingToUndo,
    Phase,
    typed_objective,
)
from callbook.service.draft_keeper import DraftKeeper, UnsentLine
from callbook.state import chosen_theme, remember_theme
from callbook.stats import UsualDay, days_span, usual_day
from callbook.store import ReadOnlyError, StoreError
from callbook.tui.commands import CallbookCommands
from callbook.tui.keymap import bind, keys_for, remap, unknown_ids
from callbook.tui.messages import CallProspect, DemoBuilt, OpenProspect, QueueLoaded
from callbook.tui.screens import side
from callbook.tui.screens.main import MainScreen
from callbook.tui.widgets import call_text
from callbook.tui.widgets.capture import CaptureBar
from callbook.tui.widgets.jigsaw_pane import ProspectView
from callbook.tui.widgets.queue_pane import PAGE, QueuePane, QueueWindow, RowContext

DRAFT_DELAY = 0.3  # seconds after the last keystroke
POLL_SECONDS = 1.0
CHECKPOINT_SECONDS = 30.0  # idle housekeeping of the book
EXIT_DEADLINE = 3.0  # seconds a SIGTERM'd app may take to restore the terminal
FAILURES = (CaptureRejected, CallRefused, StoreError, ValueError)


class CallbookApp(App[int]):
    """The calling screen."""

    CSS_PATH = Path(__file__).with_name("callbook.tcss")  # absolute: subclasses live elsewhere
    TITLE = "callbook"
    COMMANDS = App.COMMANDS | {CallbookCommands}
    BINDINGS = [bind("quit"), bind("help")]

    def __init__(
        self, desk: Desk, *, clock: Clock | None = None, signals: bool = False,
        paths: Paths | None = None,
    ) -> None:  # fmt: skip
        super().__init__()
        remap(self, desk.config.keys)
        if clock is not None:
            desk.store.clock = clock
        self.desk = desk
        self.store = desk.store
        self.paths = paths  # None (tests): no backups, no crash log
        self.signals = signals
        self.flow = CallFlow(desk, drafts=DraftKeeper(desk.store))
        self.main: MainScreen | None = None
        self.session: Session | None = None
        self.read_only: str | None = None  # why the book cannot be written, when it cannot
        self.highlighted: QueueEntry | None = None
        self.shown: ProspectView | None = None
        self.book_empty = False
        self.usual: UsualDay | None = None  # read in a worker after the first paint
        self._unsent: list[UnsentLine] = []  # lines left by apps now gone, to bring back
        self._known: dict[str, str] = {}
        self._error: tuple[str, str] | None = None  # (why the last commit was refused, line)
        # (prospect id, line) refused once as outside the legal hours: enter again forces it.
        self._outside_hours_line: tuple[int, str] | None = None
        self._score = Scoreboard()  # this session
        self._today = Scoreboard()
        self._day: date | None = None  # the caller's day the usual day was read for
        self._draft_timer: Timer | None = None
        self._queue_token = 0
        self._query = ""
        self._names = None  # the filter's haystack; None: read again
        self._version: int | None = None
        self._minute: int | None = None
        self._shut_down = False
        self._first_paint = False  # True once the queue is on screen: background reads may start
        self._reshow = False  # the next queue load re-reads the highlighted prospect

    @property
    def call(self):
        return self.flow.call

    @property
    def wrap_up(self):
        return self.flow.wrap_up

    @property
    def draft_key(self) -> str:
        return self.flow.drafts.key

    def key_name(self, key_id: str) -> str:
        return keys_for(key_id, self.desk.config.keys).split(", ")[0]

    # --- start-up and leaving ------------------------------------------------------------

    async def on_mount(self) -> None:
        config = self.desk.config
        if config.keys:
            self.set_keymap(config.keys)
        problems = [*config.errors, *self.desk.templates.errors]
        for key_id in unknown_ids(config.keys):
            problems.append(f"config [keys]: no key binding with id {key_id!r}")
        theme = chosen_theme(self.paths, config.theme)
        if theme in self.available_themes:
            self.theme = theme
        elif theme:
            problems.append(f"config: theme: no theme {theme!r} (the palette lists them)")
        for problem in problems:
            self.notify(problem, title="config", severity="warning", timeout=10)
        try:
            if busy := self.store.write_busy():  # claiming them is a write: never wait for it
                raise StoreError(f"unsent lines come back later: the book is busy in {busy}")
            self._unsent = self.flow.unsent()  # claims them: a write
        except ReadOnlyError as exc:
            self.read_only = str(exc)
        except StoreError as exc:  # busy in another process: brought back next time
            self.notify(str(exc), title="unsent lines", severity="warning", timeout=10)
        self._version = self.store.data_version()
        first = self._unsent[0].prospect if self._unsent else None
        self.reload_queue(offset=0, keep_id=first.id if first else None)  # while the screen builds
        try:
            if self.read_only:
                raise ReadOnlyError(self.read_only)
            if busy := self.store.write_busy():  # never a blank screen while another writes
                raise StoreError(f"no session yet: the book is busy in {busy}")
            self.session = self.store.start_session()
            self.flow.session_id = self.session.id
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
        self._bring_back_unsent()
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

    def _bring_back_unsent(self) -> None:
        """The next unsent line (of an app that quit or died), with its call, when none is on."""
        if not self._unsent or self.flow.phase is not Phase.IDLE:
            return
        unsent = self._unsent.pop(0)
        started = self.flow.resume(unsent)
        if started is not None:
            self._on_call(started.prospect)
        self.main.capture.set_value(unsent.line)
        more = f"; {len(self._unsent)} more after this one" if self._unsent else ""
        self.notify(f"the line you were typing for {unsent.whose} is back{more}", title="draft")

    def _install_signal_handlers(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        loop = asyncio.get_running_loop()
        # SIGINT (130) and SIGQUIT too: each leaves through the exit that restores the terminal.
        for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT, signal.SIGQUIT):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(sig, self._on_signal, sig)

    def _on_signal(self, sig: int) -> None:
        """SIGTERM/SIGHUP: the draft goes to disk first, then the app leaves. After SIGHUP the
        terminal is gone (restoring it could block): the process ends at once."""
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

    def shutdown(self) -> None:
        """Save the draft (an objective typed at the wrap-up is kept, as enter would) and close
        the session; safe to call more than once."""
        if self._shut_down:
            return
        self._shut_down = True
        in_wrap_up = self.flow.wrap_up is not None
        with contextlib.suppress(StoreError, NoMatches):
            if in_wrap_up and self.main is not None:
                typed = typed_objective(self.main.capture.value)
                if typed and not self.flow.wrap_up_typed(typed):
                    self.flow.finish_wrap_up(typed)
        with contextlib.suppress(StoreError):
            if in_wrap_up:  # the line held an objective, never a call's draft
                self.flow.drafts.set("")
                self.flow.drafts.flush(wait=True)
            else:
                self.flush_draft()
        self.flow.drafts.release()
        if self.session is not None:
            with contextlib.suppress(StoreError):
                self.store.end_session(self.session.id)

    def _handle_exception(self, error: Exception) -> None:
        """A handler raised: save the draft while the widgets are still there, then leave with
        one line on screen (never a traceback: it would show the caller's words)."""
        draft_saved = False
        with contextlib.suppress(Exception):
            self.shutdown()
            draft_saved = bool(self.flow.drafts.current())
        if self.paths is None:
            super()._handle_exception(error)
            return
        self._return_code = 1
        log = crashlog.record_crash(self.paths, error)
        self._exit_renderables.append(
            Text(crashlog.screen_message(error, log, draft_saved=draft_saved))
        )
        self._close_messages_no_wait()

    def on_unmount(self) -> None:
        """However the app ends (a test harness closes it without quit): from now on its
        draft is an unsent line for the next app."""
        self.flow.drafts.release()

    async def action_quit(self) -> None:
        self.shutdown()
        self.exit(return_code=0)

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
        if not self._shut_down:
            with contextlib.suppress(StoreError):
                self.store.checkpoint()

    def _tick(self) -> None:
        """Once a second: the timers, local times, and whether another process wrote."""
        if self.main is None or self._shut_down or not self.main.is_attached or self._exit:
            return  # not started yet, or on the way out
        if not self.is_running:
            return  # shutting down without exit() (a test harness): widgets are going
        self._show_elapsed()
        self._update_title()
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

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Worker failures, all in one place: a line for the caller, the app carries on."""
        if event.state is WorkerState.ERROR:
            error = event.worker.error
            self.notify(f"{error}", title=f"{event.worker.group} failed", severity="error")

    # --- reading the book ----------------------------------------------------------------

    def _ctx(self) -> RowContext:
        return RowContext(self.desk.now(), self.desk.config.tz)

    def view_of(self, prospect: Prospect, objective: str | None = None) -> ProspectView:
        return ProspectView.read(self.desk, prospect, objective)

    def _show(self, view: ProspectView | None) -> None:
        self.shown = view
        self.main.jigsaw.show(view)
        self._known = {k: p.value for k, p in current_pieces(view.pieces).items()} if view else {}
        self.main.capture.set_template(view.jigsaw.template if view else None)

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
        if query:  # the whole book, not only today's queue: anyone can be called
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
        if before and after and before.prospect.id == after.prospect.id:
            self.highlighted = after  # fresh from the book; a change of prospect posts its own
            if self._reshow and self.call is None:
                self._show_highlighted()
        self._reshow = False
        if not self._first_paint:
            self._first_paint = True
            # Reads that compete for the GIL wait for the first paint.
            self.call_after_refresh(self._prepare_recall)
            self.call_after_refresh(self._show_score)  # reads the usual day

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
            self.flow.refresh()
            self._show(self.view_of(self.call.prospect, self.call.objective))
            self._preview()
        self.reload_queue()

    # --- the call: routing to the flow ---------------------------------------------------

    def start_call(self, prospect: Prospect) -> bool:
        try:
            self.flow.start(prospect)
        except FAILURES as exc:
            self.notify(str(exc), title="not called", severity="warning")
            return False
        self._on_call(prospect)
        # Begun now (a call brought back by undo or a restart is not dialled again), lawfully.
        if not self.desk.outside_legal_hours(prospect, self.flow.call.started_at):
            self._hand_off(self.flow.call.dialled)
        return True

    def _on_call(self, prospect: Prospect) -> None:
        call = self.flow.call
        self._error = None
        self._show(self.view_of(call.prospect, call.objective))
        self.main.queue.set_calling(prospect.id)
        self.main.capture.set_placeholder(None)
        self._update_title()
        self.main.capture.input.focus()
        self._preview()
        self._save_draft_soon()
        outside = self.desk.outside_legal_hours(prospect, call.started_at)
        if outside:
            self.notify(f"{prospect.name}: {outside}", title="outside hours", severity="error")

    def _hand_off(self, number: str | None) -> None:
        """Give the number the call records as dialled to the configured dialer (see
        callbook.dial)."""
        from callbook.dial import launch, plan

        dial = plan(self.desk.config.dial, number)
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
        if self._draft_timer is not None:
            self._draft_timer.stop()
        line, call = self.main.capture.value, self.flow.call
        # Outside the legal hours, enter records only the second time: the explicit force.
        forced = self._outside_hours_line == (call.prospect.id, line)
        try:
            if busy := self.store.write_busy():  # the UI never waits on another process
                raise StoreError(f"not saved yet: the book is busy in {busy}; "
                                 "enter tries again")  # fmt: skip
            done = self.flow.commit(line, outside_hours=forced)
        except FAILURES as exc:
            message = str(exc)
            if not forced and self.desk.outside_legal_hours(call.prospect, call.started_at):
                self._outside_hours_line = (call.prospect.id, line)
                message = message.replace("force it to call anyway", "enter again to force it")
            self._error = (message, line)
            self._preview()
            self._save_draft_soon()  # the line stays the draft
            return
        self._committed(done)

    def _quick(self, outcome: Outcome) -> None:
        """a / v between calls: the highlighted prospect's no-answer or voicemail, at once."""
        if self.screen is not self.main or self.highlighted is None:
            return
        if self.flow.phase is not Phase.IDLE:
            self.notify(f"finish this call first: !{outcome.code} then enter", severity="warning")
            return
        try:
            done = self.flow.quick(self.highlighted.prospect, outcome)
        except FAILURES as exc:
            self.notify(str(exc), title="not recorded", severity="warning")
            return
        self._committed(done)

    def _committed(self, done: Committed) -> None:
        """After a commit: the line clears, the queue moves on; the wrap-up (if offered) keeps
        the capture, else the focus goes back to the queue, where the next call is one key."""
        self._error = None
        capture, queue = self.main.capture, self.main.queue
        queue.set_calling(None)
        capture.clear()
        capture.set_placeholder(done.wrap_up.suggestion if done.wrap_up else None)
        self._show_score()
        self._update_title()
        queue.advance_past(done.call.prospect_id)
        # The next prospect now, in the same frame as the cleared line.
        self.highlighted = queue.highlighted
        self._show_highlighted()
        if done.wrap_up is None:
            queue.rows.focus()
            self._bring_back_unsent()
        self.call_after_refresh(self.reload_queue)  # after the paint: it competes for the GIL

    def _wrap_up_done(self, forwarded: str | None) -> None:
        capture = self.main.capture
        capture.set_placeholder(None)
        self._update_title()
        if forwarded is not None:
            # The next call's line: on the next prospect, or waiting in the line for one.
            if self.highlighted is not None and self.start_call(self.highlighted.prospect):
                capture.set_value(forwarded)
            else:
                self.notify("no call started: pick a prospect, the line waits", severity="warning")
            self._preview()
            return
        capture.clear()
        self._preview()
        self.main.queue.rows.focus()
        self.reload_queue()  # the entries hold the prospect as it was
        self._bring_back_unsent()

    def action_call(self) -> None:
        """enter: start the call on the highlighted prospect, commit the one in progress, or
        take the wrap-up's objective."""
        if self.main is None or self.screen is not self.main:
            return
        phase = self.flow.phase
        if phase is Phase.ON_CALL:
            self.commit()
        elif phase is Phase.WRAP_UP:
            try:
                done = self.flow.finish_wrap_up(self.main.capture.value)
            except FAILURES as exc:
                self.notify(str(exc), title="objective not saved", severity="error")
                return
            self._wrap_up_done(done.forwarded)
        elif self.highlighted is not None:
            self.start_call(self.highlighted.prospect)
        else:
            self.notify("nobody to call: the queue is empty", severity="warning")

    def action_leave(self) -> None:
        """escape in the capture: the wrap-up keeps the objective in force; a call's line
        stays as its draft. Either way the focus goes back to the queue."""
        if self.flow.wrap_up is not None:
            self.flow.keep_objective()
            self._wrap_up_done(None)
        self.main.queue.rows.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys the footer shows only where they act: drop during a call, the one-key
        outcomes between calls."""
        if action == "drop_call":
            return self.flow.call is not None
        if action in ("no_answer", "voicemail"):
            return self.flow.phase is Phase.IDLE
        return True

    def action_no_answer(self) -> None:
        self._quick(Outcome.NO_ANSWER)

    def action_voicemail(self) -> None:
        self._quick(Outcome.VOICEMAIL)

    def drop_call(self) -> None:
        self.flow.drop()
        self._error = None
        self.main.queue.set_calling(None)
        self.main.capture.clear()
        self._update_title()
        self._show_highlighted()
        self.main.queue.rows.focus()
        self._bring_back_unsent()

    def action_drop_call(self) -> None:
        if self.call is None:
            self.notify("no call in progress")
        elif not self.main.capture.value.strip():
            self.drop_call()
        else:
            side.confirm_drop(self, self.call.prospect.name, self.drop_call)

    def can_undo(self) -> bool:
        return self.flow.last_call() is not None

    def action_undo(self) -> None:
        last = self.flow.last_call()
        if last is None:
            self.notify("nothing to undo: no call recorded in this session", severity="warning")
            return
        side.confirm_undo(self, last, self.store.get_prospect(last.prospect_id), self._undo)

    def _undo(self) -> None:
        """Undo the last call everywhere it shows: the line, the jigsaw, the queue, the score."""
        try:
            undone = self.flow.undo()
        except (NothingToUndo, StoreError) as exc:
            self.notify(str(exc), title="not undone", severity="error")
            return
        self.main.capture.set_placeholder(None)
        self._show_score()
        if undone.restarted is not None:
            self._on_call(undone.prospect)
            self.main.capture.set_value(undone.line)
            self.notify(f"call #{undone.call.id} undone: its line is back; enter records it")
        else:
            self.notify(f"call #{undone.call.id} undone")
            if self.shown is not None and self.shown.prospect.id == undone.prospect.id:
                self._show(self.view_of(undone.prospect, self.shown.objective))
            self._preview()
        self.reload_queue(keep_id=undone.prospect.id if self.call is None else None)

    # --- the capture line and its preview ------------------------------------------------

    def _update_title(self) -> None:
        capture = self.main.capture
        capture.border_title, capture.border_subtitle = call_text.capture_title(
            self.flow, self.desk.now()
        )

    def _preview(self) -> None:
        self.main.capture.show(self.preview_of(self.main.capture.value))

    def _keys(self) -> call_text.Keys:
        return call_text.Keys(
            self.key_name("call"), self.key_name("undo"), self.key_name("no-answer"),
            self.key_name("voicemail"),
        )  # fmt: skip

    def preview_of(self, line: str) -> Content:
        """What the preview shows for `line`: the capture bar asks on every keystroke."""
        flow, now, tz = self.flow, self.desk.now(), self.desk.config.tz
        if flow.wrap_up is not None:
            return call_text.wrap_up_text(flow.wrap_up, line, now, tz, self._keys())
        if flow.call is not None and line.strip():
            prospect = flow.call.prospect
            shown = flow.preview(line, self._known)
            found = self.store.zone_of(prospect)
            config = self.desk.config
            ctx = call_text.PreviewContext(
                now, tz, zone(found[0]) if found else None, config.calling_hours,
                config.legal_hours,
            )  # fmt: skip
            error = self._error[0] if self._error and self._error[1] == line else None
            return call_text.render_preview(shown.preview, ctx, error, shown.aftermath)
        entry = self.highlighted
        return call_text.idle_text(
            call=flow.call, last=flow.last, highlighted=entry.prospect if entry else None,
            book_empty=self.book_empty, now=now, tz=tz, keys=self._keys(),
        )  # fmt: skip

    def on_capture_bar_changed(self, event: CaptureBar.Changed) -> None:
        """A keystroke in the capture: start the call if none is on, forward a capture typed
        at the wrap-up to the next call, keep the draft."""
        line = event.line
        if line != event.bar.value:
            return  # typed before a commit or a wrap-up cleared the line: not a new call
        if self.flow.wrap_up is not None:
            if self.flow.wrap_up_typed(line):
                self.flow.keep_objective()
                self._wrap_up_done(line)
            return
        if self.call is None and line.strip() and self.highlighted is not None:
            self.start_call(self.highlighted.prospect)
            return
        self._save_draft_soon()

    # --- drafts --------------------------------------------------------------------------

    def _save_draft_soon(self) -> None:
        if self._shut_down:  # the last line is on disk already: nothing after it may replace it
            return
        self.flow.draft(self.main.capture.value)
        if self.read_only:  # kept in memory, printed on exit: the book cannot hold it
            return
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._draft_timer = self.set_timer(DRAFT_DELAY, self._write_draft)

    @work(thread=True, group="draft", exit_on_error=False)
    def _write_draft(self) -> None:
        if not self._shut_down:
            self.flow.drafts.flush()

    def flush_draft(self) -> None:
        """Write the draft now (quit, a signal, a crash). Once the widgets are gone (after a
        crash), the keeper holds the last line typed."""
        if self.main is not None:
            with contextlib.suppress(NoMatches):
                self.flow.draft(self.main.capture.value)
        self.flow.drafts.flush(wait=True)

    # --- messages from the widgets and screens -------------------------------------------

    def on_queue_pane_highlighted(self, event: QueuePane.Highlighted) -> None:
        self.highlighted = event.entry
        if self.call is not None:
            return
        shown = self.shown.prospect.id if self.shown else None
        if event.entry is None or event.entry.prospect.id != shown:
            self._show_highlighted()

    def on_queue_pane_call_requested(self, event: QueuePane.CallRequested) -> None:
        if event.entry is not None:
            self._call_from_anywhere(event.entry.prospect.id)

    def on_call_prospect(self, message: CallProspect) -> None:
        """enter on a prospect found anywhere (filter, recall, detail)."""
        self._call_from_anywhere(message.prospect_id)

    def _call_from_anywhere(self, prospect_id: int) -> None:
        if self.call is not None and self.call.prospect.id == prospect_id:
            self.main.capture.input.focus()
            return
        prospect = self.store.get_prospect(prospect_id)
        if prospect is not None:
            while self.screen is not self.main:
                self.pop_screen()
            self.start_call(prospect)

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

    def on_open_prospect(self, message: OpenProspect) -> None:
        self.open_detail(message.prospect_id, message.slot)

    def on_demo_built(self, message: DemoBuilt) -> None:
        self.book_empty = False
        self._names = None
        self.notify(f"demo book ready: {message.prospects} prospects", title="demo")
        self._day = None  # weeks of calls came with it: read the usual day again
        self._show_score()
        self.reload_queue(offset=0)

    # --- keys that move around -----------------------------------------------------------

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

    def action_detail(self) -> None:
        focused = self.main.focused
        in_queue = focused is not None and self.main.queue in focused.ancestors_with_self
        if in_queue and self.highlighted is not None:
            self.open_detail(self.highlighted.prospect.id)
        elif self.shown is not None:
            self.open_detail(self.shown.prospect.id)

    def open_detail(self, prospect_id: int, slot: str | None = None) -> None:
        side.open_detail(self, prospect_id, slot)

    def _idle_target(self) -> Prospect | None:
        """Who skip and snooze act on: the highlighted prospect, when no call is on."""
        if self.main is None or self.screen is not self.main:
            return None
        if self.call is not None:
            drop = self.key_name("drop")
            self.notify(f"you are on a call: enter commits it, {drop} drops it", severity="warning")
            return None
        if self.highlighted is None:
            self.notify("nobody highlighted in the queue", severity="warning")
            return None
        return self.highlighted.prospect

    def action_skip(self) -> None:
        """s: the highlighted prospect goes to the back of the queue for today."""
        prospect = self._idle_target()
        if prospect is not None and side.skip(self, prospect):
            self.reload_queue(position=self.main.queue.position)

    def action_snooze(self) -> None:
        """z: out of the queue until a time the caller types."""
        prospect = self._idle_target()
        if prospect is not None:
            position = self.main.queue.position
            side.snooze(self, prospect, partial(self.reload_queue, position=position))

    def action_stats(self) -> None:
        side.open_stats(self)

    def action_talk_tracks(self) -> None:
        side.toggle_talk_tracks(self)

    def action_help(self) -> None:
        side.toggle_help(self)

    def action_recall(self) -> None:
        side.open_recall(self)

    def action_offer_demo(self) -> None:
        side.offer_demo(self, self._build_demo)

    @work(thread=True, exclusive=True, group="demo", exit_on_error=False)
    def _build_demo(self) -> None:
        from callbook.demo import build_demo

        if not self.store.count_prospects():
            self.post_message(DemoBuilt(build_demo(self.store, self.desk.now())))


def make_app(
    desk: Desk, *, clock: Clock | None = None, signals: bool = False, paths: Paths | None = None
) -> CallbookApp:
    """The one way to build the app: the CLI, the tests and the screenshot script use it.

    `clock` replaces the desk's clock (tests and screenshots pass a fixed one); `signals`
    installs the SIGTERM/SIGHUP handlers that save the draft (only for a real terminal);
    `paths` turns on the daily backup and the crash log."""
    return CallbookApp(desk, clock=clock, signals=signals, paths=paths)


def run_app(paths: Paths, clock: Clock | None = None) -> int:
    """Open the book at `paths` and run the calling screen; the exit code."""
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
    line = app.flow.drafts.unsaved_line()
    if line:
        with contextlib.suppress(OSError, ValueError):
            print(f"callbook: this line could not be saved, copy it: {line}", file=sys.stderr,
                  flush=True)  # fmt: skip
