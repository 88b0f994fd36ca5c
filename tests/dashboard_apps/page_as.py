"""Test harness: the dashboards' pages for a viewer named by the environment, no sign-in.

PPA_TEST_ROLE and PPA_TEST_SITE say who is looking; the pages and the data access are
the real ones, so the tests exercise exactly what app.py serves after sign-in.
PPA_TEST_PAGE (a url_path) keeps only that page of the viewer's list, for AppTest, which
cannot switch to a page that has no file; a page the viewer may not see raises.
"""

import os

import streamlit as st

from dashboards.navigation import PAGES, pages_for
from dashboards.viewer import Viewer

st.set_page_config(page_title="Parent Partner Analytics", layout="wide")
viewer = Viewer(
    name=os.environ.get("PPA_TEST_USER", "tester"),
    role=os.environ["PPA_TEST_ROLE"],
    site_id=os.environ.get("PPA_TEST_SITE") or None,
)
pages = pages_for(viewer)
only = os.environ.get("PPA_TEST_PAGE")
if only:
    title = next(spec.title for spec in PAGES if spec.url_path == only)
    pages = [page for page in pages if page.title == title]
    if not pages:
        raise LookupError(f"{viewer.role} has no page {only!r}")
st.navigation(pages).run()
