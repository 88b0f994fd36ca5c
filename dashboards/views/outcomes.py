"""Outcomes: participants against matched non-participants (forest plot, table, balance,
sample flow), the effect by group, time to reunification, and the CFSR statewide
indicators for context."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboards import charts, data_access
from dashboards.page_context import open_page
from dashboards.tables import show_chart, show_table
from dashboards.viewer import Viewer
from orchestration.outcomes.survival import TICK_DAYS

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


SUBGROUP_EXPLANATION = """
The same matched comparison within each group: each group's participants are matched again
to never-matched children of the same group (a girl with a girl, a toddler with a toddler),
and a group is shown only with at least {minimum} pairs for the outcome (fewer give
intervals too wide to read). The dashed line is the overall difference above. **Differs
between groups (p)** is Cochran's Q test that every group of the grouping has the same
effect. These are exploratory: with five groupings and five outcomes, some p-values fall
below 0.05 by chance alone, and a matched comparison is not a randomised trial.
"""

CURVES_EXPLANATION = """
The share of children not yet home, day by day, for participants and their matched
comparisons (Kaplan-Meier, with 95% bands). A child leaving care in another way, or still in
care on the as-of date, is followed until then and no further. From the match: the
comparison child is followed from the same number of days after removal as its participant
was matched. Under the axis: the children still followed every {tick} days.
"""

BALANCE_WITHHELD = (
    "Leadership's publication holds no covariate balance: with the study's sizes, the "
    "balance figures of a covariate's groups give away how many children are in a small "
    "group. Whether the groups were balanced is in the study's status above."
)
CURVES_WITHHELD = (
    "Leadership's publication holds no time-to-reunification curves: every step of a curve "
    "and every number at risk is a count of children, and small ones cannot be hidden "
    "without breaking the curve. The effect on reunification is in the comparison above."
)
ORIGINS = {"removal": "From removal", "match": "From the match"}
AT_RISK_EVERY = 2 * TICK_DAYS


def _effect_by_group(context, viewer: Viewer, comparison: pl.DataFrame) -> None:
    st.subheader("Effect by group (exploratory)")
    minimum = data_access.program_parameters(viewer).get("subgroup_min_pairs")
    st.markdown(SUBGROUP_EXPLANATION.format(minimum=minimum or "the published minimum of"))
    by_group = data_access.outcome_by_subgroup(viewer)
    if by_group.is_empty():
        show_chart(context, None, by_group, "difference")
        return
    # In the order of the comparison above (reunification first).
    present = set(by_group["outcome"])
    outcomes = [o for o in comparison["outcome"] if o in present] or sorted(present)
    outcome = st.radio("Outcome", outcomes, horizontal=True, key="subgroup_outcome")
    rows = by_group.filter(pl.col("outcome") == outcome)
    overall = comparison.filter(pl.col("outcome") == outcome)["difference"]
    drawn = rows.drop_nulls("difference")
    unit = rows["unit"][0]
    show_chart(context, None if drawn.is_empty() else charts.subgroup_forest(
        drawn, unit, overall[0] if overall.len() else None), drawn, "difference")
    show_table(context, rows, "effect_by_group")
    st.caption(context.help("fct_outcome_by_subgroup") or "")


def _time_to_reunification(context, viewer: Viewer) -> None:
    st.subheader("Time to reunification")
    curves = data_access.time_to_reunification(viewer)
    if curves is None:
        st.info(CURVES_WITHHELD)
        return
    st.markdown(CURVES_EXPLANATION.format(tick=AT_RISK_EVERY))
    if curves.is_empty():
        show_chart(context, None, curves, "survival")
        return
    origin = st.radio("Days counted", list(ORIGINS), format_func=ORIGINS.get,
                      horizontal=True, key="curve_origin")
    curve = curves.filter(pl.col("origin") == origin)
    show_chart(context, charts.survival_curves(curve), curve, "survival")
    # The numbers at risk under the axis: every second published tick (at the page's width
    # four-digit numbers 90 days apart overlap).
    ticks = curve.filter(pl.col("day") % AT_RISK_EVERY == 0)
    show_chart(context, charts.at_risk(ticks, curve["day"].max()), ticks, "at_risk")
    show_table(context, curve, f"time_to_reunification_{origin}")
    st.caption(context.help("fct_time_to_reunification") or "")


def render(viewer: Viewer) -> None:
    context = open_page(viewer, "outcomes", "Outcomes")
    st.markdown(EXPLANATION)

    status = data_access.outcome_study_status(viewer)
    if status is not None and status["status"] != "reliable":
        withheld = " Leadership's publication withholds the results." if viewer.suppressed else ""
        st.warning(f"{context.labels.worded(status['reason'], every_code=True)}{withheld}")

    comparison = data_access.outcome_comparison(viewer)
    st.subheader("Differences with 95% confidence intervals")
    drawn = comparison.drop_nulls("difference")
    if drawn.is_empty():
        show_chart(context, None, drawn, "difference")
    for unit in drawn["unit"].unique(maintain_order=True):
        in_unit = drawn.filter(pl.col("unit") == unit)
        show_chart(context, charts.forest(in_unit, unit), in_unit, "difference")
    show_table(context, comparison, "matched_comparison")
    st.caption(context.help("fct_outcome_comparison") or "")

    st.subheader("Before matching (naive difference)")
    show_table(context, data_access.naive_comparison(viewer), "naive_comparison")

    st.subheader("Covariate balance (love plot)")
    balance = data_access.matching_balance(viewer)
    if balance is None:
        st.info(BALANCE_WITHHELD)
    else:
        show_chart(context, charts.love(balance), balance, "smd_after")
        show_table(context, balance, "balance")

    st.subheader("Sample flow")
    st.caption(context.help("agg_outcome_sample_flow") or "")
    show_table(context, data_access.sample_flow(viewer), "sample_flow")

    _effect_by_group(context, viewer, comparison)
    _time_to_reunification(context, viewer)

    st.subheader("CFSR statewide indicators (observed)")
    st.caption(context.help("fct_cfsr_indicator") or "")
    cfsr = data_access.cfsr_indicators(viewer, context.filters)
    show_chart(context, charts.indicators(cfsr), cfsr, "indicator_value")
    show_table(context, cfsr, "cfsr_indicators")
