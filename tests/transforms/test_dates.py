from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl
import pytest

from transforms.dates import review_date, with_review_date

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


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # today's Rotten Tomatoes, last week: minutes, hours, days before the fetch
        ("5m", date(2024, 3, 10)),
        ("5min", date(2024, 3, 10)),
        ("5 mins", date(2024, 3, 10)),
        ("2h", date(2024, 3, 9)),  # 01:30 minus two hours
        ("2hrs", date(2024, 3, 9)),
        ("3d", date(2024, 3, 7)),
        ("3days", date(2024, 3, 7)),
        # earlier this year: month and day
        ("Mar 1", date(2024, 3, 1)),
        ("March 10", date(2024, 3, 10)),  # the fetch day itself
        ("Feb 29", date(2024, 2, 29)),  # 2024 is a leap year
        ("Sept. 5", date(2023, 9, 5)),  # after March 10: last year
        # earlier years
        ("01/19/2023", date(2023, 1, 19)),
        # not a day
        ("Mar 32", None),
        ("Marc 20", None),
        ("Mar", None),
    ],
)
def test_dates_as_todays_rotten_tomatoes_writes_them(raw, expected):
    frame = pl.DataFrame(
        {"date_raw": [raw], "fetched_at": [FETCHED]},
        schema={"date_raw": pl.String, "fetched_at": pl.Datetime("us", "UTC")},
    )
    assert frame.select(review_date()).item() == expected
    assert with_review_date(frame).row(0) == (raw, FETCHED, expected)  # date_raw as written


@pytest.mark.parametrize(
    ("raw", "fetched_at", "expected"),
    [
        ("Dec 28", datetime(2026, 4, 2, 9, tzinfo=UTC), date(2025, 12, 28)),
        ("Mar 20", datetime(2026, 4, 2, 9, tzinfo=UTC), date(2026, 3, 20)),
        ("Apr 2", datetime(2026, 4, 2, 0, 0, tzinfo=UTC), date(2026, 4, 2)),
        ("Apr 3", datetime(2026, 4, 2, 23, 59, tzinfo=UTC), date(2025, 4, 3)),
        ("Jan 1", datetime(2026, 1, 1, tzinfo=UTC), date(2026, 1, 1)),
        ("Jan 2", datetime(2026, 1, 1, tzinfo=UTC), date(2025, 1, 2)),
        ("Dec 31", datetime(2026, 1, 1, tzinfo=UTC), date(2025, 12, 31)),
        # The year is chosen first (Feb 29 is before March 1: this year); 2025 has no Feb 29,
        # and RT would have written an earlier year's date in full: NULL, quarantined.
        ("Feb 29", datetime(2025, 3, 1, tzinfo=UTC), None),
        # Feb 29 comes after Jan 10: last year, 2024, which has one.
        ("Feb 29", datetime(2025, 1, 10, tzinfo=UTC), date(2024, 2, 29)),
        ("Feb 29", datetime(2024, 2, 28, tzinfo=UTC), None),  # last year is 2023
        ("Feb 30", datetime(2024, 3, 1, tzinfo=UTC), None),
    ],
)
def test_a_month_and_day_is_this_year_or_last_whichever_is_not_after_the_fetch(
    raw, fetched_at, expected
):
    frame = pl.DataFrame(
        {"date_raw": [raw], "fetched_at": [fetched_at]},
        schema={"date_raw": pl.String, "fetched_at": pl.Datetime("us", "UTC")},
    )
    assert frame.select(review_date()).item() == expected
    assert with_review_date(frame)["review_date"].item() == expected


def test_one_string_fetched_at_different_times_gets_each_fetchs_date():
    frame = pl.DataFrame(
        {
            "date_raw": ["Dec 28", "Dec 28", "3d", "3d", "Dec 28"],
            "fetched_at": [
                datetime(2026, 4, 2, tzinfo=UTC),
                datetime(2026, 12, 30, tzinfo=UTC),
                datetime(2026, 4, 2, tzinfo=UTC),
                datetime(2026, 12, 30, tzinfo=UTC),
                None,
            ],
        },
        schema={"date_raw": pl.String, "fetched_at": pl.Datetime("us", "UTC")},
    )
    assert with_review_date(frame)["review_date"].to_list() == [
        date(2025, 12, 28),
        date(2026, 12, 28),
        date(2026, 3, 30),
        date(2026, 12, 27),
        None,  # no fetch time, nothing to read it against
    ]
