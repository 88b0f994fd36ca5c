"""Data values reach markdown only as literal text: a contract id or a site name shaped like a
link, bold text, an HTML element or a formula is shown as exactly those characters.

The pages are run by AppTest on a copy of the demo's published file whose contract id and
site name were replaced; how the escaped text renders is checked in a browser by
tests/test_markdown_text.py.
"""

from __future__ import annotations

import shutil

import duckdb
import pytest
from conftest import HARNESS
from streamlit.testing.v1 import AppTest

from dashboards.markdown_text import literal

HOSTILE = "[x](javascript:alert(1)) **bold** <img src=x onerror=alert(1)> $x$"


@pytest.fixture
def hostile_published(published, dashboard_env, monkeypatch):
    copy = dashboard_env / "published.duckdb"
    shutil.copyfile(published, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute("update marts.fct_contract_sfy set contract_id = ?", [HOSTILE])
        con.execute("update marts.dim_site set site_name = ? where site_id = 'S02'", [HOSTILE])
    monkeypatch.setenv("PPA_PUBLISHED", str(copy))
    return copy


def page_as(monkeypatch, role: str, page: str, own_site: str = "", **state) -> AppTest:
    monkeypatch.setenv("PPA_TEST_ROLE", role)
    monkeypatch.setenv("PPA_TEST_SITE", own_site)
    monkeypatch.setenv("PPA_TEST_PAGE", page)
    app = AppTest.from_file(HARNESS, default_timeout=120)
    for key, value in state.items():
        app.session_state[key] = value
    return app.run()


def markdown_sources(app: AppTest) -> list[str]:
    """The source of every element Streamlit renders as markdown, sidebar included."""
    texts = [e.value for kind in (app.markdown, app.caption, app.subheader, app.header,
                                  app.title, app.error, app.warning, app.info, app.success)
             for e in kind]
    return texts + [m.label for m in app.metric]


def test_a_contract_id_is_shown_as_text_on_the_contract_and_overview_pages(
        hostile_published, monkeypatch):
    for page, expected in (("contract", f"Contract {literal(HOSTILE)}, SFY"),
                           ("overview", f"retainage ({literal(HOSTILE)})")):
        app = page_as(monkeypatch, "state_coordinator", page)
        assert not app.exception, page
        sources = markdown_sources(app)
        assert any(expected in text for text in sources), page
        assert not any(HOSTILE in text for text in sources), page


def test_a_site_name_is_shown_as_text_in_the_filters(hostile_published, monkeypatch):
    own = page_as(monkeypatch, "site_coordinator", "overview", own_site="S02")
    chosen = page_as(monkeypatch, "state_coordinator", "overview", site="S02")
    for app in (own, chosen):
        assert not app.exception
        sources = markdown_sources(app)
        assert any(literal(HOSTILE) in text for text in sources)
        assert not any(HOSTILE in text for text in sources)
