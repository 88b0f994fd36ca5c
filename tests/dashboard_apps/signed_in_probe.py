"""A stand-in for the dashboards' entry point in sign-in tests: the same gate and sign-out
as app.py, then only who is signed in (so these tests do not depend on the pages)."""

import streamlit as st

from dashboards.sign_in import require_viewer, sign_out_button

st.set_page_config(page_title="Parent Partner Analytics", layout="wide")
viewer = require_viewer()
sign_out_button(viewer)
st.markdown(f"Signed in as **{viewer.name}** ({viewer.role}, site {viewer.site_id or '-'})")
