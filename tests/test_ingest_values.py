"""The text-to-value parsers, one expression each."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from orchestration.ingest.value_parsing import (
    parse_county_fips,
    parse_date,
    parse_datetime,
    parse_month,
    parse_whole_number,
)


def one(parser, value):
    return pl.select(parser(pl.lit(value, dtype=pl.String))).item()


@pytest.mark.parametrize(("text", "expected"), [
    ("2024-03-09", dt.date(2024, 3, 9)),
    ("3/9/2024", dt.date(2024, 3, 9)),
    ("03/09/2024", dt.date(2024, 3, 9)),
    ("2024-03-09 00:00:00", dt.date(2024, 3, 9)),  # an Excel date cell as text
    ("2024-02-29", dt.date(2024, 2, 29)),
    ("2023-02-29", None),
    ("2024-02-30", None),
    ("3/9/24", None),  # year 24 is a typo, not history
    ("9.3.2024", None),
    ("2024-03-09 14:00", None),
])
def test_parse_date(text, expected):
    assert one(parse_date, text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("2024-03-09T16:20:00", dt.datetime(2024, 3, 9, 16, 20)),
    ("2024-03-09T16:20", dt.datetime(2024, 3, 9, 16, 20)),
    ("2024-03-09 16:20:05", dt.datetime(2024, 3, 9, 16, 20, 5)),
    ("3/9/2024 16:20", dt.datetime(2024, 3, 9, 16, 20)),
    ("3/9/2024 4:20 PM", dt.datetime(2024, 3, 9, 16, 20)),
    ("2024-03-09", dt.datetime(2024, 3, 9)),
    # Zoned values are converted to Chicago time (CST, UTC-6, before DST on 2024-03-10).
    ("2024-03-09T16:20:00Z", dt.datetime(2024, 3, 9, 10, 20)),
    ("2024-03-09T16:20:00-05:00", dt.datetime(2024, 3, 9, 15, 20)),
    ("2024-07-09T16:20:00+00:00", dt.datetime(2024, 7, 9, 11, 20)),  # CDT, UTC-5
    ("2024-03-09T25:00", None),
    ("soon", None),
])
def test_parse_datetime(text, expected):
    assert one(parse_datetime, text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("2024-03", dt.date(2024, 3, 1)), ("2024-3", dt.date(2024, 3, 1)),
    ("2024-03-17", dt.date(2024, 3, 1)), ("3/17/2024", dt.date(2024, 3, 1)),
    ("2024-13", None), ("March", None),
])
def test_parse_month(text, expected):
    assert one(parse_month, text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("19153", "19153"), ("1001", "01001"), ("191530", None), ("19-153", None),
])
def test_county_fips(text, expected):
    assert one(parse_county_fips, text) == expected


@given(st.integers(min_value=-10_000, max_value=10_000))
def test_whole_number_range(n):
    assert one(lambda t: parse_whole_number(t, 1, 720), str(n)) == (n if 1 <= n <= 720 else None)


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_any_real_date_reads_back_in_both_formats(day):
    assert one(parse_date, day.isoformat()) == day
    assert one(parse_date, f"{day.month}/{day.day}/{day.year}") == day
