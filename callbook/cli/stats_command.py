"""Wins you can see, and working the queue from the shell: stats, snooze, skip, dnc."""

from __future__ import annotations

import click

from callbook.cli.common import Context, echo_json, fail, json_option, main, pass_context


def _prospect(ctx: Context, query: str):
    from callbook.lookup import match_prospect

    found = match_prospect(ctx.store(), query)
    if found.prospect is None:
        fail(found.message)
    return found.prospect


def _pct(rate: float | None) -> str:
    return "" if rate is None else f" ({rate:.0%})"


def _figure(value: float) -> str:
    return f"{value:g}"


@main.command()
@click.option("--days", type=click.IntRange(1, 366), default=7, show_default=True,
              help="How many days to show, today included.")  # fmt: skip
@json_option
@pass_context
def stats(ctx: Context, days: int, as_json: bool) -> None:
    """Wins you can see: per day dials, connects, decision makers, small and big wins,
    meetings and pieces learned; the funnel; the streak of days with a win; your usual day."""
    from callbook.stats import FIGURES, as_dict, summary

    desk = ctx.desk()
    tz = desk.config.tz
    result = summary(desk.store, days, desk.now(), tz)
    if as_json:
        echo_json(as_dict(result))
        return
    heads = ("dials", "conn", "DMs", "small", "big", "mtgs")
    click.echo(f"{'day':<11}" + "".join(f"{h:>7}" for h in heads) + "  pieces learned")
    for day in result.days:
        label = f"{day.day:%a} {day.day.day} {day.day:%b}"
        figures = "".join(f"{getattr(day, f):>7}" for f in FIGURES)
        learned = ", ".join(f"{slot.replace('_', ' ')} {n}" for slot, n in day.pieces.items())
        click.echo(f"{label:<11}{figures}  {learned}".rstrip())
    steps = result.funnel.steps
    click.echo(
        "funnel: " + " → ".join(f"{count} {name}{_pct(rate)}" for name, count, rate in steps)
    )
    plural = "s" if result.streak != 1 else ""
    click.echo(f"streak: {result.streak} day{plural} with a win")
    usual = result.usual
    if usual.active_days:
        shown = " · ".join(
            f"{_figure(getattr(usual, f))} {h}" for f, h in zip(FIGURES, heads, strict=True)
        )
        click.echo(f"usual day (median of {usual.active_days} active days): {shown}")
        today = result.today
        shown = " · ".join(f"{getattr(today, f)} {h}" for f, h in zip(FIGURES, heads, strict=True))
        click.echo(f"today: {shown}")


@main.command()
@click.argument("prospect")
@click.argument("when")
@json_option
@pass_context
def snooze(ctx: Context, prospect: str, when: str, as_json: bool) -> None:
    """Set PROSPECT's next call to WHEN ("tomorrow 9:30", "thu 3", "+3d", "2026-12-01 14:30"):
    out of the queue until then. WHEN is in the prospect's time zone when it is known (add
    "mine" for your own); the queue still waits for their calling hours."""
    desk = ctx.desk()
    target = _prospect(ctx, prospect)
    try:
        at = desk.read_when(target, when)
    except ValueError as exc:
        fail(str(exc))
    updated = desk.store.snooze(target.id, at)
    if as_json:
        echo_json(updated, "prospect")
        return
    shown = desk.show_when(target, at)
    warning = f"  ⚠ {shown.warning}" if shown.warning else ""
    click.echo(f"#{target.id} {target.name}: next call {shown.text}{warning}")


@main.command()
@click.argument("prospect")
@click.option("--undo", is_flag=True, help="Put it back in its place.")
@pass_context
def skip(ctx: Context, prospect: str, undo: bool) -> None:
    """Move PROSPECT to the back of the queue for the rest of today."""
    desk = ctx.desk()
    target = _prospect(ctx, prospect)
    if undo:
        if not desk.store.unskip(target.id):
            fail(f"#{target.id} {target.name} was not skipped")
        click.echo(f"#{target.id} {target.name} is back in its place")
        return
    desk.store.skip(target.id, desk.now())
    click.echo(f"#{target.id} {target.name} moved to the back of the queue for today")


@main.command()
@click.argument("number", required=False)
@click.option("--remove", is_flag=True, help="Take NUMBER off the list.")
@click.option("--note", help="Why (who asked, when).")
@json_option
@pass_context
def dnc(ctx: Context, number: str | None, remove: bool, note: str | None, as_json: bool) -> None:
    """The do-not-call list of numbers: NUMBER is never dialled again, whoever holds it (a
    prospect whose every number is on it leaves the queue). Without NUMBER, list it.

    To mark a whole prospect, log `!dnc` on a call."""
    from callbook import phones

    desk = ctx.desk()
    store = desk.store
    if number is None:
        if remove or note:
            fail("--remove and --note need a NUMBER")
        listed = store.do_not_call_numbers()
        if as_json:
            echo_json(
                [{"number": n, "added_at": at, "note": why} for n, at, why in listed],
                "numbers",
            )
            return
        for n, at, why in listed:
            click.echo(f"{n}  {at:%Y-%m-%d}" + (f"  {why}" if why else ""))
        if not listed:
            click.echo("no numbers on the do-not-call list")
        return
    if not number.strip():
        fail("NUMBER is empty: give the phone number to put on the list")
    parsed = phones.normalize(number, desk.config.region)
    stored = parsed.stored
    if remove:
        if not store.remove_do_not_call_number(stored):
            fail(f"{stored} is not on the do-not-call list")
        click.echo(f"{stored} taken off the do-not-call list")
        return
    if parsed.flagged:
        click.echo(f"callbook: warning: {number!r} kept as typed ({parsed.problem})", err=True)
    added = store.add_do_not_call_number(stored, note)
    click.echo(f"{stored} {'is now' if added else 'was already'} on the do-not-call list")
