"""Parent Partner Analytics dashboards: the entry point.

Nobody signed in, the sign-in page is the only page there is. Signed in, the sidebar
offers `Sign out` and the navigation holds only the pages the viewer's role may see
(`navigation.pages_for`): a page never registered cannot be reached by URL.
"""

import streamlit as st

from dashboards.navigation import PAGES, pages_for
from dashboards.sign_in import require_viewer, sign_out_button

st.set_page_config(page_title="Parent Partner Analytics", layout="wide")
viewer = require_viewer(deep_links=[spec.url_path for spec in PAGES[1:]])
sign_out_button(viewer)
st.navigation(pages_for(viewer)).run()
