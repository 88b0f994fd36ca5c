"""Overview: the selected month statewide (or the area in scope), its trends over 24 months
with the targets drawn, the service-area and site comparison and the retainage headline."""

from __future__ import annotations

import dataclasses

import polars as pl
import streamlit as st

from dashboards import charts, data_access
from dashboards.filters import Filters
from dashboards.headline import months_back, show_metric
from dashboards.markdown_text import literal
from dashboards.page_context import open_page
from dashboards.suppression import cell
from dashboards.tables import show_chart, show_table
from dashboards.viewer import SITE_COORDINATOR, Viewer

# Which performance measure's target applies to which summary share.
MEASURE_OF_SHARE = {
    "share_meeting_initial_intensity": "PM02",
    "share_meeting_monthly_time": "PM03",
    "share_forms_on_time": "PM05",
}


def _targets(viewer: Viewer, sfy: int | None) -> dict[str, tuple[float, str]]:
    measures = data_access.measure_targets(viewer, Filters(sfy=sfy))
    by_id = {r["measure_id"]: r for r in measures.iter_rows(named=True)}
    return {
        share: (by_id[m]["target"], f"{m} {by_id[m]['measure_name']} target")
        for share, m in MEASURE_OF_SHARE.items() if m in by_id
    }


def render(viewer: Viewer) -> None:
    context = open_page(viewer, "overview", "Overview")
    chosen = context.filters
    if chosen.month_to is None:
        st.info("No months are published yet.")
        return
    window = dataclasses.replace(
        chosen, sfy=None, month_from=months_back(chosen.month_to, 23)
    )
    trend = data_access.activity_trend(viewer, window)
    st.subheader(f"{chosen.month_to:%B %Y}")
    cols = st.columns(3)
    with cols[0]:
        show_metric(context, trend, "active_families", "Active families")
        show_metric(context, trend, "active_pps", "Active Parent Partners")
    with cols[1]:
        show_metric(context, trend, "avg_caseload", "Families per Parent Partner",
                    numerator="active_families", denominator="pp_months")
        show_metric(context, trend, "pps_over_caseload_limit",
                    "Parent Partners over the caseload limit")
    with cols[2]:
        show_metric(context, trend, "share_meeting_initial_intensity",
                    "Early months meeting the contacts target", percent=True,
                    numerator="initial_intensity_met", denominator="initial_intensity_months")
        show_metric(context, trend, "share_meeting_monthly_time",
                    "Full months meeting the monthly time", percent=True,
                    numerator="monthly_time_met", denominator="monthly_time_months")
    cols = st.columns(3)
    with cols[0]:
        show_metric(context, trend, "forms_expected", "Forms expected")
    with cols[1]:
        show_metric(context, trend, "forms_received", "Forms received",
                    numerator="forms_received", denominator="forms_expected")
    with cols[2]:
        show_metric(context, trend, "share_forms_on_time", "Forms on time", percent=True,
                    numerator="forms_on_time", denominator="forms_expected")

    if viewer.role != SITE_COORDINATOR:
        _retainage(viewer, chosen.sfy, context)

    st.subheader("Trends over 24 months")
    targets = _targets(viewer, chosen.sfy)
    trend_charts = [
        (share, charts.trend(trend, share, title, target=targets.get(share, (None, ""))[0],
                             target_label=targets.get(share, (None, ""))[1], percent=True,
                             tooltip=parts))
        for share, title, parts in (
            ("share_meeting_initial_intensity", "Early months meeting the contacts target",
             ("initial_intensity_met", "initial_intensity_months")),
            ("share_meeting_monthly_time", "Full months meeting the monthly time",
             ("monthly_time_met", "monthly_time_months")),
            ("share_forms_on_time", "Forms on time", ("forms_on_time", "forms_expected")),
        )
    ]
    trend_charts.append(("avg_caseload", charts.trend(
        trend, "avg_caseload", "Families per Parent Partner",
        target=context.parameters.get(data_access.CASELOAD_LIMIT),
        target_label="caseload limit", tooltip=("active_families", "pp_months"),
    )))
    columns = st.columns(2)
    for i, (value, chart) in enumerate(trend_charts):
        with columns[i % 2]:
            show_chart(context, chart, trend, value)
    show_table(context, trend, "trend")

    month_only = dataclasses.replace(chosen, month_from=chosen.month_to)
    for level, heading in (("service_area", "By service area"), ("site", "By site")):
        if viewer.role == SITE_COORDINATOR and level == "service_area":
            continue
        frame = data_access.activity_by_level(viewer, month_only, level)
        st.subheader(f"{heading}, {chosen.month_to:%B %Y}")
        parts = frame.filter(pl.col("level") == level)
        target, label = targets.get("share_meeting_monthly_time", (None, ""))
        show_chart(context, charts.bars(
            parts, "area_id", "share_meeting_monthly_time", "Full months meeting the monthly time",
            target=target, target_label=label, percent=True,
            tooltip=("monthly_time_met", "monthly_time_months"),
        ), parts, "share_meeting_monthly_time")
        show_table(context, frame, f"by_{level}")


def _retainage(viewer: Viewer, sfy: int | None, context) -> None:
    position = data_access.contract_position(viewer, Filters(sfy=sfy))
    for row in position.iter_rows(named=True):
        st.metric(
            f"SFY {row['sfy']} retainage ({literal(row['contract_id'])})",
            cell(row, "retainage_status").replace("_", " "),
            help=context.help("fct_contract_sfy", "retainage_status"),
        )
        st.caption(f"{cell(row, 'measures_met')} of {row['measures_applicable']} measures met; "
                   f"retainage ${row['retainage_amount']:,.2f}")
