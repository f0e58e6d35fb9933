"""The caller's desk: an open book with its templates, settings and clock, and the operations
that the command line and the app share (the jigsaw of a prospect, previewing and committing a
capture line). One place, so that `callbook log` and the calling screen record a call the same
way.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, tzinfo

from callbook.capture.apply import CaptureRejected, to_new_call
from callbook.capture.grammar import parse
from callbook.capture.preview import Preview, preview
from callbook.config import Config, load_config, with_templates
from callbook.jigsaw import Jigsaw, TemplateSet, build_jigsaw, load_templates
from callbook.model import Call, Capture, Outcome, Prospect, QueueEntry, Slot, Template
from callbook.paths import Paths
from callbook.store import Store


@dataclass(frozen=True)
class Haystack:
    """Prospect ids and their folded names, in the same order."""

    ids: list[int]
    texts: list[str]


@dataclass(frozen=True)
class ObjectiveOffer:
    """An objective for the next call, and the missing piece it asks for."""

    objective: str
    slot: Slot


@dataclass
class Desk:
    store: Store
    config: Config
    templates: TemplateSet

    def __post_init__(self) -> None:
        # The queue's order follows the config (hours, cooldown, cap, the caller's zone) and
        # the templates' availability slots.
        from callbook.queue import QueueSettings

        self.store.templates = self.templates  # slot lifetimes, for confirmations
        self.store.queue_settings = QueueSettings.from_config(
            self.config, self.templates.templates.values()
        )

    @classmethod
    def open(cls, paths: Paths, *, clock=None, create: bool = True, announce=None) -> Desk:
        """`announce` shows a line before a long upgrade of the book (see Store.open)."""
        from callbook.clock import clock_from_env

        config = load_config(paths)
        store = Store.open(
            paths.db, clock=clock or clock_from_env(), create=create, announce=announce
        )
        templates = load_templates(config.templates_dir)
        return cls(store, with_templates(config, templates.templates), templates)

    @classmethod
    def around(cls, store: Store, config: Config | None = None) -> Desk:
        config = config or Config()
        return cls(store, config, load_templates(config.templates_dir))

    def close(self) -> None:
        self.store.close()

    def now(self) -> datetime:
        return self.store.clock()

    def template_for(self, prospect: Prospect) -> Template:
        return self.templates.get(prospect.template or self.config.default_template)

    def jigsaw(self, prospect: Prospect) -> Jigsaw:
        """The prospect's jigsaw now: pieces past their lifetime are stale (in their zone)."""
        pieces = self.store.pieces(prospect.id)
        return build_jigsaw(
            self.template_for(prospect), pieces, self.store.clock(), self.prospect_tz(prospect)
        )

    def prospect_tz(self, prospect: Prospect) -> tzinfo:
        """The prospect's zone; the caller's when it is unknown."""
        return self.prospect_zone(prospect) or self.config.tz

    def attempt_plan(self, prospect: Prospect):
        """Where the prospect is in its attempt plan (`attempts.PlanState`); None when no plan
        applies (none in its template, or someone it was for answered)."""
        from callbook.attempts import Attempt, plan_state

        plan = self.store.attempt_plan(prospect.id) or self.template_for(prospect).plan
        if plan is None:
            return None
        calls = [c for c in self.store.calls(prospect.id) if c.undone_at is None]
        tries = [Attempt(c.started_at, c.outcome) for c in calls]
        return plan_state(plan, tries, self.prospect_tz(prospect))

    def best_time(self, prospect: Prospect):
        """The window the prospect is usually reached in, with its evidence (`reach.Reach`)."""
        from callbook.reach import Try, learn

        calls = [c for c in self.store.calls(prospect.id) if c.undone_at is None]
        return learn([Try(c.started_at, c.outcome) for c in calls], self.prospect_tz(prospect))

    def suggested_objective(self, prospect: Prospect) -> str | None:
        """An objective for the next call when the caller set none: the question that gets the
        most important missing piece, read from the book as it is now (after a commit, the
        jigsaw that call left)."""
        return self.jigsaw(prospect).suggested_objective

    def known_values(self, prospect: Prospect) -> dict[str, str]:
        return {slot: p.value for slot, p in self.store.current_pieces(prospect.id).items()}

    def parse(self, prospect: Prospect, line: str) -> Capture:
        return parse(
            line, self.template_for(prospect), self.now(), self.config.tz,
            prospect_tz=self.prospect_zone(prospect),
        )  # fmt: skip

    # --- times said on the phone (calling hours) ----------------------------------------

    def prospect_zone(self, prospect: Prospect) -> tzinfo | None:
        """The zone a time said on the phone is in: the prospect's, when one is known."""
        from callbook.when import zone

        found = self.store.zone_of(prospect)
        return zone(found[0]) if found else None

    def read_when(self, prospect: Prospect, text: str) -> datetime:
        """A next-call time typed for `prospect` (snooze, `@when`): in their zone when known,
        the caller's after `mine`. Raises ValueError with one line for the caller."""
        from callbook.capture.grammar import parse_when

        tz = self.config.tz
        return parse_when(text, self.now(), self.prospect_zone(prospect) or tz, mine_tz=tz)

    def outside_legal_hours(self, prospect: Prospect, at: datetime | None = None) -> str | None:
        """Why calling `prospect` at `at` (now) would break the legal floor, or None. Calling
        then needs an explicit force, and the call is recorded as forced."""
        from callbook.queue import legal_place, outside_legal_hours

        settings = self.store.queue_settings  # set from the config when the desk opened
        place = legal_place(prospect.country, prospect.region, prospect.phones, settings.region)
        return outside_legal_hours(
            self.store.zone_key(prospect), place, at or self.now(), settings
        )

    def show_when(self, prospect: Prospect, when: datetime):
        """`preview.show_when` for this prospect: both times, and a warning outside hours."""
        from callbook.capture.preview import show_when

        return show_when(
            when, self.now(), self.config.tz, self.prospect_zone(prospect),
            self.config.calling_hours, self.config.legal_hours,
        )  # fmt: skip

    def preview(
        self, prospect: Prospect, line: str, known: dict[str, str] | None = None
    ) -> Preview:
        known = self.known_values(prospect) if known is None else known
        capture = self._known_people(prospect, self.parse(prospect, line), known)
        return preview(capture, self.template_for(prospect), known)

    def _known_people(self, prospect: Prospect, capture: Capture, known: dict[str, str]):
        """The capture as the store will record it: a piece naming a known person ("gk:
        Lukas" for Lukas Patel) shows their name as known, or the piece in force when it
        will leave that alone (no change, no win)."""
        from callbook import people
        from callbook.capture.apply import split_name_title

        template = self.template_for(prospect)
        roles = {p.slot: s.role for p in capture.pieces if (s := template.slot(p.slot)) and s.role}
        if not roles:
            return capture
        contacts = self.store.contacts(prospect.id)
        pieces = []
        for piece in capture.pieces:
            role = roles.get(piece.slot)
            same_role = [c.name for c in contacts if role is not None and c.role is role]
            name, title = split_name_title(piece.value)
            found = people.match(name, same_role) if same_role else None
            if found is not None and not found.fuller:
                in_force = known.get(piece.slot)
                in_force_name = split_name_title(in_force)[0] if in_force else None
                value = people.settled_value(same_role[found.index], title, in_force_name)
                piece = replace(piece, value=value if value is not None else in_force)
            pieces.append(piece)
        return replace(capture, pieces=tuple(pieces))

    def commit(
        self,
        prospect: Prospect,
        line: str,
        *,
        started_at: datetime | None = None,
        session_id: int | None = None,
        objective: str | None = None,
        clear_draft: str | None = None,
        dialled: str | None = None,
        outside_hours: bool = False,
    ) -> Call:
        """Record the call a capture line describes: on disk when this returns, with the
        draft `clear_draft` deleted in the same transaction.

        Raises CaptureRejected (one line) when the line has an error or no outcome, or when
        the call began outside the prospect's legal hours and `outside_hours` (the caller's
        explicit force, kept with the call) is not given.
        """
        ended = self.now()
        started = min(started_at or ended, ended)
        outside = self.outside_legal_hours(prospect, started)
        if outside and not outside_hours:
            raise CaptureRejected(f"{outside}; nothing recorded (force it to call anyway)")
        capture = self.parse(prospect, line)
        new = to_new_call(
            capture,
            self.template_for(prospect),
            prospect_id=prospect.id,
            started_at=started,
            ended_at=ended,
            session_id=session_id,
            objective=objective if objective is not None else prospect.next_objective,
        )
        if dialled is not None:  # None: the store records the prospect's first to dial
            new = replace(new, dialled=dialled)
        if outside:
            new = replace(new, outside_hours=True)
        return self.store.record_call(new, clear_draft=clear_draft)

    def number_effect(self, prospect: Prospect, outcome: Outcome | None,
                      dialled: str | None = None) -> str | None:  # fmt: skip
        """What an outcome will do to the prospect's numbers, in one line for the preview and
        the command line (None: nothing): `!wrong` retires the number dialled, `!dnc` puts
        the prospect and every number of it on the do-not-call list."""
        from callbook.phones import country_code, displayed, normalize

        numbers = [n for n in self.store.phones(prospect.id) if n.dialable]
        if dialled:  # as typed: in the prospect's country unless it says otherwise
            region = country_code(prospect.country) or self.config.region
            dialled = normalize(dialled.replace(";ext=", " ext. "), region).stored
        if outcome is Outcome.DO_NOT_CALL:
            held = [n for n in self.store.phones(prospect.id) if n.status != "do-not-call"]
            if not held:
                return "do not call: the prospect (its numbers are on the list already)"
            shown = ", ".join(displayed(n.stored, prospect.country) for n in held)
            return f"do not call: the prospect and {shown}"
        if outcome is not Outcome.WRONG_NUMBER or not numbers:
            return None
        wrong = next((n for n in numbers if dialled and n.stored == dialled), numbers[0])
        rest = [n for n in numbers if n.id != wrong.id]
        said = f"wrong number: {displayed(wrong.stored, prospect.country)} retired"
        if rest:
            return f"{said}; next {displayed(rest[0].stored, prospect.country)}"
        return f"{said}; no number left, it leaves the queue"

    # --- the queue ----------------------------------------------------------------------

    def queue_names(self) -> Haystack:
        """Every prospect's name (and company), folded once: what `filter_queue` searches.
        Callers keep it between keystrokes (about 0.1 s to read at 100k prospects)."""
        from rapidfuzz import utils

        ids, texts = [], []
        for pid, name, company in self.store.prospect_names():
            ids.append(pid)
            both = name if not company or company == name else f"{name} {company}"
            texts.append(utils.default_process(both))
        return Haystack(ids, texts)

    def filter_queue(
        self, query: str, now: datetime, *, limit: int = 50, names: Haystack | None = None
    ) -> list[QueueEntry]:
        """Queue entries whose name or company matches `query` fuzzily (typos tolerated), best
        first, names that start with it ahead on a tie."""
        import numpy as np
        from rapidfuzz import fuzz, process, utils

        text = utils.default_process(query)
        if not text:
            return []
        names = self.queue_names() if names is None else names
        if not names.texts:
            return []
        # cdist with workers lets go of the GIL while it scores (extract holds it for 30-50 ms
        # at 100k names, which froze the filter line the caller is typing in).
        scores = process.cdist(
            [text], names.texts, scorer=fuzz.partial_ratio, processor=None,
            score_cutoff=75, workers=-1,
        )[0]  # fmt: skip
        hits = np.flatnonzero(scores)
        best = hits[np.lexsort((hits, -scores[hits]))][: limit * 4]  # by score, then order
        found = [(names.texts[i], float(scores[i]), int(i)) for i in best]
        found.sort(key=lambda hit: (-hit[1], not hit[0].startswith(text), hit[2]))
        ids = [names.ids[index] for _, _, index in found][:limit]
        return self.entries_of(ids, now)

    def entries_of(self, ids: list[int], now: datetime) -> list[QueueEntry]:
        """Queue rows for these prospects, in this order: as the queue shows them, and those
        out of today's queue (won, lost, scheduled later, do-not-call) with why, so that anyone
        can be found and called."""
        from callbook.clock import zone
        from callbook.model import QueueReason

        queued = {e.prospect.id: e for e in self.store.queue_entries(ids, now)}
        entries = []
        for pid in ids:
            entry = queued.get(pid)
            if entry is None:
                prospect = self.store.get_prospect(pid)
                if prospect is None:
                    continue
                if prospect.status.in_queue and prospect.next_call_at:
                    why = "not in today's queue"
                else:
                    why = f"{prospect.status.value.replace('_', ' ')}, not in the queue"
                found = self.store.zone_of(prospect)
                local = now.astimezone(zone(found[0])) if found else None
                entry = QueueEntry(
                    prospect, QueueReason.FOLLOW_UP, prospect.next_call_at, callable=False,
                    why=why, zone=found[0] if found else None,
                    zone_source=found[1] if found else None, local_time=local,
                )  # fmt: skip
            entries.append(entry)
        return entries
