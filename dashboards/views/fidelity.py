"""Fidelity: contact intensity against the targets by site and over time, the caseload
distribution with the limit, training and eligibility, exit fidelity reviews and scores."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboards import charts, data_access
from dashboards.filters import Filters
from dashboards.page_context import open_page
from dashboards.tables import show_chart, show_table
from dashboards.viewer import Viewer

INTENSITY = (
    ("share_meeting_initial_intensity", "Early months meeting the contacts target", "PM02",
     ("initial_intensity_met", "initial_intensity_months")),
    ("share_meeting_monthly_time", "Full months meeting the monthly time", "PM03",
     ("monthly_time_met", "monthly_time_months")),
)


def topic_grid(topics: pl.DataFrame) -> pl.DataFrame:
    """One row per Parent Partner, one column per core topic (a layout, nothing computed)."""
    if topics.is_empty():
        return pl.DataFrame(schema={"pp_id": pl.String, "site_id": pl.String})
    cells = topics.with_columns(
        cell=pl.col("completed_on").dt.strftime("%Y-%m-%d").fill_null("NOT YET")
    )
    return cells.pivot(on="topic_label", index=["pp_id", "site_id"], values="cell",
                       aggregate_function="first").sort("site_id", "pp_id")


def render(viewer: Viewer) -> None:
    context = open_page(viewer, "fidelity", "Fidelity")
    chosen = context.filters
    targets = {
        r["measure_id"]: (r["target"], f"{r['measure_id']} {r['measure_name']} target")
        for r in data_access.measure_targets(viewer, Filters(sfy=chosen.sfy)).iter_rows(
            named=True)
    }
    contacts = context.parameters.get(data_access.INITIAL_INTENSITY_CONTACTS)
    minutes = context.parameters.get(data_access.MONTHLY_MINUTES)
    if contacts is not None and minutes is not None:
        st.caption(f"The model: at least {contacts:g} face-to-face contacts in each full month of "
                   f"the first three, and {minutes:g} minutes in every full month.")

    st.subheader("Contact intensity by site")
    by_site = data_access.activity_by_level(viewer, chosen, "site")
    sites_only = by_site.filter(pl.col("level") == "site")
    columns = st.columns(2)
    for column, (share, title, measure, parts) in zip(columns, INTENSITY, strict=True):
        target, label = targets.get(measure, (None, ""))
        with column:
            show_chart(context, charts.trend(sites_only, share, title, target=target,
                                             target_label=label, tooltip=parts, percent=True,
                                             highlight=chosen.site_id),
                       sites_only, share)
            st.caption(context.help("agg_activity_month", share) or "")
    show_table(context, by_site, "intensity_by_site")

    st.subheader("Caseloads")
    limit = context.parameters.get(data_access.CASELOAD_LIMIT)
    if viewer.sees_records:
        caseloads = data_access.pp_caseloads(viewer, chosen)
        show_chart(context, charts.histogram(caseloads, "active_families",
                                    "Active families per Parent Partner", limit=limit,
                                    limit_label="caseload limit"), caseloads, "active_families")
        show_table(context, caseloads, "caseloads")
    else:
        show_chart(context, charts.trend(sites_only, "avg_caseload",
                                         "Families per Parent Partner", target=limit,
                                         target_label="caseload limit",
                                         tooltip=("active_families", "pp_months"),
                                         highlight=chosen.site_id),
                   sites_only, "avg_caseload")

    if viewer.sees_records:
        st.subheader("Training and eligibility")
        st.caption(context.help("fct_pp_training") or "")
        show_table(context, data_access.training(viewer, chosen), "training")
        st.caption("Core topics by Parent Partner: the date each was completed; "
                   "NOT YET where it is still open.")
        show_table(context, topic_grid(data_access.training_topics(viewer, chosen)),
                   "training_topics")

    st.subheader("Exit fidelity reviews and parent-outcome scores by site")
    exits = data_access.exits_by_area(viewer, chosen, "site")
    target, label = targets.get("PM06", (None, ""))
    site_exits = exits.filter(pl.col("level") == "site")
    window = context.parameters.get(data_access.FIDELITY_REVIEW_WINDOW)
    within = f"within {window:.0f} days of the exit" if window is not None else "in time"
    show_chart(context, charts.bars(
        site_exits, "area_id", "share_reviews_within_window",
        f"Exits with a fidelity review {within}", target=target, target_label=label,
        tooltip=("reviews_within_window", "reviews_due"), percent=True,
    ), site_exits, "share_reviews_within_window")
    show_table(context, exits, "exit_reviews_by_site")
