"""A table as the reader sees it, with a CSV download of exactly that table.

Headers and number formats come from the published label map (`labels.Labels`); an
empty cell shows an en dash. Suppressed cells read `suppressed` on screen, in the CSV and in
the monthly packet alike, with a note under the table saying what that covers; the CSV
holds the table's cells as text formatted as on screen, under the same headers, its text
cells escaped so that no spreadsheet runs them (`downloads.inert_text`). Every download
is written to the audit log (who, which page, which table, which filters).
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboards import audit
from dashboards.downloads import inert_text
from dashboards.labels import EMPTY, Labels
from dashboards.page_context import PageContext
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


def show_table(context: PageContext, frame: pl.DataFrame, name: str, **dataframe_args) -> None:
    labels = context.labels
    shown = for_display(frame, labels.text)
    if shown.is_empty():
        st.info("No rows for this selection.")
    st.dataframe(labels.screen(shown), hide_index=True, placeholder=EMPTY,
                 column_config=labels.column_config(shown), **dataframe_args)
    if any(frame[c].any() for c in frame.columns if c.endswith(FLAG_SUFFIX)):
        st.caption(SUPPRESSED_NOTE)
    st.download_button(
        "Download CSV", table_csv(frame, labels),
        file_name=f"{context.page}_{name}.csv", mime="text/csv", key=f"csv_{name}",
        on_click=_record_download, args=(context, name),
    )


def show_chart(chart, frame: pl.DataFrame, value: str) -> None:
    """Draw `chart` unless `value` has nothing to draw (no rows, or every cell suppressed):
    an empty chart says nothing and has no text alternative."""
    if frame.is_empty() or frame[value].drop_nulls().is_empty():
        st.info(f"Nothing to chart for {value.replace('_', ' ')}: no figures, or every "
                "figure is suppressed, for this selection.")
        return
    st.altair_chart(chart, width="stretch")
