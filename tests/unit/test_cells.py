"""Columns count terminal cells: Japanese and emoji names line up with Latin ones."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from rich.cells import cell_len

from callbook.cells import clip, fit, pad
from callbook.cli import main

NAMES = ["Acme Ltd", "山田商事株式会社", "Café 😀 Brûlée", "Ｆｕｌｌｗｉｄｔｈ Co"]


def test_pad_and_fit_count_cells() -> None:
    assert pad("山田", 6) == "山田  "
    assert pad("42", 5, ">") == "   42"
    assert fit("山田商事株式会社", 9) == "山田商事…"  # 8 cells and the ellipsis
    assert fit("山田商事株式会社", 10) == "山田商事… "  # a wide character never split
    assert clip("a  b\nc", 10) == "a b c"
    for name in NAMES:
        for width in (4, 7, 12, 30):
            assert cell_len(fit(name, width)) == width, (name, width)


@pytest.mark.parametrize("width", [6, 11, 20])
def test_the_queue_widget_cells_are_the_width_asked(width) -> None:
    from callbook.tui.widgets.queue_pane import fit as queue_fit

    assert {cell_len(queue_fit(n, width)) for n in NAMES} == {width}


def test_the_cli_queue_lines_up_wide_names(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("CALLBOOK_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("CALLBOOK_NOW", "2026-11-27T15:00:00+00:00")
    db = str(tmp_path / "book.db")
    for name in NAMES:
        assert CliRunner().invoke(main, ["--db", db, "add", name]).exit_code == 0
    lines = CliRunner().invoke(main, ["--db", db, "queue"]).stdout.splitlines()
    assert len(lines) == len(NAMES)
    # The reason column starts on the same cell in every row.
    starts = {cell_len(line[: line.index("never called")]) for line in lines}
    assert starts == {len("#1     ") + 34 + 1}
