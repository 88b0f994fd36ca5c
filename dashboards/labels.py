"""Column headers and number formats, as published in marts.dim_column_label (from
seeds/column_labels.csv): one place says what a column is called and how its numbers read.

On screen a table keeps its numbers as numbers (so a column sorts as numbers) and shows
them through `st.column_config`; a CSV download and the monthly packet hold the same
table as text, formatted the same way, under the same headers. A column the label map
does not name (a month of the family grid, a training topic) keeps its own name.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl
import streamlit as st

EMPTY = "–"  # an en dash: what an empty cell shows

# How each format reads on screen (st.column_config.NumberColumn's format; None: as the
# text `Labels.screen` makes of it) ...
_SCREEN_FORMATS = {
    "integer": "localized", "year": "%d", "decimal1": "%.1f", "decimal2": "%.2f",
    "decimal3": "%.3f", "percent": "percent", "dollars": "dollar",
    "pvalue": None, "code": None, "worded": None, "by_unit": "%.3f",
}
# ... and as text, in a CSV or the packet (no thousands separators: spreadsheets read them).
_TEXT_FORMATS: dict[str, Callable[[object], str]] = {
    "integer": lambda v: f"{v:.0f}", "year": lambda v: f"{v:.0f}",
    "decimal1": lambda v: f"{v:.1f}", "decimal2": lambda v: f"{v:.2f}",
    "decimal3": lambda v: f"{v:.3f}", "percent": lambda v: f"{v:.2%}",
    "dollars": lambda v: f"{v:.2f}", "pvalue": lambda v: "< 0.001" if v < 0.001 else f"{v:.3f}",
    "by_unit": lambda v: f"{v:.3f}",
}
# A value in the unit its row's `unit` names (an outcome's share or its days), in that
# unit's format; without a `unit` beside it, to three places.
UNIT_COLUMN = "unit"
_UNIT_FORMATS = {"proportion": "percent", "days": "decimal1"}
# Formats no number format can say ("< 0.001"): shown as their text, right-aligned.
_TEXT_ON_SCREEN = {"pvalue"}
# Text shown as its text in that format: a code as words ("service area", "at risk"), a
# name built from column names under their labels ("Service area=Eastern").
_WORDED = {"code", "worded"}
_DATE_FORMATS = {"month": "%Y-%m", "date": "%Y-%m-%d", "datetime": "%Y-%m-%d %H:%M"}
_SNAKE_CASE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")


@dataclass(frozen=True)
class Labels:
    """column name -> (label, format), as published."""

    columns: dict[str, tuple[str, str]] = field(default_factory=dict)

    @classmethod
    def from_frame(cls, frame: pl.DataFrame) -> Labels:
        return cls({row[0]: (row[1], row[2]) for row in
                    frame.select("column_name", "label", "format").iter_rows()})

    def label(self, column: str) -> str:
        return self.columns.get(column, (column, None))[0]

    def columns_labelled(self) -> dict[str, str]:
        return {column: label for column, (label, _) in self.columns.items()}

    def worded(self, text: str, *, every_code: bool = False) -> str:
        """`text` with each column name it quotes replaced by the column's label; with
        `every_code`, any other code's underscores read as spaces."""
        def word(match: re.Match[str]) -> str:
            name = match.group(0)
            if name in self.columns:
                return self.label(name)
            return name.replace("_", " ") if every_code else name
        return _SNAKE_CASE.sub(word, text)

    def in_format_of(self, name: str, value: float | None, *, change: bool = False) -> str:
        """`value` as a value of column `name` reads; with `change`, as a signed difference
        (shares in percentage points)."""
        if value is None:
            return EMPTY
        fmt = self.format(name)
        if change:
            if fmt == "percent":
                return f"{value * 100:+.1f} points"
            return _TEXT_FORMATS.get(fmt, str)(value) if value < 0 else \
                "+" + _TEXT_FORMATS.get(fmt, str)(value)
        return _TEXT_FORMATS.get(fmt, str)(value)

    def in_formats_of(self, frame: pl.DataFrame, key: str, columns: tuple[str, ...],
                      changes: tuple[str, ...] = ()) -> pl.DataFrame:
        """`columns` and `changes` as text, each row in the format of the column its `key`
        names (a scorecard: families per Parent Partner to a tenth, shares as percentages)."""
        return frame.with_columns(
            pl.Series(column, [self.in_format_of(row[key], row[column],
                                                 change=column in changes)
                               for row in frame.iter_rows(named=True)], dtype=pl.String)
            for column in (*columns, *changes)
        )

    def format(self, column: str) -> str | None:
        return self.columns.get(column, (column, None))[1]

    def text(self, column: str, dtype: pl.DataType) -> pl.Expr:
        """`column` as the text a reader sees (null stays null)."""
        return self._text(column, dtype).alias(column)

    def _text(self, column: str, dtype: pl.DataType) -> pl.Expr:
        value = pl.col(column)
        fmt = self.format(column)
        if dtype == pl.Date or isinstance(dtype, pl.Datetime):
            pattern = _DATE_FORMATS.get(fmt, "%Y-%m-%d" if dtype == pl.Date else "%Y-%m-%d %H:%M")
            return value.dt.strftime(pattern)
        if dtype.is_numeric() and fmt in _TEXT_FORMATS:
            return value.cast(pl.Float64).map_elements(_TEXT_FORMATS[fmt], return_dtype=pl.String)
        if dtype == pl.Boolean:
            return pl.when(value).then(pl.lit("yes")).when(~value).then(pl.lit("no"))
        if fmt == "code":
            return value.cast(pl.String).str.replace_all("_", " ")
        if fmt == "worded":
            return value.cast(pl.String).map_elements(
                lambda v: self.worded(v, every_code=True), return_dtype=pl.String)
        return value.cast(pl.String)

    def _in_units(self, frame: pl.DataFrame, column: str) -> bool:
        return (self.format(column) == "by_unit" and UNIT_COLUMN in frame.columns
                and frame.schema[column].is_numeric())

    def _unit_text(self, column: str) -> pl.Expr:
        value, unit = pl.col(column).cast(pl.Float64), pl.col(UNIT_COLUMN)
        (first, first_format), *others = _UNIT_FORMATS.items()
        expression = pl.when(unit == first).then(
            value.map_elements(_TEXT_FORMATS[first_format], return_dtype=pl.String))
        for name, fmt in others:
            expression = expression.when(unit == name).then(
                value.map_elements(_TEXT_FORMATS[fmt], return_dtype=pl.String))
        return expression.otherwise(
            value.map_elements(_TEXT_FORMATS["by_unit"], return_dtype=pl.String)
        ).alias(column)

    def screen(self, frame: pl.DataFrame) -> pl.DataFrame:
        """The frame as st.dataframe gets it: dates, p-values, codes and values in their
        row's unit as text in their format, the rest as is."""
        return frame.with_columns(
            self._unit_text(column) if self._in_units(frame, column)
            else self.text(column, dtype) for column, dtype in frame.schema.items()
            if dtype == pl.Date or isinstance(dtype, pl.Datetime)
            or self.format(column) in _TEXT_ON_SCREEN | _WORDED
            or self._in_units(frame, column)
        )

    def column_config(self, frame: pl.DataFrame) -> dict[str, object]:
        """Each column's header, and for numbers their format; a number column turned to
        text by suppression stays right-aligned."""
        config: dict[str, object] = {}
        for column, dtype in frame.schema.items():
            label, fmt = self.label(column), self.format(column)
            if fmt in _TEXT_ON_SCREEN or self._in_units(frame, column):
                config[column] = st.column_config.TextColumn(label, alignment="right")
            elif dtype.is_numeric():
                config[column] = st.column_config.NumberColumn(
                    label, format=_SCREEN_FORMATS.get(fmt))
            elif dtype == pl.Boolean:
                config[column] = st.column_config.CheckboxColumn(label)
            elif _SCREEN_FORMATS.get(fmt):
                config[column] = st.column_config.TextColumn(label, alignment="right")
            else:
                config[column] = st.column_config.TextColumn(label)
        return config

    def as_text(self, frame: pl.DataFrame) -> pl.DataFrame:
        """The table as text under its labels: what a CSV and the packet hold."""
        shown = frame.with_columns(
            self._unit_text(column) if self._in_units(frame, column)
            else self.text(column, dtype) for column, dtype in frame.schema.items()
        )
        return shown.rename({column: self.label(column) for column in shown.columns})


def month_text(month: dt.date) -> str:
    return month.strftime(_DATE_FORMATS["month"])
