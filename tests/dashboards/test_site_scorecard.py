"""The site scorecard: each measure of the site beside the statewide value and the target,
with the change since the same month a year before, as marts.fct_site_scorecard says."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from conftest import marts
from test_dashboard_pages import JUNE, page_as

from dashboards import data_access
from dashboards.filters import Filters
from dashboards.labels import Labels
from dashboards.viewer import Viewer

pytestmark = pytest.mark.usefixtures("dashboard_env")


def test_the_scorecard_is_the_site_beside_the_state_and_its_month_a_year_before(published):
    card = marts(published, "select * from marts.fct_site_scorecard where service_month = ?",
                 [JUNE])
    activity = marts(published, "select * from marts.agg_activity_month "
                     "where service_month in (?, ?)", [JUNE, dt.date(2023, 6, 1)])
    assert card.height == 4 * activity.filter((pl.col("level") == "site")
                                              & (pl.col("service_month") == JUNE)).height > 0
    for row in card.iter_rows(named=True):
        measure = row["scorecard_measure"]
        at = activity.filter(pl.col("service_month") == JUNE)
        site = at.filter(pl.col("area_id") == row["site_id"])[measure][0]
        state = at.filter(pl.col("level") == "statewide")[measure][0]
        before = activity.filter((pl.col("service_month") == dt.date(2023, 6, 1))
                                 & (pl.col("area_id") == row["site_id"]))[measure]
        assert (row["site_value"], row["statewide_value"]) == (site, state)
        expected_before = before[0] if before.len() else None
        assert row["year_before_value"] == expected_before
        if site is not None and expected_before is not None:
            assert row["change_since_year_before"] == pytest.approx(site - expected_before)
        assert row["target"] is not None


def test_the_site_page_shows_the_scorecard(monkeypatch, published):
    labels = Labels.from_frame(marts(published, "select * from marts.dim_column_label"))
    card = marts(published, "select * from marts.fct_site_scorecard "
                 "where site_id = 'S01' and service_month = ? order by measure_order", [JUNE])
    app = page_as(monkeypatch, "state_coordinator", "site", site="S01",
                  **{"from": "2024-06", "to": "2024-06"})
    assert not app.exception
    shown = {m.label: m.value for m in app.metric}
    for row in card.iter_rows(named=True):
        name = row["scorecard_measure"]
        assert shown[labels.label(name)] == labels.in_format_of(name, row["site_value"])
    captions = " ".join(c.value for c in app.caption)
    first = card.row(0, named=True)
    assert f"Statewide {labels.in_format_of('avg_caseload', first['statewide_value'])}" \
        in captions


def test_a_site_coordinator_reads_only_her_own_sites_scorecard():
    own = Viewer("sc", "site_coordinator", "S02")
    asked = data_access.site_scorecard(own, Filters(site_id="S01", month_to=JUNE))
    assert set(asked["site_id"]) <= {"S02"}
    mine = data_access.site_scorecard(own, Filters(site_id="S02", month_to=JUNE))
    assert mine.height == 4 and set(mine["site_id"]) == {"S02"}
