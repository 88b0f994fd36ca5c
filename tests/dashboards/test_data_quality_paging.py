"""The data-quality page at scale: the files summarised by site and month, and the files,
rejected rows and missing forms of the site and months chosen listed a page at a time, the
download holding the whole selection; a site coordinator's scope holds on every one."""

from __future__ import annotations

import datetime as dt
import io

import polars as pl
import pytest
import streamlit as st
from conftest import marts
from test_dashboard_pages import page_as

from dashboards import data_access, tables
from dashboards.filters import Filters
from dashboards.page_context import PageContext
from dashboards.viewer import Viewer

STATE = Viewer("state", "state_coordinator")
SITE_S02 = Viewer("site2", "site_coordinator", "S02")
MARCH = dt.date(2024, 3, 1)
SFY_2024 = Filters(sfy=2024, month_from=dt.date(2023, 7, 1), month_to=dt.date(2024, 6, 1))
PAGED = {
    "files": (data_access.files, data_access.count_files),
    "rejected_rows": (data_access.rejected_rows, data_access.count_rejected_rows),
    "missing_forms": (data_access.missing_forms, data_access.count_missing_forms),
}

pytestmark = pytest.mark.usefixtures("dashboard_env")


@pytest.mark.parametrize("viewer", [STATE, SITE_S02], ids=lambda v: v.role)
def test_the_summary_by_site_and_month_adds_up_to_the_files_listed(viewer):
    summary = data_access.file_summary(viewer, SFY_2024)
    every = data_access.files(viewer, SFY_2024)
    assert not every.is_empty()
    expected = every.group_by("site_id", "service_month").agg(
        files=pl.len(),
        files_rejected=(pl.col("status") == "rejected").sum(),
        files_with_rejected_rows=(pl.col("status") == "loaded_with_rejections").sum(),
        rows_read=pl.col("rows_read").sum(), rows_accepted=pl.col("rows_accepted").sum(),
        rows_rejected=pl.col("rows_rejected").sum())
    key = ["site_id", "service_month"]
    assert summary.sort(key).cast(expected.schema).equals(expected.sort(key))
    assert summary["files"].sum() == data_access.count_files(viewer, SFY_2024) == every.height


@pytest.mark.parametrize("name", PAGED)
@pytest.mark.parametrize("viewer", [STATE, SITE_S02], ids=lambda v: v.role)
def test_the_pages_together_are_the_whole_selection_once(monkeypatch, name, viewer):
    monkeypatch.setattr(data_access, "PAGE_ROWS", 7)
    fetch, count = PAGED[name]
    whole = fetch(viewer, SFY_2024)
    assert whole.height == count(viewer, SFY_2024) > 7
    pages = [fetch(viewer, SFY_2024, n) for n in range(1, -(-whole.height // 7) + 1)]
    assert all(page.height == 7 for page in pages[:-1])
    assert pl.concat(pages).equals(whole)
    assert fetch(viewer, SFY_2024, len(pages) + 1).is_empty()


def test_a_site_and_month_chosen_lists_that_sites_files_and_their_rejected_rows(published):
    chosen = Filters(month_from=MARCH, month_to=MARCH, site_id="S01")
    listed = data_access.files(STATE, chosen)
    assert set(listed["site_id"]) == {"S01"} and set(listed["service_month"]) == {MARCH}
    expected = marts(published, "select file from marts.dq_ingested_files "
                                "where site_id = 'S01' and service_month = ?", [MARCH])
    assert sorted(listed["file"]) == sorted(expected["file"])
    rejected = data_access.rejected_rows(STATE, chosen)
    assert not rejected.is_empty()
    of_files = marts(published, "select count(*) as n from marts.dq_rejected_rows where file in "
                                "(select file from marts.dq_ingested_files where site_id = 'S01' "
                                "and service_month = ?)", [MARCH])
    assert rejected.height == of_files["n"][0] < data_access.count_rejected_rows(STATE, Filters())


@pytest.mark.parametrize("tampered", [Filters(site_id="S01"), Filters(service_area="Cedar Rapids")])
def test_a_site_coordinator_counts_only_her_sites_rows(tampered):
    for fetch, count in PAGED.values():
        own = fetch(SITE_S02, Filters())
        assert count(SITE_S02, Filters()) == own.height > 0
        assert count(SITE_S02, tampered) == 0
    assert set(data_access.file_summary(SITE_S02, Filters())["site_id"]) == {"S02"}
    for count in (data_access.count_files, data_access.count_rejected_rows,
                  data_access.count_missing_forms):
        with pytest.raises(data_access.RecordLevelRefused):
            count(Viewer("lead", "leadership"), Filters())


def test_a_files_site_and_month_are_read_from_its_place_in_the_landing_zone(published):
    files = marts(published, """
        select f.file, f.site_id, f.service_month, p.site_id as pp_site
        from marts.dq_ingested_files as f
        left join marts.dim_parent_partner as p
            on p.pp_id = split_part(split_part(f.file, '/', 3), '_', 1)""")
    exports = files.filter(pl.col("file").str.contains("/site_"))
    forms = files.filter(pl.col("file").str.starts_with("activity_forms/")
                         & ~pl.col("file").str.contains("/site_"))
    extracts = files.filter(~pl.col("file").str.starts_with("activity_forms/"))
    assert min(exports.height, forms.height, extracts.height) > 0
    assert exports["site_id"].to_list() == exports["file"].str.extract(r"/site_(\w+?)_").to_list()
    assert forms["site_id"].to_list() == forms["pp_site"].to_list()
    assert extracts["site_id"].null_count() == extracts["service_month"].null_count() == (
        extracts.height)
    months = files.filter(pl.col("file").str.starts_with("activity_forms/"))
    assert months["service_month"].dt.strftime("%Y-%m").to_list() == (
        months["file"].str.split("/").list.get(1).to_list())


def test_a_paged_tables_csv_holds_the_whole_selection(monkeypatch):
    whole = pl.DataFrame({"file": [f"f{n:03d}.csv" for n in range(250)]})
    shown, captions, downloads = [], [], []
    monkeypatch.setattr(st, "dataframe", lambda frame, **_: shown.append(frame))
    monkeypatch.setattr(st, "caption", captions.append)
    monkeypatch.setattr(st, "number_input", lambda *_, **__: 3)
    monkeypatch.setattr(st, "download_button", lambda label, data, **_: downloads.append(data))
    context = PageContext(STATE, "data-quality", Filters(), pl.DataFrame(), {})
    tables.show_paged_table(context, "files", whole.height, 100,
                            lambda page: whole if page is None else whole.slice((page - 1) * 100, 100))
    assert len(shown) == 1 and shown[0].height == 50
    assert captions == ["Rows 201 to 250 of 250 (page 3 of 3); the CSV holds all 250."]
    assert callable(downloads[0])
    assert pl.read_csv(io.StringIO(downloads[0]()))["file"].to_list() == whole["file"].to_list()


def test_the_page_shows_the_page_of_files_asked_for(monkeypatch):
    monkeypatch.setattr(data_access, "PAGE_ROWS", 10)
    app = page_as(monkeypatch, "state_coordinator", "data-quality", files_page=3)
    assert not app.exception, [e.value for e in app.exception]
    total = data_access.count_files(STATE, SFY_2024)
    assert f"Rows 21 to 30 of {total} (page 3 of {-(-total // 10)}); the CSV holds all {total}." in [
        c.value for c in app.caption]
    listed = next(t.value for t in app.dataframe if "error" in t.value.columns
                  or "Error" in t.value.columns)
    assert listed.shape[0] == 10
