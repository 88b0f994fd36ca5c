"""The outcome assets and checks materialized against a throwaway DuckDB warehouse.

dbt is not run here: the tables the assets read (int_episode_covariates and
fct_child_episode_outcome) are written directly, as dbt would leave them.
"""

from __future__ import annotations

import dagster as dg
import duckdb
import polars as pl
import pytest
from dagster_duckdb import DuckDBResource
from test_outcomes_planted_effect import planted_episodes

import orchestration.defs.assets.outcomes as outcomes_assets
from orchestration.defs.assets.outcomes import (
    BALANCE_KEY,
    MATCHED_PAIRS_KEY,
    matched_pairs,
    outcome_assets,
    outcome_checks,
    outcome_comparison,
)

COVARIATE_COLUMNS = [
    "episode_id", "study_group", "age_at_removal_years", "prior_removals", "child_sex",
    "child_race_ethnicity", "removal_reason", "service_area", "removal_year",
]
OUTCOME_COLUMNS = [
    "episode_id", "study_group", "reunified", "reentry_12m", "reentry_24m", "maltreatment_12m",
    "days_in_care",
]


def run_outcomes(warehouse, episodes: pl.DataFrame) -> dict[str, dg.AssetCheckEvaluation]:
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema intermediate")
        con.register("episodes", episodes.select(COVARIATE_COLUMNS).to_arrow())
        con.execute("create table intermediate.int_episode_covariates as select * from episodes")
    resources = {"duckdb": DuckDBResource(database=str(warehouse))}
    checks = dg.materialize([matched_pairs, *outcome_checks], resources=resources,
                            selection=[MATCHED_PAIRS_KEY], raise_on_error=False)
    # What dbt's fct_child_episode_outcome does with the pairs: join matched_pair_id.
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema marts")
        con.register("episodes", episodes.select(OUTCOME_COLUMNS).to_arrow())
        con.execute(
            "create table marts.fct_child_episode_outcome as select e.*, p.matched_pair_id "
            "from episodes e left join outcomes.matched_pairs p using (episode_id)"
        )
    compared = dg.materialize([outcome_comparison, *outcome_checks], resources=resources,
                              raise_on_error=False)
    assert checks.success
    # The study's checks warn: whatever they find, the marts downstream still run.
    assert compared.success
    return {
        e.check_name: e
        for result in (checks, compared)
        for e in result.get_asset_check_evaluations()
    }


