"""A table as the reader sees it, with a CSV download of exactly that table.

Headers and number formats come from the published label map (`labels.Labels`); an
empty cell shows an en dash. Suppressed cells read `suppressed` on screen, in the CSV and in
the monthly packet alike, with a note under the table saying what that covers; the CSV
holds the table's cells as text formatted as on screen, under the same headers, its text
cells escaped so that no spreadsheet runs them (`downloads.inert_text`). Every download
is written to the audit log (who, which page, which table, which filters).

A long list is shown a page at a time (`show_paged_table`): the page number is in the URL,
the caption says which rows are shown of how many, and the CSV holds the whole selection,
read only when the button is clicked.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
import streamlit as st

from dashboards import audit, charts
from dashboards.downloads import inert_text
from dashboards.labels import EMPTY, Labels
from dashboards.page_context import PageContext
from dashboards.partner_names import beside_ids
from dashboards.suppression import FLAG_SUFFIX, SUPPRESSED_NOTE, for_display


def _record_download(context: PageContext, name: str) -> None:
    audit.record(
        context.viewer.name, context.viewer.role, context.page, f"download:{name}",
        context.filters.as_audit(),
    )


def table_csv(frame: pl.DataFrame, labels: Labels) -> str:
    """The CSV download of `frame`: its cells as shown, under their labels."""
    shown = for_display(frame, labels.text)
    text = [c for c, dtype in frame.schema.items() if dtype == pl.String and c in shown.columns]
    return labels.as_text(inert_text(shown, text)).write_csv()


def show_table(context: PageContext, frame: pl.DataFrame, name: str,
               whole: Callable[[], pl.DataFrame] | None = None, **dataframe_args) -> None:
    """`frame` on screen with its CSV download; with `whole`, the download holds what
    `whole` returns (the selection `frame` is a page of), read when the button is clicked.
    A Parent Partner's name stands beside her id, on screen and in the CSV alike."""
    labels = context.labels
    frame = beside_ids(frame, context.staff)
    if frame.is_empty():
        st.info("No rows for this selection.")
    _show_frame(frame, labels, **dataframe_args)
    st.download_button(
        "Download CSV",
        table_csv(frame, labels) if whole is None
        else lambda: table_csv(beside_ids(whole(), context.staff), labels),
        file_name=f"{context.page}_{name}.csv", mime="text/csv", key=f"csv_{name}",
        on_click=_record_download, args=(context, name),
    )


def show_paged_table(context: PageContext, name: str, total: int, page_rows: int,
                     fetch: Callable[[int | None], pl.DataFrame]) -> None:
    """Page after page of a selection of `total` rows, `page_rows` at a time: `fetch(n)` reads
    page n (from 1), `fetch(None)` the whole selection, which the CSV holds."""
    pages = max(1, -(-total // page_rows))
    page = 1
    if pages > 1:
        asked = st.number_input(f"Page of {name.replace('_', ' ')} (1 to {pages})",
                                min_value=1, value=1, step=1, key=f"{name}_page",
                                bind="query-params")
        page = min(int(asked), pages)
    frame = fetch(page)
    if pages > 1:
        first = (page - 1) * page_rows + 1
        st.caption(f"Rows {first:,} to {first + frame.height - 1:,} of {total:,} (page {page} "
                   f"of {pages}); the CSV holds all {total:,}.")
    show_table(context, frame, name, whole=lambda: fetch(None))


def _show_frame(frame: pl.DataFrame, labels: Labels, **dataframe_args) -> None:
    shown = for_display(frame, labels.text)
    st.dataframe(labels.screen(shown), hide_index=True, placeholder=EMPTY,
                 column_config=labels.column_config(shown), **dataframe_args)
    if any(frame[c].any() for c in frame.columns if c.endswith(FLAG_SUFFIX)):
        st.caption(SUPPRESSED_NOTE)


def show_chart(context: PageContext, chart, frame: pl.DataFrame, value: str) -> None:
    """Draw `chart` under the published labels, with the figures it draws (`frame`) as a
    table one click away, unless `value` has nothing to draw (no rows, or every cell
    suppressed): an empty chart says nothing and has no text alternative."""
    labels = context.labels
    if frame.is_empty() or frame[value].drop_nulls().is_empty():
        st.info(f"Nothing to chart for {labels.label(value)}: no figures, or every figure "
                "is suppressed, for this selection.")
        return
    st.vega_lite_chart(charts.labelled(chart, labels), width="stretch")
    with st.expander("The chart's figures as a table"):
        _show_frame(beside_ids(frame, context.staff), labels)
