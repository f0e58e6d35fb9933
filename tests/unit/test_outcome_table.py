"""README.md's outcome table is the code's (`OUTCOME_RULES`), row for row."""

from __future__ import annotations

from pathlib import Path

from callbook.model import OUTCOME_RULES

README = Path(__file__).resolve().parents[2] / "README.md"


def yes(flag: bool) -> str:
    return "yes" if flag else "no"


def rows_from_code() -> list[str]:
    rows = []
    for outcome, rule in OUTCOME_RULES.items():
        status = (rule.status.value if rule.status else "active").replace("_", " ")
        cells = [
            f"`!{outcome.code}` {outcome.label}", rule.reached.value, yes(rule.big_win), status,
            rule.next_call.value, yes(rule.wrap_up), yes(rule.learning),
        ]  # fmt: skip
        rows.append("| " + " | ".join(cells) + " |")
    return rows


def rows_in_readme() -> list[str]:
    text = README.read_text(encoding="utf-8")
    table = text.split("<!-- outcome-table -->", 1)[1].split("<!-- /outcome-table -->", 1)[0]
    return [line for line in table.strip().splitlines()[2:]]  # past the header and rule


def test_the_readme_table_is_the_codes():
    assert rows_in_readme() == rows_from_code()


def test_every_outcome_has_a_row():
    from callbook.model import Outcome

    assert set(OUTCOME_RULES) == set(Outcome)
