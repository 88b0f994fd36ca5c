"""Parent Partner Analytics dashboards: entry page.

Reads only the published copy of the marts (PPA_PUBLISHED).
"""

import streamlit as st
from published import published_path, query

st.set_page_config(page_title="Parent Partner Analytics", layout="wide")
st.title("Parent Partner Analytics")

if not published_path().exists():
    st.info("Nothing is published yet: run `ppa run` (or `make demo`) to build the marts.")
    st.stop()

refresh = query("select as_of_date, refreshed_at from marts.meta_refresh")
as_of, refreshed = refresh.row(0)
st.caption(f"Data as of {as_of} - last successful refresh {refreshed}")

st.subheader("Landing files ingested")
files = query(
    """
    select kind, count(*) as files, sum(rows_read) as rows_read,
           sum(rows_accepted) as rows_accepted, sum(rows_rejected) as rows_rejected,
           count(*) filter (where status = 'rejected') as files_rejected
    from marts.dq_ingested_files group by kind order by kind
    """
)
st.dataframe(files, hide_index=True)

st.subheader("Rejected rows by reason")
reasons = query(
    "select reason_code, count(*) as rows from marts.dq_rejected_rows group by 1 order by 2 desc"
)
st.bar_chart(reasons, x="reason_code", y="rows")
