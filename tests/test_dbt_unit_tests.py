"""dbt's unit tests (`unit_tests:` in the models' YAML: the metric logic on fixed inputs)
run here, on a copy of the demo warehouse, since the pipeline's runs leave them out
(orchestration/defs/assets/dbt.py: RUN_EXCLUDES)."""

from __future__ import annotations

import datetime as dt
import json

from dbt.cli.main import dbtRunner
from pipeline_run import DEMO_AS_OF

from orchestration.config import DBT_PROJECT_DIR, Settings
from orchestration.defs.assets.dbt import dbt_variables
from orchestration.defs.resources import platform_settings


def test_every_dbt_unit_test_passes(copy_of_demo_run, monkeypatch, tmp_path):
    for name in ("PPA_LANDING_DIR", "PPA_WAREHOUSE", "PPA_PUBLISHED", "DAGSTER_HOME"):
        monkeypatch.setenv(name, copy_of_demo_run[name])
    variables = dbt_variables(
        platform_settings(Settings.from_env()), dt.date.fromisoformat(DEMO_AS_OF), None
    )
    result = dbtRunner().invoke([
        "test", "--select", "test_type:unit", "--vars", json.dumps(variables),
        "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs"),
    ])
    assert result.exception is None, result.exception
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text())
    outcomes = {r.node.unique_id: str(r.status) for r in result.result}
    assert set(outcomes) == set(manifest["unit_tests"]) and len(outcomes) >= 30
    assert {u: s for u, s in outcomes.items() if s != "pass"} == {}


def test_the_month_models_tests_check_the_runs_months(copy_of_demo_run, monkeypatch, tmp_path):
    """The data tests of the activity forms' month-incremental models check the rows of
    the run's months (`__service_month_window__`, macros/get_where_subquery.sql), every
    row in a run without a window: a repeated row of June fails a June run and a run of
    every month, not a May run, whose rebuild left June as an earlier run tested it."""
    import duckdb

    for name in ("PPA_LANDING_DIR", "PPA_WAREHOUSE", "PPA_PUBLISHED", "DAGSTER_HOME"):
        monkeypatch.setenv(name, copy_of_demo_run[name])
    with duckdb.connect(copy_of_demo_run["PPA_WAREHOUSE"]) as con:
        con.execute("insert into staging.stg_activity_rows select * from "
                    "staging.stg_activity_rows where service_month = date '2024-06-01' limit 1")
    settings = platform_settings(Settings.from_env())

    def passes(month: str | None) -> bool:
        variables = dbt_variables(settings, dt.date.fromisoformat(DEMO_AS_OF),
                                  [month] if month else None)
        result = dbtRunner().invoke([
            "test", "--select", "stg_activity_rows,test_name:unique_combination_of_columns",
            "--vars", json.dumps(variables),
            "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
            "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs"),
        ])
        assert result.exception is None, result.exception
        assert len(result.result) == 1
        return result.success

    assert not passes("2024-06")
    assert passes("2024-05")
    assert not passes(None)
