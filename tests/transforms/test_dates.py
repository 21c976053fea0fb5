from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl
import pytest

from transforms.dates import review_date

FETCHED = datetime(2024, 3, 10, 1, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("January 11, 2007", date(2007, 1, 11)),
        ("Jan 11, 2007", date(2007, 1, 11)),
        ("Mar 27, 2023", date(2023, 3, 27)),
        (" August 31, 2008", date(2008, 8, 31)),
        ("Sept. 5, 2010", date(2010, 9, 5)),
        ("December 1st, 2006", date(2006, 12, 1)),
        ("11 January 2007", date(2007, 1, 11)),
        ("2006-11-23", date(2006, 11, 23)),
        ("2015-01-25T05:06:58-08:00", date(2015, 1, 25)),  # the date as written, not UTC
        ("2024-09-18T00:45:39.000Z", date(2024, 9, 18)),
        ("03/27/2023", date(2023, 3, 27)),
        ("3 days ago", date(2024, 3, 7)),
        ("2d", date(2024, 3, 8)),
        ("5h", date(2024, 3, 9)),  # 01:30 minus five hours is the day before
        ("1 week ago", date(2024, 3, 3)),
        ("2 months ago", date(2024, 1, 10)),
        ("yesterday", date(2024, 3, 9)),
        ("today", date(2024, 3, 10)),
        ("February 30, 2009", None),
        ("13/45/2001", None),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_review_date(raw, expected):
    frame = pl.DataFrame(
        {"date_raw": [raw], "fetched_at": [FETCHED]},
        schema={"date_raw": pl.String, "fetched_at": pl.Datetime("us", "UTC")},
    )
    assert frame.select(review_date()).item() == expected
