"""A table as the reader sees it, with a CSV download of exactly that table.

Suppressed cells read `<11` on screen, in the CSV and in the monthly packet alike; every
download is written to the audit log (who, which page, which table, which filters).
"""

from __future__ import annotations

import audit
import polars as pl
import streamlit as st
from page_context import PageContext
from suppression import for_display


def _record_download(context: PageContext, name: str) -> None:
    audit.record(
        context.viewer.name, context.viewer.role, context.page, f"download:{name}",
        context.filters.as_audit(),
    )


def show_table(context: PageContext, frame: pl.DataFrame, name: str, **dataframe_args) -> None:
    shown = for_display(frame)
    # Dates read as dates (not midnight timestamps) on screen; the CSV writes them the same.
    shown = shown.with_columns(pl.col(pl.Date).dt.strftime("%Y-%m-%d"))
    if shown.is_empty():
        st.info("No rows for this selection.")
    # Shares read as percentages and other decimals at most three places; the CSV keeps
    # the published precision.
    formats = {
        column: st.column_config.NumberColumn(
            format="percent" if column.startswith("share_") else "localized")
        for column, dtype in shown.schema.items() if dtype.is_float()
    }
    st.dataframe(shown, hide_index=True, column_config=formats, **dataframe_args)
    st.download_button(
        "Download CSV", shown.write_csv(), file_name=f"{context.page}_{name}.csv",
        mime="text/csv", key=f"csv_{name}", on_click=_record_download, args=(context, name),
    )


def show_chart(chart, frame: pl.DataFrame, value: str) -> None:
    """Draw `chart` unless `value` has nothing to draw (no rows, or every cell suppressed):
    an empty chart says nothing and has no text alternative."""
    if frame.is_empty() or frame[value].drop_nulls().is_empty():
        st.info(f"Nothing to chart for {value.replace('_', ' ')}: no figures, or every "
                "figure is suppressed (<11), for this selection.")
        return
    st.altair_chart(chart, width="stretch")
