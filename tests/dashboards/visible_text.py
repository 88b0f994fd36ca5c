"""What a reader sees on a page rendered by AppTest, as text, and the raw column names in it.

Visible text: titles, headers, captions, notes, metric labels and values, widget labels and
their options, expander labels, table headers (the labels the column config gives) and text
cells (but a landing file's reasons and errors), and every chart's titles - the chart's own, its axes', legends' and tooltips'. A
chart field drawn without a title shows its name (Vega-Lite's default), so it counts too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
from streamlit.testing.v1 import AppTest

SNAKE_CASE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
_TEXT_ELEMENTS = ("title", "header", "subheader", "markdown", "caption", "info", "warning",
                  "error", "success", "text")
# A rejection's reason and a file's error name the landing file's own columns, as the
# landing-zone contract spells them: the sender finds them so in the file to correct.
_LANDING_FILE_WORDS = {"reason", "error"}
_WIDGETS = ("selectbox", "radio", "multiselect", "number_input", "checkbox", "toggle",
            "button", "text_input", "date_input")


def published_snake_case_columns(published: Path) -> set[str]:
    """Every published column whose name is snake_case (the names readers must never see)."""
    with duckdb.connect(str(published), read_only=True) as con:
        names = con.sql("select distinct column_name from information_schema.columns "
                        "where table_schema = 'marts'").fetchall()
    return {name for (name,) in names if SNAKE_CASE.fullmatch(name)}


def _titled(layers) -> set[str]:
    return {channel for layer in layers if isinstance(layer, dict)
            for channel, definition in (layer.get("encoding") or {}).items()
            if isinstance(definition, dict) and "title" in definition}


def _chart_texts(node, titled: frozenset[str] = frozenset()) -> Iterator[str]:
    """A chart's titles, and the names of fields drawn untitled: Vega-Lite shows a field's
    name where no layer sharing the axis or legend gives a title."""
    if isinstance(node, list):
        for item in node:
            yield from _chart_texts(item, titled)
        return
    if not isinstance(node, dict):
        return
    title = node.get("title")
    if isinstance(title, str):
        yield title
    elif isinstance(title, dict) and isinstance(title.get("text"), str):
        yield title["text"]
    elif isinstance(title, list):
        yield from (t for t in title if isinstance(t, str))
    for channel, definition in (node.get("encoding") or {}).items():
        for one in definition if isinstance(definition, list) else [definition]:
            if isinstance(one, dict) and isinstance(one.get("field"), str) \
                    and "title" not in one and channel not in titled:
                yield one["field"]
            elif isinstance(one, dict) and isinstance(one.get("title"), str):
                yield one["title"]
    if isinstance(node.get("layer"), list):
        yield from _chart_texts(node["layer"], titled | frozenset(_titled(node["layer"])))
    for key, value in node.items():
        if key not in ("data", "datasets", "title", "encoding", "layer"):
            yield from _chart_texts(value, titled)


def visible_texts(app: AppTest) -> Iterator[tuple[str, str]]:
    """(where, text) for every piece of text the rendered page shows."""
    for kind in _TEXT_ELEMENTS:
        for element in getattr(app, kind):
            yield kind, str(element.value)
    for metric in app.metric:
        yield "metric", f"{metric.label} {metric.value}"
    for kind in _WIDGETS:
        for widget in app.get(kind):
            yield kind, str(getattr(widget, "label", ""))
            yield kind, " ".join(str(o) for o in getattr(widget, "options", []) or [])
    for expander in app.expander:
        yield "expander", expander.label
    for button in app.get("download_button"):
        yield "download_button", button.proto.label
    for table in app.dataframe:
        config = json.loads(table.proto.columns or "{}")
        for column in table.value.columns:
            yield "table header", str(config.get(column, {}).get("label", column))
        for column in set(table.value.select_dtypes(include="object").columns) \
                - _LANDING_FILE_WORDS:
            yield "table cell", " ".join(str(v) for v in table.value[column].dropna().unique())
    for chart in app.get("vega_lite_chart"):
        for text in _chart_texts(json.loads(chart.proto.spec)):
            yield "chart", text


def raw_names_shown(app: AppTest, columns: set[str]) -> list[tuple[str, str]]:
    """(where, name) for every published snake_case column name a reader can see."""
    return sorted({(where, token) for where, text in visible_texts(app)
                   for token in SNAKE_CASE.findall(text) if token in columns})
