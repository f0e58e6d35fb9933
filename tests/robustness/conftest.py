"""`--stress` runs the long versions of the damage tests (or set CALLBOOK_STRESS=1).

Run them with `pytest tests/robustness --stress`: pytest only reads this file's option when it
starts from this folder (or below), so the variable is the way from anywhere else.
"""

from __future__ import annotations

import os

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    try:
        parser.addoption(
            "--stress", action="store_true", default=False, help="run the long damage tests"
        )
    except ValueError:  # a conftest nearer the root defines it already
        pass


@pytest.fixture
def stress(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--stress", default=False)) or bool(
        os.environ.get("CALLBOOK_STRESS")
    )
