"""Contract: per SFY, installments invoiced and paid, the retainage and its status, each
performance measure against its target, and invoices that disagree with the measures."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboards import charts, data_access
from dashboards.markdown_text import literal
from dashboards.page_context import open_page
from dashboards.suppression import FLAG_SUFFIX, cell
from dashboards.tables import show_chart, show_table
from dashboards.viewer import Viewer

ISSUE_FLAG = "issue" + FLAG_SUFFIX


def render(viewer: Viewer) -> None:
    context = open_page(viewer, "contract", "Contract")
    chosen = context.filters
    position = data_access.contract_position(viewer, chosen)
    for row in position.iter_rows(named=True):
        st.subheader(f"Contract {literal(row['contract_id'])}, SFY {row['sfy']}")
        cols = st.columns(4)
        cols[0].metric("Installments invoiced", f"${row['installments_invoiced']:,.2f}",
                       help=context.help("fct_contract_sfy", "installments_invoiced"))
        cols[1].metric("Installments paid", f"${row['installments_paid']:,.2f}",
                       help=context.help("fct_contract_sfy", "installments_paid"))
        cols[2].metric("Retainage held", f"${row['retainage_amount']:,.2f}",
                       help=context.help("fct_contract_sfy", "retainage_amount"))
        cols[3].metric("Retainage status", str(cell(row, "retainage_status")).replace("_", " "),
                       help=context.help("fct_contract_sfy", "retainage_status"))
        st.caption(f"Monthly installment ${row['installment_amount']:,.2f}; "
                   f"{cell(row, 'measures_met')} of {row['measures_applicable']} measures met.")
    show_table(context, position, "contract_position")

    st.subheader("Performance measures against their targets")
    measures = data_access.performance_measures(viewer, chosen)
    shown = measures.filter(pl.col("value").is_not_null())
    show_chart(context, charts.measures(shown), shown, "value")
    if not shown.is_empty():
        st.caption("Bars: each measure's value; orange ticks: its target for the SFY.")
    show_table(context, measures, "performance_measures")

    st.subheader("Year to date, month by month")
    st.caption((context.help("fct_performance_measure_ytd") or "")
               + " Blue: the measure so far in the SFY; dashed orange: its target.")
    trajectory = data_access.measure_trajectory(viewer, chosen)
    drawn = trajectory.filter(pl.col("value").is_not_null())
    if drawn.is_empty():
        st.info("No year-to-date figures for this selection.")
    else:
        parts = ("numerator", "denominator") if "numerator" in drawn.columns else ()
        st.vega_lite_chart(charts.labelled(charts.trajectory(drawn, tooltip=parts),
                                           context.labels), width="content")
    with st.expander("Year-to-date figures as a table"):
        show_table(context, trajectory, "measures_year_to_date")

    st.subheader("Invoices checked against the contract and the measures")
    st.caption(context.help("fct_invoice_check") or "")
    invoices = data_access.invoice_checks(viewer, chosen)
    flagged = invoices.filter(pl.col("issue").is_not_null())
    withheld = invoices.filter(pl.col(ISSUE_FLAG)) if ISSUE_FLAG in invoices.columns \
        else invoices.clear()
    if not flagged.is_empty():
        st.error(f"{flagged.height} invoice(s) disagree with the contract or the measures.")
    elif withheld.is_empty():
        st.success("Every invoice of the selection agrees with the contract and the measures.")
    if not withheld.is_empty():
        st.info(f"The check of {withheld.height} retainage invoice(s) is suppressed: it would "
                "tell whether a suppressed measure was met.")
    show_table(context, invoices, "invoices")
