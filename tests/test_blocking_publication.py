"""A failing blocking check stops publication: the dashboards keep the last copy.

Row accounting is the blocking check here; dbt tests block the same way (a failed
test fails its dbt step, and publication depends on every mart).
"""

import datetime as dt

import dagster as dg
import duckdb
import pytest
from dagster_duckdb import DuckDBResource

from orchestration.config import Settings
from orchestration.defs.assets.publish import publish_asset
from orchestration.defs.assets.raw import (
    INGESTED_FILES_KEY,
    REJECTED_ROWS_KEY,
    every_input_row_accounted_for,
    ingestion_log,
)
from orchestration.defs.resources import platform_settings
from orchestration.storage.check_results import failing_checks
from orchestration.storage.run_failures import describe_failure
from orchestration.storage.warehouse import ensure_raw_schema


@pytest.fixture
def setup(tmp_path, monkeypatch):
    for var, name in [("PPA_WAREHOUSE", "warehouse.duckdb"), ("PPA_PUBLISHED", "published.duckdb"),
                      ("DAGSTER_HOME", "dagster_home"), ("PPA_LANDING_DIR", "landing")]:
        monkeypatch.setenv(var, str(tmp_path / name))
    warehouse, published = tmp_path / "warehouse.duckdb", tmp_path / "published.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        ensure_raw_schema(con)
        # The log claims two accepted referral rows that raw.referrals does not hold.
        con.execute(
            "insert into raw.ingested_files (file, kind, sha256, rows_read, rows_accepted, "
            "rows_rejected, status) values ('referrals/referrals_2024-01-31.csv', 'referrals', "
            "'abc', 2, 2, 0, 'loaded')"
        )
        con.execute("create schema marts")
        con.execute("create table marts.fct_pp_month as select 'P1' as pp_id")
    with duckdb.connect(str(published)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.meta_refresh as select 'the last good run' as run_id")
    return warehouse, published


def publish_run(warehouse):
    return dg.materialize(
        [ingestion_log, publish_asset([INGESTED_FILES_KEY, REJECTED_ROWS_KEY]),
         every_input_row_accounted_for],
        resources={"duckdb": DuckDBResource(database=str(warehouse)),
                   "settings": platform_settings(Settings.from_env())},
        raise_on_error=False,
    )


def published_run_id(published):
    with duckdb.connect(str(published), read_only=True) as con:
        return con.sql("select run_id from marts.meta_refresh").fetchall()[0][0]


def test_failing_row_accounting_leaves_the_published_copy_in_place(setup):
    warehouse, published = setup
    result = publish_run(warehouse)
    assert not result.success
    [evaluation] = result.get_asset_check_evaluations()
    assert (evaluation.check_name, evaluation.passed) == ("every_input_row_accounted_for", False)
    assert published_run_id(published) == "the last good run"


def test_once_the_rows_balance_the_run_publishes(setup):
    warehouse, published = setup
    with duckdb.connect(str(warehouse)) as con:
        con.execute("update raw.ingested_files set rows_read = 0, rows_accepted = 0")
    result = publish_run(warehouse)
    assert result.success
    assert published_run_id(published) == result.run_id
    with duckdb.connect(str(published), read_only=True) as con:
        checks = con.sql("select check_name, severity, passed from marts.dq_check_results").fetchall()
    assert ("every_input_row_accounted_for", "ERROR", True) in checks


def test_a_blocked_run_names_the_failing_check_with_its_findings(setup):
    warehouse, _ = setup
    result = publish_run(warehouse)
    [line] = failing_checks(result.get_asset_check_evaluations())
    # The check, its severity and its metadata: the file that does not balance, its counts.
    assert line.startswith("ERROR raw/ingested_files:every_input_row_accounted_for: ")
    assert '"files_not_balanced": 1' in line
    assert "referrals/referrals_2024-01-31.csv" in line
    failure = describe_failure(result.run_id, "job", [], "run failed",
                               dt.datetime(2024, 2, 1), [line])
    assert failure["error"] == line

