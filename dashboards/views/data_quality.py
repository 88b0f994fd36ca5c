"""Data quality: files by kind and status and how fresh they are; for record-level roles
the files by site and month, and for the site and months chosen in the filters each file,
each rejected row with its plain reason and the forms due but not received, a page at a
time; for the state coordinator the run's checks, failed runs and the packets e-mailed."""

from __future__ import annotations

import streamlit as st

from dashboards import data_access
from dashboards.page_context import open_page
from dashboards.tables import show_paged_table, show_table
from dashboards.viewer import STATE_COORDINATOR, Viewer


def render(viewer: Viewer) -> None:
    context = open_page(viewer, "data-quality", "Data quality")
    chosen = context.filters
    st.subheader("Files by kind and status")
    st.caption(context.help("dq_ingested_files") or "")
    show_table(context, data_access.files_by_kind(viewer, chosen), "files_by_kind")
    if not viewer.sees_records:
        return

    st.subheader("Files by site and month")
    st.caption("The months chosen, by site: files, files rejected whole, files with rejected "
               "rows, and their rows. Choose a site and a month in the filters to list its "
               "files and rejected rows below. The extracts no site or month owns are the row "
               "without either, listed with every choice of months.")
    show_table(context, data_access.file_summary(viewer, chosen), "file_summary")

    st.subheader("Forms expected but not received")
    st.caption("The fix-it list: each family-month whose form was due and never arrived, "
               "by Parent Partner and month.")
    show_paged_table(context, "missing_forms", data_access.count_missing_forms(viewer, chosen),
                     data_access.PAGE_ROWS,
                     lambda page: data_access.missing_forms(viewer, chosen, page))

    st.subheader("Rejected rows")
    st.caption(context.help("dq_rejected_rows") or "")
    show_paged_table(context, "rejected_rows", data_access.count_rejected_rows(viewer, chosen),
                     data_access.PAGE_ROWS,
                     lambda page: data_access.rejected_rows(viewer, chosen, page))

    st.subheader("Files of the months chosen")
    show_paged_table(context, "files", data_access.count_files(viewer, chosen),
                     data_access.PAGE_ROWS, lambda page: data_access.files(viewer, chosen, page))

    st.subheader("Files no kind of landing file claims")
    st.caption(context.help("dq_unrecognised_files") or "")
    show_table(context, data_access.unrecognised_files(viewer, chosen), "unrecognised_files")

    if viewer.role == STATE_COORDINATOR:
        st.subheader("Checks of the published data")
        st.caption("Every check of the published data, as last evaluated (a run for new "
                   "activity forms alone checks what it rebuilt; the rest keep the last "
                   "complete run's results, with its time): an error blocks publication "
                   "(the previous copy stays), a warning is shown here.")
        show_table(context, data_access.check_results(viewer), "check_results")
        st.subheader("Failed runs")
        show_table(context, data_access.run_failures(viewer), "run_failures")
        st.subheader("Monthly packets e-mailed")
        st.caption("Each packet sent after a monthly run or by `ppa send-packets`: to whom, "
                   "when, and whether the mail server took it (a failure is retried, then "
                   "alerted and listed under failed runs). Published with the next run.")
        show_table(context, data_access.packet_deliveries(viewer), "packet_deliveries")
