"""Dates as CRM exports write them."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, timezone

import pytest

from callbook.interop.crm_dates import read_when

NINE = time(9)


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("2027-03-14", "mdy", datetime(2027, 3, 14, 9)),
        ("2027-03-14T14:30:00Z", "mdy", datetime(2027, 3, 14, 14, 30, tzinfo=UTC)),
        ("2027-03-14 14:30+02:00", "mdy",
         datetime(2027, 3, 14, 14, 30, tzinfo=timezone(timedelta(hours=2)))),
        ("3/14/2027 9:30 AM", "mdy", datetime(2027, 3, 14, 9, 30)),
        ("3/14/2027 12:05 am", "dmy", datetime(2027, 3, 14, 0, 5)),  # 14 cannot be a month
        ("03/04/2027", "mdy", datetime(2027, 3, 4, 9)),
        ("03/04/2027", "dmy", datetime(2027, 4, 3, 9)),
        ("03/04/27 4:15 PM", "mdy", datetime(2027, 3, 4, 16, 15)),
        ("14.03.2027", "mdy", datetime(2027, 3, 14, 9)),  # dotted: day first, always
        ("04.03.2027 08:00", "mdy", datetime(2027, 3, 4, 8)),
        ("2027/03/14 14:30", "dmy", datetime(2027, 3, 14, 14, 30)),
        ("Mar 14, 2027", "mdy", datetime(2027, 3, 14, 9)),
        ("Sunday, March 14, 2027 at 2:30 PM", "mdy", datetime(2027, 3, 14, 14, 30)),
        ("14 March 2027 09:30", "mdy", datetime(2027, 3, 14, 9, 30)),
    ],
)  # fmt: skip
def test_export_dates(text: str, order: str, expected: datetime) -> None:
    zone = timezone(timedelta(hours=-5))
    if expected.tzinfo is None:
        expected = expected.replace(tzinfo=zone)
    assert read_when(text, zone, NINE, order) == expected


@pytest.mark.parametrize(
    "text",
    ["not a date", "2/30/2027", "13/13/2027", "3/14/2027 13:00 PM", "14.03", "", "0001-01-01",
     "12/31/1969"],
)
def test_what_is_not_a_date(text: str) -> None:
    assert read_when(text, UTC, NINE) is None
