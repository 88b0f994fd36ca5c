"""The asset-check results of the published data as a table, for the data-quality page.

The publish step writes it into the published file as marts.dq_check_results. Every
check the publish step depends on is `blocking`, so it has been evaluated by then. A run
of some assets (new activity forms alone: orchestration/defs/activity_runs.py) evaluates
the checks of what it rebuilt; every other check is shown as last evaluated, with its run
and time.
"""

from __future__ import annotations

import datetime as dt
import json

import dagster as dg
import polars as pl

CHECK_RESULT_SCHEMA = {
    "check_name": pl.String,
    "asset": pl.String,
    "severity": pl.String,
    "passed": pl.Boolean,
    "description": pl.String,
    "message": pl.String,
    "run_id": pl.String,
    "evaluated_at": pl.Datetime("us"),
}


def check_message(evaluation: dg.AssetCheckEvaluation) -> str | None:
    """The result's own words followed by its plain metadata (the extract and its age, the
    pairs judged); its lists (the files, the mismatches) only when it has no words of its
    own, which name them already. dbt tests report counts only."""
    kinds = (str, int, float, bool) if evaluation.description else (str, int, float, bool, list, dict)
    facts = {
        name: value.value
        for name, value in evaluation.metadata.items()
        if isinstance(value.value, kinds) and value.value != []
    }
    details = json.dumps(facts, sort_keys=True, default=str) if facts else None
    if evaluation.description and details:
        return f"{evaluation.description} {details}"
    return evaluation.description or details


def failing_checks(evaluations) -> list[str]:
    """One line per failed check, errors first: its name, severity and message."""
    failed = sorted((e for e in evaluations if not e.passed),
                    key=lambda e: e.severity != dg.AssetCheckSeverity.ERROR)
    return [
        f"{e.severity.value} {e.asset_key.to_user_string()}:{e.check_name}: "
        f"{check_message(e) or 'failed'}"
        for e in failed
    ]


def _key(entry) -> dg.AssetCheckKey:
    evaluation = entry.dagster_event.asset_check_evaluation_data
    return dg.AssetCheckKey(evaluation.asset_key, evaluation.check_name)


def _row(entry, run_id: str, descriptions: dict) -> dict:
    evaluation = entry.dagster_event.asset_check_evaluation_data
    return {
        "check_name": evaluation.check_name,
        "asset": evaluation.asset_key.to_user_string(),
        "severity": evaluation.severity.value,
        "passed": evaluation.passed,
        "description": descriptions.get(_key(entry)),
        "message": check_message(evaluation),
        "run_id": run_id,
        "evaluated_at": dt.datetime.fromtimestamp(entry.timestamp),
    }


def check_results(
    instance: dg.DagsterInstance, run_id: str, descriptions: dict[dg.AssetCheckKey, str | None]
) -> pl.DataFrame:
    """One row per check of `descriptions` (what each check tests): its evaluation in
    `run_id`, else its latest evaluation in an earlier run, if any."""
    records = instance.get_records_for_run(
        run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION
    ).records
    rows = [_row(record.event_log_entry, run_id, descriptions) for record in records]
    evaluated = {_key(record.event_log_entry) for record in records}
    earlier = [key for key in descriptions if key not in evaluated]
    if earlier:
        latest = instance.event_log_storage.get_latest_asset_check_execution_by_key(earlier)
        for key in earlier:
            execution = latest.get(key)
            entry = execution.event if execution is not None else None
            if entry is not None and entry.dagster_event.event_type_value == (
                    dg.DagsterEventType.ASSET_CHECK_EVALUATION.value):
                rows.append(_row(entry, execution.run_id, descriptions))
    return pl.DataFrame(rows, schema=CHECK_RESULT_SCHEMA, orient="row")


# Every check written in Python here has a description; the ones without are dbt tests.
DBT_TEST_DESCRIPTION = (
    "dbt data test, declared in the model's YAML under dbt_project/models; at ERROR severity "
    "a failing row fails the dbt build, and publication stops."
)


def check_descriptions(asset_graph) -> dict[dg.AssetCheckKey, str]:
    return {
        key: asset_graph.get_check_spec(key).description or DBT_TEST_DESCRIPTION
        for key in asset_graph.asset_check_keys
    }
