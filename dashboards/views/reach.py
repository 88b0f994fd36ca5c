"""Reach: of the children removed from home, the share whose family was matched with a
Parent Partner while the child was in care, by group, with disparity ratios; and the
program's entry cohorts by the year of the match."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboards import charts, data_access
from dashboards.page_context import open_page
from dashboards.tables import show_chart, show_table
from dashboards.viewer import Viewer

EXPLANATION = """
**Reach** counts every child removed from home in the state extract in a state fiscal
year, and the share whose family was matched with a Parent Partner while the child was in
care. The **disparity ratio** divides a group's share by the statewide share of the same
year: 1 is the statewide share (the dashed line), 0.5 is half of it. An interval that
crosses 1 is consistent with no difference.
**What it does not show:** why a group is reached less - fewer referrals, more families
declining, or living where no site works. The latest year is not complete: children removed
lately may still be matched.
"""

COHORT_EXPLANATION = """
Every child in care whose family was matched, by the state fiscal year of the match, and
how the stay went. A figure is shown once its follow-up window has ended for the whole
cohort; until then it reads *not yet observable* - never zero. These describe the program's
children; the outcome study compares them with similar children.
"""


def render(viewer: Viewer) -> None:
    context = open_page(viewer, "reach", "Reach")
    st.markdown(EXPLANATION)

    choices = data_access.reach_choices(viewer)
    labels = context.labels
    areas = choices["area"].unique(maintain_order=True).to_list()
    left, right = st.columns(2)
    area = left.selectbox("Removals in", areas, key="reach_area")
    groupings = choices.filter(pl.col("area") == area)["grouping"].to_list()
    grouping = right.selectbox("By", groupings, key="reach_grouping", format_func=labels.label)
    reach = data_access.reach_by_group(viewer, area, grouping) if area else pl.DataFrame()

    st.subheader("Disparity ratios with 95% confidence intervals")
    # Years with a ratio to draw (none before the program matched anyone, or while every
    # figure of the year is suppressed), the latest first.
    periods = (reach.filter(pl.col("disparity_ratio").is_not_null())["period"]
               .unique(maintain_order=True).to_list() if area else [])
    period = st.selectbox("State fiscal year of removal", periods, key="reach_period")
    drawn = reach.filter(pl.col("period") == period) if period else reach
    show_chart(context, charts.disparity(drawn, labels.label(grouping)) if period else None,
               drawn, "disparity_ratio")
    show_table(context, reach, "reach_by_group")
    st.caption(context.help("fct_reach_by_group") or "")

    st.subheader("Entry cohorts by the year of the match")
    st.markdown(COHORT_EXPLANATION)
    if viewer.suppressed:
        st.info(data_access.COHORTS_WITHHELD)
        return
    cohorts = data_access.match_cohorts(viewer)
    show_chart(context, charts.cohorts(cohorts), cohorts, "share")
    show_table(context, cohorts, "match_cohorts")
    st.caption(context.help("agg_match_cohort") or "")
