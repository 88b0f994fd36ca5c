"""The data-access module enforces every role's scope, whatever the filters say."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from conftest import NOT_COUNTS, RECORD_ID_COLUMNS, marts
from pipeline_run import MISPLACED

from dashboards import data_access
from dashboards.filters import Filters
from dashboards.viewer import Viewer

STATE = Viewer("state", "state_coordinator")
SITE_S02 = Viewer("site2", "site_coordinator", "S02")
LEADERSHIP = Viewer("lead", "leadership")
JUNE = dt.date(2024, 6, 1)
SFY = 2024

SCOPED = {
    "activity_by_level": lambda v, f: data_access.activity_by_level(v, f, "site"),
    "activity_trend": data_access.activity_trend,
    "exits_by_area": lambda v, f: data_access.exits_by_area(v, f, "site"),
    "files_by_kind": data_access.files_by_kind,
}
RECORD_LEVEL = {
    "parent_partners": data_access.parent_partners,
    "family_months": data_access.family_months,
    "exits": data_access.exits,
    "missing_forms": data_access.missing_forms,
    "pp_caseloads": data_access.pp_caseloads,
    "training": data_access.training,
    "training_topics": data_access.training_topics,
    "files": data_access.files,
    "rejected_rows": data_access.rejected_rows,
    "unrecognised_files": data_access.unrecognised_files,
    "file_summary": data_access.file_summary,
    "files_page": lambda v, f: data_access.files(v, f, 1),
    "rejected_rows_page": lambda v, f: data_access.rejected_rows(v, f, 1),
    "missing_forms_page": lambda v, f: data_access.missing_forms(v, f, 1),
}
LEADERSHIP_FRAMES = {
    **SCOPED,
    "activity_by_area": lambda v, f: data_access.activity_by_level(v, f, "service_area"),
    "exits_by_service_area": lambda v, f: data_access.exits_by_area(v, f, "service_area"),
    "performance_measures": data_access.performance_measures,
    "contract_position": data_access.contract_position,
    "invoice_checks": data_access.invoice_checks,
    "outcome_comparison": lambda v, f: data_access.outcome_comparison(v),
    "naive_comparison": lambda v, f: data_access.naive_comparison(v),
    "sample_flow": lambda v, f: data_access.sample_flow(v),
    "outcome_by_subgroup": lambda v, f: data_access.outcome_by_subgroup(v),
    "cfsr_indicators": data_access.cfsr_indicators,
    "measure_trajectory": data_access.measure_trajectory,
}
INJECTIONS = [
    "S01' or '1'='1",
    "x'; drop table marts.dim_site; --",
    "S02\") or 1=1 --",
]

pytestmark = pytest.mark.usefixtures("dashboard_env")


def _sites_in(frame: pl.DataFrame) -> set:
    if "site_id" in frame.columns:
        return set(frame["site_id"].drop_nulls())
    if "area_id" in frame.columns:
        return set(frame.filter(pl.col("level") == "site")["area_id"]) | set(
            frame.filter(pl.col("level") != "site")["level"])
    return set()


@pytest.mark.parametrize("name", [*SCOPED, *RECORD_LEVEL])
def test_a_site_coordinator_sees_only_her_site(name):
    fetch = {**SCOPED, **RECORD_LEVEL}[name]
    frame = fetch(SITE_S02, Filters(sfy=SFY))
    assert _sites_in(frame) <= {"S02"}


@pytest.mark.parametrize("name", [*SCOPED, *RECORD_LEVEL])
@pytest.mark.parametrize("tampered", [
    Filters(site_id="S01"), Filters(service_area="Cedar Rapids"),
    Filters(site_id="S01", service_area="Des Moines"),
])
def test_another_sites_id_gives_a_site_coordinator_an_empty_frame(name, tampered):
    fetch = {**SCOPED, **RECORD_LEVEL}[name]
    assert fetch(SITE_S02, tampered).is_empty()


def test_misplaced_files_are_listed_within_the_viewers_rights():
    every = data_access.unrecognised_files(STATE, Filters())
    assert sorted(every["file"]) == sorted(MISPLACED)
    in_bad_month_folder = [f for f in MISPLACED if f.startswith("activity_forms/2024-3/")]
    assert every["reason"].str.contains("not a service month").sum() == len(in_bad_month_folder)
    own = data_access.unrecognised_files(SITE_S02, Filters())
    assert list(own["file"]) == ["activity_forms/2024-3/site_S02_export.csv"]


def test_the_state_coordinator_sees_every_site(published):
    frame = data_access.parent_partners(STATE, Filters(month_to=JUNE))
    expected = marts(published, "select distinct site_id from marts.dim_parent_partner")
    assert set(frame["site_id"]) == set(expected["site_id"])


@pytest.mark.parametrize("name", RECORD_LEVEL)
def test_leadership_is_refused_record_level_frames(name):
    with pytest.raises(data_access.RecordLevelRefused):
        RECORD_LEVEL[name](LEADERSHIP, Filters())


@pytest.mark.parametrize("name", LEADERSHIP_FRAMES)
@pytest.mark.parametrize("filters", [Filters(), Filters(sfy=SFY, month_to=JUNE),
                                     Filters(service_area="Des Moines")])
def test_a_leadership_frame_holds_no_record_id_and_no_small_count(name, filters):
    frame = LEADERSHIP_FRAMES[name](LEADERSHIP, filters)
    assert not RECORD_ID_COLUMNS & set(frame.columns)
    if "level" in frame.columns:
        assert set(frame["level"]) <= {"statewide", "service_area", "site"}
    for column, dtype in frame.schema.items():
        if dtype.is_integer() and column not in NOT_COUNTS:
            small = frame.filter(pl.col(column).is_between(1, 10))
            assert small.is_empty(), f"{name}.{column} shows {small[column].to_list()}"


def test_leadership_reads_no_matching_balance():
    assert data_access.matching_balance(LEADERSHIP) is None
    assert not data_access.matching_balance(STATE).is_empty()


def test_leadership_reads_no_reunification_curves():
    assert data_access.time_to_reunification(LEADERSHIP) is None
    curves = data_access.time_to_reunification(STATE)
    assert set(curves["arm"]) == {"participant", "comparison"}
    assert set(curves["origin"]) == {"removal", "match"}


@pytest.mark.parametrize("value", INJECTIONS)
@pytest.mark.parametrize("viewer", [STATE, SITE_S02, LEADERSHIP], ids=lambda v: v.role)
def test_injection_shaped_filters_return_nothing_and_change_nothing(published, value, viewer):
    before = marts(published, "select count(*) as n from marts.dim_site")["n"][0]
    for fetch in (*SCOPED.values(), *(RECORD_LEVEL.values() if viewer.sees_records else ())):
        assert fetch(viewer, Filters(site_id=value)).is_empty()
        assert fetch(viewer, Filters(service_area=value)).is_empty()
    assert marts(published, "select count(*) as n from marts.dim_site")["n"][0] == before


def test_the_summary_equals_the_mart(published):
    frame = data_access.activity_by_level(STATE, Filters(month_from=JUNE, month_to=JUNE), "site")
    expected = marts(
        published,
        "select * from marts.agg_activity_month where service_month = ? "
        "and level in ('statewide', 'site')",
        [JUNE],
    )
    key = ["level", "area_id"]
    assert frame.sort(key).select(expected.columns).equals(expected.sort(key))


def test_targets_come_from_the_published_tables(published):
    parameters = data_access.program_parameters(STATE)
    expected = marts(published, "select parameter, value from marts.dim_program_parameter")
    assert parameters == dict(expected.iter_rows())
    targets = data_access.measure_targets(STATE, Filters(sfy=SFY))
    assert targets.height == marts(
        published, "select count(*) as n from marts.fct_performance_measure where sfy = ?", [SFY]
    )["n"][0]


def test_metric_definitions_are_published_from_the_dbt_docs():
    definitions = data_access.metric_definitions(STATE)
    models = set(definitions["model"])
    assert {"fct_performance_measure", "agg_activity_month", "fct_invoice_check"} <= models
    assert definitions.filter(pl.col("description").str.len_chars() == 0).height < (
        definitions.height // 2)


def test_check_results_and_run_failures_are_for_the_statewide_coordinator(published):
    checks = data_access.check_results(STATE)
    expected = marts(published, "select count(*) as n from marts.dq_check_results")
    assert checks.height == expected["n"][0] > 0
    assert "every_input_row_accounted_for" in set(checks["check_name"])
    assert data_access.run_failures(STATE).columns[:3] == ["failed_at", "job_name", "failed_step"]
    for viewer in (SITE_S02, LEADERSHIP):
        with pytest.raises(data_access.RecordLevelRefused):
            data_access.check_results(viewer)
        with pytest.raises(data_access.RecordLevelRefused):
            data_access.run_failures(viewer)
