"""A stand-in for app.py in the lasting sign-in test: the same gate, deep link and sign-out,
then two pages that show only who is signed in (so the test needs no published data)."""

import streamlit as st

from dashboards.sign_in import require_viewer, sign_out_button

st.set_page_config(page_title="Parent Partner Analytics", layout="wide")
viewer = require_viewer(deep_links=["report"])
sign_out_button(viewer)


def page(title: str):
    def render() -> None:
        st.title(title)
        st.markdown(f"Signed in as **{viewer.name}** ({viewer.role})")
        st.markdown(f"Site asked for: {st.query_params.get('site', '-')}")
        # Any click is a rerun, where the session is checked again.
        st.button("Show again")
    return render


st.navigation([st.Page(page("Home"), title="Home", url_path="home", default=True),
               st.Page(page("Report"), title="Report", url_path="report")]).run()
