"""The site page lists the last closed month's overdue forms (marts.fct_overdue_form) by
Parent Partner and family with the days overdue: a site coordinator her own site's only;
the data-quality page lists the packets e-mailed for the state coordinator."""

from __future__ import annotations

import pytest
from conftest import HARNESS, marts
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.usefixtures("dashboard_env")


def page_as(monkeypatch, role: str, page: str, site: str = "", **state) -> AppTest:
    monkeypatch.setenv("PPA_TEST_ROLE", role)
    monkeypatch.setenv("PPA_TEST_SITE", site)
    monkeypatch.setenv("PPA_TEST_PAGE", page)
    app = AppTest.from_file(HARNESS, default_timeout=120)
    for key, value in state.items():
        app.session_state[key] = value
    return app.run()


def overdue_table(app: AppTest):
    [table] = [t for t in app.dataframe if "days_overdue" in t.value.columns]
    return table.value


def test_each_site_coordinator_sees_her_sites_overdue_forms_only(monkeypatch, published):
    overdue = marts(published, "select site_id, family_id, days_overdue "
                               "from marts.fct_overdue_form order by family_id")
    assert not overdue.is_empty()
    closed = marts(published, "select max(service_month) as m from marts.dim_month "
                              "where is_form_expected")["m"][0]
    for site in ("S01", "S02"):
        app = page_as(monkeypatch, "site_coordinator", "site", site)
        assert not app.exception
        own = overdue.filter(overdue["site_id"] == site)
        shown = overdue_table(app).sort_values("family_id")
        assert shown["family_id"].tolist() == own["family_id"].to_list()
        assert shown["days_overdue"].tolist() == own["days_overdue"].to_list()
        headings = [h.value for h in app.subheader]
        assert (f"Overdue forms, {closed:%B %Y}" if not own.is_empty()
                else "Overdue forms") in headings


def test_the_state_coordinator_sees_the_packets_e_mailed(monkeypatch, published):
    app = page_as(monkeypatch, "state_coordinator", "data-quality")
    assert not app.exception
    assert "Monthly packets e-mailed" in [h.value for h in app.subheader]
    assert any({"recipient", "result", "attempts"} <= set(t.value.columns)
               for t in app.dataframe)
