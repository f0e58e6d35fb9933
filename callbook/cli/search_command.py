"""`callbook search`: recall from the shell, one hit per line or as JSON."""

from __future__ import annotations

import os
import sys

import click

from callbook.cli.common import Context, echo_json, fail, json_option, main, pass_context


def _marked(snippet: str, spans, styled: bool) -> str:
    out, at = [], 0
    for start, end in spans:
        out.append(snippet[at:start])
        part = snippet[start:end]
        out.append(click.style(part, bold=True, underline=True) if styled else f"[{part}]")
        at = end
    out.append(snippet[at:])
    return "".join(out)


@main.command()
@click.argument("query")
@click.option(
    "--limit", type=click.IntRange(1, 1000), default=20, show_default=True, help="Most hits."
)
@json_option
@pass_context
def search(ctx: Context, query: str, limit: int, as_json: bool) -> None:
    """Find past pieces, notes, contacts and prospects by a few words. Each word matches as a
    prefix, typos are tolerated ("tuesdy" finds "Tuesdays"), phone numbers match on digits.

    One hit per line: prospect · what it is · the text, matches [marked] · age."""
    if not query.strip():
        fail("nothing to search for: give a word, a name or a number")
    from callbook.search import Recall
    from callbook.timefmt import ago

    desk = ctx.desk(create=False)
    recall = Recall(desk.store, desk.templates)
    try:
        hits = recall.search(query, limit=limit)
    finally:
        recall.close()
    if as_json:
        echo_json({"query": query, "hits": hits})
        return
    if not hits:
        click.echo(f"no matches for {query!r}", err=True)
        return
    styled = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    now = ctx.clock()
    for hit in hits:
        label = hit.label if hit.current else f"{hit.label} (superseded)"
        age = ago(hit.learned_at, now) if hit.learned_at else "-"
        text = _marked(hit.snippet, hit.spans, styled)
        click.echo(f"{hit.prospect_name} · {label} · {text} · {age}")