def test_planted_study_passes_the_checks(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    evaluations = run_outcomes(warehouse, planted_episodes())
    assert evaluations["most_participants_matched"].passed
    assert evaluations["covariates_balanced_after_matching"].passed
    with duckdb.connect(str(warehouse), read_only=True) as con:
        comparison = con.sql("select * from outcomes.outcome_comparison").pl()
        naive = con.sql("select * from outcomes.outcome_naive_comparison").pl()
        balance = con.sql("select * from outcomes.matching_balance").pl()
        pairs = con.sql("select * from outcomes.matched_pairs").pl()
    assert comparison.columns == [
        "outcome", "participant_n", "participant_value", "comparison_n", "comparison_value",
        "difference", "ci_low", "ci_high", "p_value", "unit",
    ]
    assert naive.columns == comparison.columns
    assert dict(comparison.select("outcome", "unit").iter_rows()) == {
        "reunified": "proportion", "reentry_12m": "proportion", "reentry_24m": "proportion",
        "maltreatment_12m": "proportion", "days_in_care": "days"}
    assert balance.columns == ["covariate", "smd_before", "smd_after"]
    assert pairs.columns == ["episode_id", "matched_pair_id", "study_group", "propensity_logit"]
    reunified = comparison.filter(pl.col("outcome") == "reunified").row(0, named=True)
    assert reunified["ci_low"] > 0


def test_small_study_fails_the_balance_check_as_a_warning_saying_why(tmp_path):
    episodes = planted_episodes(n=400, seed=5)
    evaluations = run_outcomes(tmp_path / "warehouse.duckdb", episodes)
    balance = evaluations["covariates_balanced_after_matching"]
    assert not balance.passed
    assert balance.severity == dg.AssetCheckSeverity.WARN
    assert "chance alone" in balance.description


def study_status(warehouse) -> dict:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        [status] = con.sql("select * from outcomes.outcome_study_status").pl().to_dicts()
    return status


def test_imbalance_with_enough_pairs_marks_the_study_not_reliable_naming_the_covariates(
        tmp_path, monkeypatch):
    monkeypatch.setattr(outcomes_assets, "MIN_PAIRS_TO_JUDGE_BALANCE", 10)
    episodes = planted_episodes(n=400, seed=5)
    warehouse = tmp_path / "warehouse.duckdb"
    evaluations = run_outcomes(warehouse, episodes)
    balance = evaluations["covariates_balanced_after_matching"]
    assert not balance.passed
    # Publication goes on: the verdict is the study's, in its status and reason.
    assert balance.severity == dg.AssetCheckSeverity.WARN
    assert "chance alone" not in balance.description
    with duckdb.connect(str(warehouse), read_only=True) as con:
        unbalanced = con.sql("select covariate, smd_after from outcomes.matching_balance "
                             "where abs(smd_after) > 0.1 order by abs(smd_after) desc").fetchall()
    assert unbalanced
    status = study_status(warehouse)
    assert status["status"] == "not_reliable"
    assert status["unbalanced_covariates"] == len(unbalanced)
    covariate, smd = unbalanced[0]
    assert f"{covariate} (SMD {smd:.3f})" in balance.description
    # The reason names the covariate but not its SMD, which leadership's copy would carry.
    assert covariate in status["reason"] and f"{smd:.3f}" not in status["reason"]
    assert status["reason"].endswith("the comparison is shown for information only.")


def test_a_balanced_study_is_reliable(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    run_outcomes(warehouse, planted_episodes())
    assert study_status(warehouse)["status"] == "reliable"
    assert study_status(warehouse)["reason"] is None


def test_exports_for_the_definitions_module():
    keys = {k for a in outcome_assets for k in a.keys}
    assert keys == {
        MATCHED_PAIRS_KEY, BALANCE_KEY, dg.AssetKey(["outcomes", "outcome_comparison"]),
        dg.AssetKey(["outcomes", "outcome_naive_comparison"]),
        dg.AssetKey(["outcomes", "outcome_study_status"]),
        dg.AssetKey(["outcomes", "outcome_by_subgroup"]),
        dg.AssetKey(["outcomes", "time_to_reunification"]),
    }
    assert all(a.group_names_by_key[k] == "outcomes" for a in outcome_assets for k in a.keys)
    deps = outcome_comparison.asset_deps[dg.AssetKey(["outcomes", "outcome_comparison"])]
    assert dg.AssetKey(["marts", "fct_child_episode_outcome"]) in deps
    assert dg.AssetKey(["intermediate", "int_episode_covariates"]) in matched_pairs.asset_deps[MATCHED_PAIRS_KEY]
    assert len(outcome_checks) == 2


@pytest.mark.parametrize("asset", outcome_assets)
def test_warehouse_writers_are_serialised(asset):
    assert all(op.pool == "warehouse" for op in [asset.op])


@pytest.mark.parametrize(("participants", "pool", "reason"), [
    (27, 136, "only 27 participant episode(s)"),
    (150, 200, "a comparison pool of 200 for 150 participants"),
    (150, 300, None),
])
def test_the_matched_share_is_judged_only_on_a_large_enough_sample(participants, pool, reason):
    too_small = outcomes_assets.matching_sample_too_small(participants, pool)
    assert (too_small is None) == (reason is None)
    assert reason is None or too_small.startswith(reason)


def _materialized(result: dg.ExecuteInProcessResult) -> dict[dg.AssetKey, dict]:
    return {e.asset_key: e.materialization.metadata
            for e in result.get_asset_materialization_events()}


def _tables(warehouse) -> dict[str, list[tuple]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {t: con.sql(f"select * from outcomes.{t} order by all").fetchall()
                for t in ("matched_pairs", "outcome_comparison", "matching_balance",
                          "outcome_study_status")}


def test_a_step_on_unchanged_inputs_keeps_its_tables_and_computes_nothing(
        tmp_path, monkeypatch):
    warehouse = tmp_path / "warehouse.duckdb"
    run_outcomes(warehouse, planted_episodes())
    before = _tables(warehouse)
    resources = {"duckdb": DuckDBResource(database=str(warehouse))}

    def must_not_run(*_args, **_kwargs):
        raise AssertionError("computed again on unchanged inputs")

    monkeypatch.setattr(outcomes_assets, "match_episodes", must_not_run)
    monkeypatch.setattr(outcomes_assets, "matched_comparison", must_not_run)
    again = dg.materialize([matched_pairs, outcome_comparison], resources=resources)
    metadata = _materialized(again)
    assert len(metadata) == 5
    assert all(m["recomputed"].value is False for m in metadata.values())
    # The reported figures are the ones the computation reported.
    assert metadata[MATCHED_PAIRS_KEY]["matched_pairs"].value == len(before["matched_pairs"]) / 2
    assert _tables(warehouse) == before


def test_a_changed_input_or_code_computes_again(tmp_path, monkeypatch):
    warehouse = tmp_path / "warehouse.duckdb"
    episodes = planted_episodes()
    run_outcomes(warehouse, episodes)
    resources = {"duckdb": DuckDBResource(database=str(warehouse))}
    # One covariate of one episode differs: the match is computed again, on the new data.
    with duckdb.connect(str(warehouse)) as con:
        con.execute("update intermediate.int_episode_covariates set prior_removals = "
                    "prior_removals + 1 where episode_id = (select min(episode_id) from "
                    "intermediate.int_episode_covariates)")
        changed = con.sql("select * from intermediate.int_episode_covariates").pl()
    result = dg.materialize([matched_pairs], resources=resources)
    assert _materialized(result)[MATCHED_PAIRS_KEY]["recomputed"].value is True
    expected = outcomes_assets.match_episodes(changed.sort("episode_id")).pairs
    with duckdb.connect(str(warehouse), read_only=True) as con:
        pairs = con.sql("select * from outcomes.matched_pairs").pl()
    assert pairs.sort("episode_id").equals(expected.sort("episode_id"))
    # The same inputs under other code (an upgrade) are computed again too.
    monkeypatch.setattr(outcomes_assets, "OUTCOME_CODE", "another version")
    result = dg.materialize([matched_pairs], resources=resources)
    assert _materialized(result)[MATCHED_PAIRS_KEY]["recomputed"].value is True


def test_a_step_that_fails_while_writing_is_computed_again(tmp_path, monkeypatch):
    warehouse = tmp_path / "warehouse.duckdb"
    run_outcomes(warehouse, planted_episodes())
    resources = {"duckdb": DuckDBResource(database=str(warehouse))}
    code = outcomes_assets.OUTCOME_CODE
    monkeypatch.setattr(outcomes_assets, "OUTCOME_CODE", "another version")
    written = []

    def fail_after_the_first_table(con, table, frame):
        if written:
            raise RuntimeError("stopped while writing")
        written.append(table)
        outcomes_assets.replace_table.__wrapped__(con, table, frame)

    real = outcomes_assets.replace_table
    fail_after_the_first_table.__wrapped__ = real
    monkeypatch.setattr(outcomes_assets, "replace_table", fail_after_the_first_table)
    failed = dg.materialize([outcome_comparison], resources=resources, raise_on_error=False)
    assert not failed.success and written
    # Half its tables are the other version's: back on the first version, whose inputs the
    # step last completed from, nothing may take them as computed from those.
    monkeypatch.setattr(outcomes_assets, "replace_table", real)
    monkeypatch.setattr(outcomes_assets, "OUTCOME_CODE", code)
    result = dg.materialize([outcome_comparison], resources=resources)
    assert all(m["recomputed"].value is True for m in _materialized(result).values())
