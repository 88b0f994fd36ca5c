"""The warning checks on a throwaway warehouse: what passes, what warns, what it names."""

import dagster as dg
import duckdb
import pytest
from dagster_duckdb import DuckDBResource

from orchestration.config import Settings
from orchestration.defs.assets.quality_checks import (
    few_rows_rejected_per_file,
    most_forms_received_last_closed_month,
    quality_checks,
)
from orchestration.defs.assets.raw import reference_raw_assets
from orchestration.defs.jobs import AS_OF_TAG
from orchestration.defs.resources import platform_settings
from orchestration.storage.warehouse import ensure_raw_schema


@pytest.fixture
def warehouse(tmp_path, monkeypatch):
    monkeypatch.setenv("PPA_LANDING_DIR", str(tmp_path / "landing"))
    (tmp_path / "landing").mkdir()
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        ensure_raw_schema(con)
    return path


def sql(warehouse, statement):
    with duckdb.connect(str(warehouse)) as con:
        con.execute(statement)


def evaluate(check, warehouse) -> dg.AssetCheckResult:
    return check(duckdb=DuckDBResource(database=str(warehouse)))


def log_file(warehouse, file, read, rejected, status, at="2024-02-01 10:00"):
    sql(warehouse, f"insert into raw.ingested_files (file, rows_read, rows_accepted, rows_rejected, "
                   f"status, ingested_at) values ('{file}', {read}, {read - rejected}, {rejected}, "
                   f"'{status}', '{at}')")


def test_files_over_five_percent_rejected_are_named(warehouse):
    log_file(warehouse, "activity_forms/2024-01/site_S01_export.csv", 100, 5, "loaded_with_rejections")
    log_file(warehouse, "activity_forms/2024-01/site_S02_export.csv", 100, 6, "loaded_with_rejections")
    log_file(warehouse, "activity_forms/2024-01/site_S03_export.csv", 0, 0, "rejected")
    result = evaluate(few_rows_rejected_per_file, warehouse)
    assert not result.passed and result.severity == dg.AssetCheckSeverity.WARN
    assert "site_S02_export.csv (6 of 100 rows)" in result.description
    assert "site_S03_export.csv (rejected whole)" in result.description
    assert "S01" not in result.description


def test_a_corrected_version_of_a_file_clears_the_warning(warehouse):
    log_file(warehouse, "referrals/referrals_2024-01-31.csv", 100, 40, "loaded_with_rejections")
    log_file(warehouse, "referrals/referrals_2024-01-31.csv", 100, 0, "loaded", at="2024-02-02 10:00")
    assert evaluate(few_rows_rejected_per_file, warehouse).passed


def activity_summary(warehouse, rows):
    sql(warehouse, "create schema if not exists marts")
    sql(warehouse, "create table marts.agg_activity_month (level varchar, area_id varchar, "
                   "service_month date, forms_expected int, forms_received int)")
    values = ", ".join(f"('{level}', '{area}', '{month}', {expected}, {received})"
                       for level, area, month, expected, received in rows)
    sql(warehouse, f"insert into marts.agg_activity_month values {values}")


def test_sites_under_eighty_percent_of_forms_in_the_last_closed_month_are_named(warehouse):
    activity_summary(warehouse, [
        ("site", "S01", "2024-01-01", 10, 7),   # 70%: named
        ("site", "S02", "2024-01-01", 10, 8),   # 80%: fine
        ("site", "S03", "2023-12-01", 10, 1),   # an older month: not this check's business
        ("site", "S03", "2024-01-01", 10, 10),
        ("site", "S01", "2024-02-01", 0, 0),    # not yet due
        ("statewide", "statewide", "2024-01-01", 30, 25),
    ])
    result = evaluate(most_forms_received_last_closed_month, warehouse)
    assert not result.passed and result.severity == dg.AssetCheckSeverity.WARN
    assert result.description.endswith("for 2024-01: S01 (7 of 10)")


def test_every_site_at_eighty_percent_passes(warehouse):
    activity_summary(warehouse, [("site", "S01", "2024-01-01", 10, 8)])
    assert evaluate(most_forms_received_last_closed_month, warehouse).passed


@pytest.mark.parametrize(("as_of", "passed"), [("2024-03-16", True), ("2024-03-17", False)])
def test_an_extract_older_than_45_days_at_the_as_of_date_warns(warehouse, as_of, passed):
    sql(warehouse, "insert into raw.referrals (referral_id, extract_date) values "
                   "('R1', '2024-01-31'), ('R1', '2023-12-31')")
    referrals = next(a for a in reference_raw_assets if a.key.path[-1] == "referrals")
    freshness = next(c for c in quality_checks if c.check_key.name == "referrals_extract_is_recent")
    result = dg.materialize(
        [referrals, freshness],
        resources={"duckdb": DuckDBResource(database=str(warehouse)),
                   "settings": platform_settings(Settings.from_env())},
        tags={AS_OF_TAG: as_of},
    )
    [evaluation] = result.get_asset_check_evaluations()
    assert evaluation.passed == passed
    assert evaluation.severity == dg.AssetCheckSeverity.WARN
    if not passed:
        assert "dated 2024-01-31, 46 days before the as-of date 2024-03-17" in evaluation.description
