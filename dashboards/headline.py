"""Headline numbers: a value for the selected month, its change from the month before and
from a year before, its numerator and denominator, and its dbt definition on hover."""

from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st

from dashboards.labels import EMPTY
from dashboards.page_context import PageContext
from dashboards.suppression import FLAG_SUFFIX, SUPPRESSED_LABEL


def months_back(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 - n
    return dt.date(index // 12, index % 12 + 1, 1)


def _row(frame: pl.DataFrame, month: dt.date) -> dict | None:
    rows = frame.filter(pl.col("service_month") == month)
    return rows.row(0, named=True) if not rows.is_empty() else None


def _value(row: dict | None, column: str):
    if row is None:
        return None
    return SUPPRESSED_LABEL if row.get(column + FLAG_SUFFIX) else row[column]


def _text(value, percent: bool) -> str:
    if value is None:
        return EMPTY
    if isinstance(value, str):
        return value
    return f"{value:.1%}" if percent else f"{value:,.1f}" if isinstance(value, float) else f"{value:,}"


def _change(now, before, percent: bool) -> str | None:
    if not isinstance(now, int | float) or not isinstance(before, int | float):
        return None
    delta = now - before
    return f"{delta:+.1%}" if percent else f"{delta:+,.1f}" if isinstance(delta, float) else f"{delta:+,}"


def show_metric(context: PageContext, frame: pl.DataFrame, column: str, label: str, *,
                numerator: str | None = None, denominator: str | None = None,
                percent: bool = False, model: str = "agg_activity_month") -> None:
    """One st.metric for `context.filters.month_to`, with its changes and its parts."""
    month = context.filters.month_to
    now = _row(frame, month) if month else None
    value = _value(now, column)
    previous = _value(_row(frame, months_back(month, 1)), column) if month else None
    year_ago = _value(_row(frame, months_back(month, 12)), column) if month else None
    st.metric(label, _text(value, percent), delta=_change(value, previous, percent),
              help=context.help(model, column))
    parts = []
    if numerator and denominator:
        parts.append(f"{_text(_value(now, numerator), False)} of "
                     f"{_text(_value(now, denominator), False)}")
    change = _change(value, year_ago, percent)
    parts.append(f"{change} on a year before" if change else "no figure a year before")
    st.caption(" - ".join(parts))
