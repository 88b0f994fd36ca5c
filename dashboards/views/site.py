"""Site: one site's Parent Partners, its families month by month, its exits, and the
monthly packet. A site coordinator sees her own site without a choice."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboards import audit, data_access
from dashboards.monthly_packet import packet_bytes
from dashboards.page_context import open_page
from dashboards.tables import show_table
from dashboards.viewer import Viewer


def family_grid(family_months: pl.DataFrame) -> pl.DataFrame:
    """One row per family, one column per month: face-to-face contacts / minutes, with a
    missing or late form marked (a layout of fct_family_month, nothing recomputed)."""
    if family_months.is_empty():
        return pl.DataFrame(schema={"family_id": pl.String, "pp_id": pl.String})
    cells = family_months.with_columns(
        month=pl.col("service_month").dt.strftime("%Y-%m"),
        cell=pl.format("{} f2f / {} min", "face_to_face_contacts", "total_minutes")
        + pl.when(pl.col("form_expected") & ~pl.col("form_received")).then(pl.lit(" MISSING"))
        .when(pl.col("form_expected") & ~pl.col("form_on_time")).then(pl.lit(" LATE"))
        .otherwise(pl.lit("")),
    )
    return cells.pivot(on="month", index=["family_id", "pp_id"], values="cell",
                       aggregate_function="first", sort_columns=True).sort("family_id")


def render(viewer: Viewer) -> None:
    context = open_page(viewer, "site", "Site")
    chosen = context.filters
    if chosen.site_id is None or chosen.month_to is None:
        st.info("Choose a site and a month in the filters to see its Parent Partners and "
                "families.")
        return
    limit = context.parameters.get(data_access.CASELOAD_LIMIT)
    st.subheader(f"Parent Partners, {chosen.month_to:%B %Y}")
    if limit is not None:
        st.caption(f"Caseload limit: {limit:g} families (program parameter).")
    partners = data_access.parent_partners(viewer, chosen)
    show_table(context, partners, "parent_partners")

    st.subheader("Families month by month")
    st.caption("Face-to-face contacts / total minutes per month; MISSING: a form due and "
               "never received; LATE: the first version came after the due date.")
    months = data_access.family_months(viewer, chosen)
    grid = family_grid(months)
    show_table(context, grid, "family_grid")
    with st.expander("Family months in detail"):
        show_table(context, months, "family_months")

    st.subheader("Exits")
    exits = data_access.exits(viewer, chosen)
    show_table(context, exits, "exits")

    refresh = data_access.refresh(viewer)
    packet = packet_bytes(
        {"site": chosen.site_id, "months": f"{chosen.month_from} to {chosen.month_to}",
         "as-of date": refresh["as_of_date"], "last refresh": refresh["refreshed_at"]},
        {"Parent Partners": partners, "Families by month": grid, "Family months": months,
         "Exits": exits},
        context.labels,
    )
    st.download_button(
        "Download the monthly packet (.xlsx)", packet,
        file_name=f"packet_{chosen.site_id}_{chosen.month_to:%Y-%m}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="packet", type="primary", on_click=audit.record,
        args=(viewer.name, viewer.role, "site", "download:monthly_packet", chosen.as_audit()),
    )
