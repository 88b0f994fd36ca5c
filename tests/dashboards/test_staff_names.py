"""The staff directory through the data access: names for the coordinators, each in her
scope; none for leadership; no directory, no names (the pages show ids alone)."""

from __future__ import annotations

import polars as pl
import pytest
from conftest import staff_directory

from dashboards import data_access
from dashboards.data_access import RecordLevelRefused
from dashboards.filters import Filters
from dashboards.viewer import Viewer

pytestmark = pytest.mark.usefixtures("dashboard_env")


def test_leadership_is_refused_the_names(published):
    with pytest.raises(RecordLevelRefused):
        data_access.staff_names(Viewer("lee", "leadership"), Filters())


def test_a_site_coordinator_gets_her_own_sites_names_whatever_the_filter(published):
    directory = staff_directory(published)
    assert {"S01", "S02"} <= set(directory["site_id"])
    viewer = Viewer("ana", "site_coordinator", "S02")
    own = data_access.staff_names(viewer, Filters())
    assert own.equals(directory.filter(pl.col("site_id") == "S02").sort("site_id", "pp_id"))
    assert own["display_name"].null_count() < own.height
    asked = data_access.staff_names(viewer, Filters(site_id="S01"))
    assert set(asked["site_id"]) <= {"S02"}
    assert not set(asked["pp_id"]) & set(directory.filter(pl.col("site_id") == "S01")["pp_id"])


def test_the_state_coordinator_gets_every_sites_names(published):
    every = data_access.staff_names(Viewer("sam", "state_coordinator"), Filters())
    assert every.sort("pp_id").equals(staff_directory(published))
    one = data_access.staff_names(Viewer("sam", "state_coordinator"), Filters(site_id="S01"))
    assert set(one["site_id"]) == {"S01"}


def test_no_staff_directory_gives_no_names(published, tmp_path, monkeypatch):
    monkeypatch.setenv("PPA_STAFF_DIRECTORY", str(tmp_path / "never_published.duckdb"))
    names = data_access.staff_names(Viewer("sam", "state_coordinator"), Filters())
    assert names.is_empty()
    assert names.columns == ["pp_id", "site_id", "display_name"]
