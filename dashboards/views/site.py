"""Site: one site's scorecard, its Parent Partners, the forms overdue for the last closed month, its
families month by month, its exits, and the monthly packet. A site coordinator sees her own site without a choice."""

from __future__ import annotations

import streamlit as st

from dashboards import audit, data_access
from dashboards.monthly_packet import (
    EXITS,
    FAMILY_MONTHS,
    GRID,
    OVERDUE,
    PARTNERS,
    packet_bytes,
    site_tables,
)
from dashboards.page_context import PageContext, open_page
from dashboards.tables import show_table
from dashboards.viewer import Viewer


def _scorecard(context: PageContext) -> None:
    """Each measure of the site beside the statewide value and the target, with the
    change since the same month a year before (marts.fct_site_scorecard)."""
    chosen, labels = context.filters, context.labels
    card = data_access.site_scorecard(context.viewer, chosen)
    st.subheader(f"Scorecard, {chosen.month_to:%B %Y}")
    st.caption("The site's value of each measure in the month; under it the change since "
               "the same month a year before, and beside it the statewide value and the "
               "target.")
    columns = st.columns(max(1, card.height))
    for column, row in zip(columns, card.iter_rows(named=True), strict=False):
        name = row["scorecard_measure"]
        column.metric(
            labels.label(name), labels.in_format_of(name, row["site_value"]),
            delta=(None if row["change_since_year_before"] is None else
                   labels.in_format_of(name, row["change_since_year_before"], change=True)),
            delta_color="inverse" if row["comparator"] == "<=" else "normal",
            help=context.help("fct_site_scorecard"),
        )
        column.caption(
            f"Statewide {labels.in_format_of(name, row['statewide_value'])}; target "
            f"{row['comparator'] or ''} {labels.in_format_of(name, row['target'])}"
            + ("" if row["met"] is None else (" (met)" if row["met"] else " (not met)")))
    shown = labels.in_formats_of(
        card.drop("service_month"), "scorecard_measure",
        ("site_value", "statewide_value", "target", "year_before_value"),
        changes=("change_since_year_before",))
    with st.expander("The scorecard as a table"):
        show_table(context, shown, "scorecard")


def render(viewer: Viewer) -> None:
    context = open_page(viewer, "site", "Site")
    chosen = context.filters
    if chosen.site_id is None or chosen.month_to is None:
        st.info("Choose a site and a month in the filters to see its Parent Partners and "
                "families.")
        return
    _scorecard(context)
    limit = context.parameters.get(data_access.CASELOAD_LIMIT)
    st.subheader(f"Parent Partners, {chosen.month_to:%B %Y}")
    if limit is not None:
        st.caption(f"Caseload limit: {limit:g} families (program parameter).")
    tables = site_tables(viewer, chosen)
    show_table(context, tables[PARTNERS], "parent_partners")

    overdue = tables[OVERDUE]
    closed = f"{overdue['service_month'][0]:%B %Y}" if not overdue.is_empty() else None
    st.subheader(f"Overdue forms, {closed}" if closed else "Overdue forms")
    st.caption("Forms of the last closed month that were due and never received, by Parent "
               "Partner and family, with the days since they were due. "
               + ("" if closed else "None: every form due for the last closed month arrived."))
    show_table(context, overdue, "overdue_forms")

    st.subheader("Families month by month")
    st.caption("Face-to-face contacts / total minutes per month; MISSING: a form due and "
               "never received; LATE: the first version came after the due date.")
    show_table(context, tables[GRID], "family_grid")
    with st.expander("Family months in detail"):
        show_table(context, tables[FAMILY_MONTHS], "family_months")

    st.subheader("Exits")
    show_table(context, tables[EXITS], "exits")

    refresh = data_access.refresh(viewer)
    packet = packet_bytes(
        {"site": chosen.site_id, "months": f"{chosen.month_from} to {chosen.month_to}",
         "as-of date": refresh["as_of_date"], "last refresh": refresh["refreshed_at"]},
        tables, context.labels,
    )
    st.download_button(
        "Download the monthly packet (.xlsx)", packet,
        file_name=f"packet_{chosen.site_id}_{chosen.month_to:%Y-%m}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="packet", type="primary", on_click=audit.record,
        args=(viewer.name, viewer.role, "site", "download:monthly_packet", chosen.as_audit()),
    )
