"""Outcomes: participants against matched non-participants (forest plot, table, balance,
sample flow) and the CFSR statewide indicators for context."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboards import charts, data_access
from dashboards.page_context import open_page
from dashboards.tables import show_chart, show_table
from dashboards.viewer import Viewer

EXPLANATION = """
Each child removed from home while the family was matched with a Parent Partner is
paired with one child of a never-matched family who looked alike at removal (age, sex,
race/ethnicity, removal reason, prior removals, service area, removal year), by
propensity score. The differences below compare those pairs.

**What it shows:** how participants' outcomes differ from similar children's, with a 95%
confidence interval. An interval that crosses zero is consistent with no difference.
**What it does not show:** differences in anything the match cannot see (a family's
motivation to join, say) - a matched comparison is not a randomised trial. Outcomes that
need 12 or 24 months after reunification are only counted once that time has passed.
"""


def render(viewer: Viewer) -> None:
    context = open_page(viewer, "outcomes", "Outcomes")
    st.markdown(EXPLANATION)

    status = data_access.outcome_study_status(viewer)
    if status is not None and status["status"] != "reliable":
        withheld = " Leadership's publication withholds the results." if viewer.suppressed else ""
        st.warning(f"{status['reason']}{withheld}")

    comparison = data_access.outcome_comparison(viewer)
    st.subheader("Differences with 95% confidence intervals")
    drawn = comparison.drop_nulls("difference")
    if drawn.is_empty():
        show_chart(None, drawn, "difference")
    for unit in drawn["unit"].unique(maintain_order=True):
        in_unit = drawn.filter(pl.col("unit") == unit)
        show_chart(charts.forest(in_unit, unit), in_unit, "difference")
    show_table(context, comparison, "matched_comparison")
    st.caption(context.help("fct_outcome_comparison") or "")

    st.subheader("Before matching (naive difference)")
    show_table(context, data_access.naive_comparison(viewer), "naive_comparison")

    st.subheader("Covariate balance (love plot)")
    balance = data_access.matching_balance(viewer)
    show_chart(charts.love(balance), balance, "smd_after")
    show_table(context, balance, "balance")

    st.subheader("Sample flow")
    st.caption(context.help("agg_outcome_sample_flow") or "")
    show_table(context, data_access.sample_flow(viewer), "sample_flow")

    st.subheader("CFSR statewide indicators (observed)")
    st.caption(context.help("fct_cfsr_indicator") or "")
    cfsr = data_access.cfsr_indicators(viewer, context.filters)
    if not cfsr.is_empty():
        st.altair_chart(charts.indicators(cfsr), width="stretch")
    show_table(context, cfsr, "cfsr_indicators")
