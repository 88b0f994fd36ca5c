"""The dashboards' entry point: the sign-in page for nobody, the role's navigation for a viewer.

The role's pages come from `dashboards.navigation.pages_for`; a stand-in module replaces it
here so these tests pin the entry point's wiring, whatever the pages are.
"""

import sys
import types

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboards import users
from orchestration.config import REPO_ROOT

APP = str(REPO_ROOT / "dashboards" / "app.py")
PASSWORD = "correct horse battery"


@pytest.fixture
def navigation_for_tests(monkeypatch, tmp_path):
    monkeypatch.setenv("PPA_USERS_FILE", str(tmp_path / "users.toml"))
    monkeypatch.setenv("PPA_AUDIT_LOG", str(tmp_path / "audit.log"))
    users.add_user(tmp_path / "users.toml", "lee", "leadership", None, PASSWORD)
    viewers = []

    def pages_for(viewer):
        viewers.append(viewer)
        return [st.Page(lambda: st.markdown(f"home of a {viewer.role}"), title="Home")]

    module = types.ModuleType("dashboards.navigation")
    module.pages_for = pages_for
    module.PAGES = ()
    monkeypatch.setitem(sys.modules, "dashboards.navigation", module)
    return viewers


def test_nobody_signed_in_gets_the_sign_in_page_and_no_navigation(navigation_for_tests):
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert not app.exception
    assert [field.label for field in app.text_input] == ["Username", "Password"]
    assert navigation_for_tests == []


def test_a_viewer_gets_the_pages_of_the_role_and_a_sign_out_button(navigation_for_tests):
    app = AppTest.from_file(APP, default_timeout=60)
    app.session_state["ppa_user"] = "lee"
    app.run()
    assert not app.exception
    assert [(v.name, v.role) for v in navigation_for_tests] == [("lee", "leadership")]
    assert app.markdown[0].value == "home of a leadership"
    assert [b.label for b in app.sidebar.button] == ["Sign out"]
