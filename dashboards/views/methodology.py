"""Methodology: every published table's definition as the dbt docs give it (model and
column descriptions, meta), published with the data; and the run that produced it."""

from __future__ import annotations

import json

import data_access
import polars as pl
import streamlit as st
from page_context import open_page
from viewer import Viewer


def render(viewer: Viewer) -> None:
    context = open_page(viewer, "methodology", "Methodology")
    refresh = data_access.refresh(viewer)
    st.markdown(
        f"Figures as of **{refresh['as_of_date']}**, published by run `{refresh['run_id']}` "
        f"at {refresh['refreshed_at']}. Every definition below is the dbt documentation of "
        "the model that computes the figure, published with the data."
    )
    definitions = context.definitions
    if definitions.is_empty():
        st.info("The published data carries no definitions yet: the next run publishes them.")
        return
    for model in definitions["model"].unique(maintain_order=True):
        rows = definitions.filter(pl.col("model") == model)
        table = rows.filter(pl.col("column_name").is_null())
        with st.expander(model):
            if not table.is_empty():
                st.markdown(table["description"][0])
                meta = json.loads(table["meta"][0] or "{}")
                if meta:
                    st.json(meta, expanded=False)
            st.dataframe(
                rows.filter(pl.col("column_name").is_not_null()).select(
                    "column_name", "description", "meta"),
                hide_index=True,
            )
