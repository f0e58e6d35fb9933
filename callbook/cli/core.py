"""Everyday commands: open the app, demo, add, log, show, queue, templates."""

from __future__ import annotations

import sys

import click

from callbook.cells import pad
from callbook.cli.common import Context, echo_json, fail, json_option, main, pass_context


@main.command("open")
@pass_context
def open_app(ctx: Context) -> None:
    """Open the calling screen (what `callbook` alone does)."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        if ctx.paths.db.exists():
            ctx.desk(create=False)  # a book that cannot be opened says so first
        fail(
            "the calling screen needs a terminal (stdin and stdout are not one); "
            "scripts use the commands: `callbook --help`",
            code=2,
        )
    from callbook.tui.app import run_app

    raise SystemExit(run_app(ctx.paths, clock=ctx.clock))


@main.command()
@click.option("--force", is_flag=True, help="Add the demo prospects even if the book has data.")
@pass_context
def demo(ctx: Context, force: bool) -> None:
    """Fill the book with realistic sample prospects and weeks of calls to try callbook on.

    Use --db to put the demo in a file of its own."""
    from callbook.demo import build_demo

    store = ctx.store()
    existing = store.count_prospects()
    if existing and not force:
        fail(f"{store.path} already holds {existing} prospects; use --db NEW.db for the demo")
    added = build_demo(store)
    click.echo(f"demo book ready: {added} prospects in {store.path}")


def _phones(values: tuple[str, ...], ctx: Context) -> list[str]:
    if not values:
        return []
    from callbook import phones

    region = ctx.desk().config.region
    return [phones.normalize(v, region).stored for v in values]


@main.command()
@click.argument("name")
@click.option("--company", help="Company, if NAME is a person.")
@click.option("--phone", "phone_numbers", multiple=True, help="A phone number (repeatable).")
@click.option("--email")
@click.option("--website")
@click.option("--city")
@click.option("--region")
@click.option("--country", help="Two-letter country code, e.g. GB.")
@click.option("--timezone", "tz_name", help="IANA time zone, e.g. Europe/Berlin.")
@click.option("--priority", type=click.IntRange(1, 5), default=3, show_default=True,
              help="1 (highest) to 5 (lowest).")  # fmt: skip
@click.option("--tag", "tags", multiple=True, help="A tag (repeatable).")
@click.option("--template", "template_key", help="Jigsaw template key (see `callbook templates`).")
@json_option
@pass_context
def add(ctx: Context, name: str, company, phone_numbers, email, website, city, region, country,
        tz_name, priority, tags, template_key, as_json: bool) -> None:  # fmt: skip
    """Add a prospect."""
    desk = ctx.desk()
    if not name.strip():
        fail("a prospect needs a name")
    if template_key and template_key not in desk.templates.templates:
        known = ", ".join(desk.templates.templates)
        fail(f"unknown template {template_key!r}; known: {known}")
    if tz_name:
        from callbook.when import resolve_zone

        if not resolve_zone(tz_name):
            fail(f"unknown time zone {tz_name!r}; use an IANA name like Europe/Berlin")
        tz_name = resolve_zone(tz_name)
    prospect = desk.store.add_prospect(
        name,
        company=company,
        phones=_phones(phone_numbers, ctx),
        email=email,
        website=website,
        city=city,
        region=region,
        country=country.upper() if country else None,
        timezone=tz_name,
        priority=priority,
        tags=[t.strip().lower() for t in tags if t.strip()],
        template=template_key or desk.config.default_template,
    )
    if as_json:
        echo_json(prospect, "prospect")
    else:
        click.echo(f"added #{prospect.id} {prospect.name}")


def _find(ctx: Context, query: str):
    from callbook.lookup import match_prospect

    found = match_prospect(ctx.store(), query)
    if found.prospect is None:
        fail(found.message)
    return found.prospect


@main.command()
@click.argument("prospect")
@click.argument("line")
@click.option("--force", is_flag=True, help="Record it even if the prospect is do-not-call.")
@click.option(
    "--outside-hours", is_flag=True,
    help="Record it even though it is outside the prospect's legal calling hours (kept as such).",
)  # fmt: skip
@click.option(
    "--number", "dialled", metavar="NUMBER",
    help="The number dialled (any format; default: the prospect's first to dial).",
)
@json_option
@pass_context
def log(
    ctx: Context, prospect: str, line: str, force: bool, outside_hours: bool,
    dialled: str | None, as_json: bool,
) -> None:  # fmt: skip
    """Record a call from the shell: PROSPECT (name, company or #id; fuzzy) and a capture line,
    e.g. "gk: Sarah Jenkins; !gk; @thu 9:30; > ask for Tom"."""
    from callbook.capture.apply import CaptureRejected
    from callbook.service.call_flow import CallFlow, CallRefused

    desk = ctx.desk()
    flow = CallFlow(desk)  # the app's rules: the same guard, outcome table and wrap-up offer
    target = _find(ctx, prospect)
    blocked = desk.store.blocked_numbers(target)
    if blocked and desk.store.number_to_dial(target.id) is None and not force:
        numbers = ", ".join(blocked)
        fail(f"#{target.id} {target.name}: {numbers} on the do-not-call list; nothing recorded "
             "(--force)")  # fmt: skip
    try:
        flow.start(target, force=force, dialled=dialled)
    except CallRefused as exc:
        fail(f"{exc}; nothing recorded (--force)")
    outside = desk.outside_legal_hours(target)
    if outside and not outside_hours:
        fail(f"#{target.id} {target.name}: {outside}; nothing recorded (--outside-hours)")
    effect = desk.number_effect(target, desk.parse(target, line).outcome, dialled)
    try:
        done = flow.commit(line, outside_hours=outside_hours)
    except CaptureRejected as exc:
        fail(str(exc))
    call = done.call
    if as_json:
        echo_json(call, "call")
        return
    parts = [f"logged call #{call.id} to {target.name}: {call.outcome.label}"]
    parts.append(f"{call.small_wins} small win{'s' * (call.small_wins != 1)}")
    if call.big_wins:
        parts.append(f"{call.big_wins} big win")
    if call.next_call_at:
        parts.append(f"next call {desk.show_when(target, call.next_call_at).text}")
    click.echo(" · ".join(parts))
    if effect:
        click.echo(effect)
    if done.wrap_up is not None:  # the line planned nothing: say what the next call could be for
        offer = done.wrap_up.offer
        click.echo(
            f"suggested next objective: {offer.objective} ({offer.slot.label} is the most "
            "important piece still missing; `> …` in the line sets your own)"
        )


@main.command("lift-dnc")
@click.argument("prospect")
@click.option("--reason", required=True, help="Why it may be called again (kept with the change).")
@pass_context
def lift_dnc(ctx: Context, prospect: str, reason: str) -> None:
    """Take PROSPECT off do-not-call: the only way it ends (no call outcome does), recorded
    with its reason in the book's status_changes table."""
    from callbook.store import StoreError

    target = _find(ctx, prospect)
    try:
        lifted = ctx.desk().store.lift_do_not_call(target.id, reason)
    except (StoreError, ValueError) as exc:
        fail(str(exc))
    click.echo(f"#{lifted.id} {lifted.name} may be called again ({lifted.status.value})")


@main.command()
@click.argument("prospect")
@json_option
@pass_context
def show(ctx: Context, prospect: str, as_json: bool) -> None:
    """The jigsaw of a prospect: known pieces, missing ones with the question, last calls."""
    from callbook.timefmt import ago

    desk = ctx.desk()
    target = _find(ctx, prospect)
    jigsaw = desk.jigsaw(target)
    calls = desk.store.calls(target.id, limit=5)
    contacts = desk.store.contacts(target.id)
    plan, reach = desk.attempt_plan(target), desk.best_time(target)
    if as_json:
        echo_json(
            {
                "prospect": target,
                "template": jigsaw.template.key,
                "completion": round(jigsaw.completion, 3),
                "known": [
                    {"slot": k.slot.key, "label": k.slot.label, "piece": k.piece,
                     "stale": k.stale}
                    for k in jigsaw.known
                ],
                "missing": [
                    {"slot": s.key, "label": s.label, "question": s.question}
                    for s in jigsaw.missing
                ],
                "contacts": contacts,
                "phones": desk.store.phones(target.id),
                "unreachable": desk.store.unreachable(target.id),
                "calls": calls,
                "next_objective": target.next_objective or jigsaw.suggested_objective,
                "plan": None if plan is None else {
                    "attempt": plan.attempt, "of": plan.of, "due_at": plan.due_at,
                    "parked_until": plan.parked_until, "ended": plan.ended, "label": plan.label,
                },
                "best_time": {
                    "hours": sorted(reach.hours), "learned": reach.learned,
                    "evidence": reach.evidence,
                },
            }
        )
        return
    now = desk.now()
    click.echo(f"#{target.id} {target.name}  ·  {round(jigsaw.completion * 100)}% known")
    from callbook.phones import displayed

    numbers = desk.store.phones(target.id)
    if numbers:
        shown = [
            displayed(n.stored, target.country)
            + "".join(f" ({note})" for note in (n.label, n.status) if note not in ("other", "ok"))
            for n in numbers
        ]
        click.echo("  ☎ " + "  ".join(shown))
    unreachable = desk.store.unreachable(target.id)
    if unreachable:
        click.echo(f"  not in the queue: {unreachable}")
    for contact in contacts:
        title = f", {contact.title}" if contact.title else ""
        click.echo(f"  {contact.role.label}: {contact.name}{title}")
    click.echo("known:")
    for known in jigsaw.known:
        source = f"call #{known.piece.call_id}" if known.piece.call_id else "added"
        age = ago(known.piece.learned_at, now)
        mark = "⌛" if known.stale else "✔"
        stale = f"; stale: {known.confirm_question}" if known.stale else ""
        click.echo(f"  {mark} {known.slot.label}: {known.piece.value}  ({age}, {source}{stale})")
    click.echo("missing:")
    for slot in jigsaw.missing:
        click.echo(f"  ? {slot.label} — {slot.question}")
    if calls:
        click.echo("last calls:")
        for call in calls:
            undone = " (undone)" if call.undone_at else ""
            wins = f", {call.small_wins} small win(s)" if call.small_wins else ""
            who = next((c.name for c in contacts if c.id == call.contact_id), None)
            who = who or (call.answered_by.label if call.answered_by else None)
            route = f" ({who})" if who else ""
            if call.dialled:
                route += f" on {displayed(call.dialled, target.country)}"
            click.echo(
                f"  {ago(call.started_at, now)}: {call.outcome.label}{route}{wins}{undone}"
            )
    if plan is not None:
        click.echo(f"plan: {plan.label}")
    hours = ", ".join(f"{h:02d}:00–{h + 1:02d}:00" for h in sorted(reach.hours))
    click.echo(f"best time: {hours + ' their time — ' if hours else ''}{reach.evidence}")
    objective = target.next_objective or jigsaw.suggested_objective
    if target.next_call_at:
        click.echo(f"next call: {desk.show_when(target, target.next_call_at).text}")
    if objective:
        click.echo(f"objective: {objective}")


@main.command()
@click.option("--limit", type=click.IntRange(1, 100_000), default=25, show_default=True)
@json_option
@pass_context
def queue(ctx: Context, limit: int, as_json: bool) -> None:
    """Who to call now: callbacks due, then those callable now by priority and longest since
    the last attempt, then the rest by when they become callable (their local time, why, and
    when), skipped ones last. `?` marks an unknown time zone."""
    from callbook.timefmt import call_time

    desk = ctx.desk()
    now = desk.now()
    entries = desk.store.queue(now, limit=limit)
    if as_json:
        echo_json(entries, "queue")
        return
    if not entries:
        click.echo("the queue is empty: nobody is due")
        return
    tz = desk.config.tz
    for entry in entries:
        p = entry.prospect
        due = f" {call_time(entry.due_at, now, tz)}" if entry.due_at else ""
        local = f"{entry.local_time:%H:%M}" if entry.local_time else "?"
        why = entry.why
        if not entry.callable:
            when = call_time(entry.callable_at, now, tz) if entry.callable_at else "no time"
            why = f"{why} → {when}" if why else when
        marks = [f"do-not-call {n}" for n in entry.dnc_numbers]
        marks += [f"“{t}” (not understood)" for t in entry.not_understood]
        objective = f" — {p.next_objective}" if p.next_objective else ""
        extra = "".join(f"  {m}" for m in (why, *marks) if m)
        name = pad(p.name, 34)
        click.echo(f"#{p.id:<5} {name} {entry.reason.value}{due}  {local}{extra}{objective}")


@main.command()
@json_option
@pass_context
def templates(ctx: Context, as_json: bool) -> None:
    """List the jigsaw templates and their slots."""
    from callbook.config import load_config
    from callbook.jigsaw import load_templates

    found = load_templates(load_config(ctx.paths).templates_dir)
    for problem in found.errors:
        click.echo(f"callbook: warning: {problem}", err=True)
    if as_json:
        echo_json(list(found.templates.values()), "templates")
        return
    for template in found.templates.values():
        click.echo(f"{template.key}: {template.name} ({template.source})")
        for slot in template.slots:
            names = ", ".join(slot.aliases)
            click.echo(f"  {pad(slot.key, 22)} {pad(slot.label, 22)} w{slot.weight:g}  {names}")
