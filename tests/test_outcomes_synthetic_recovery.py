"""On a generated landing zone large enough to have the power, the outcome lineage
(ingestion of the extracts, dbt models and tests, matching, comparison) recovers the
planted effects of the Chambers et al. (2019) design, and gives the same tables run
after run.

Scale 1 over 60 months holds about 4,400 participant episodes, all matched; about
2,800 pairs are both discharged (reunification, days in care) and about 600 both
reunified and observable for a year (re-entry), enough to see the planted -0.05
re-entry drop. Each lineage run takes about a minute (dbt dominates).
"""

from __future__ import annotations

import json

import duckdb
import pytest

from orchestration.bench.validation import read_outcome_results, run_outcome_lineage_subprocess
from orchestration.synthetic import generate_landing_zone

pytestmark = pytest.mark.slow

GENERATED = {"start": "2019-07", "months": 60, "scale": 1.0, "seed": 0}
OUTCOME_TABLES = (
    "marts.fct_outcome_comparison", "marts.fct_outcome_naive_comparison",
    "marts.fct_matching_balance", "outcomes.matched_pairs", "marts.fct_child_episode_outcome",
)


def _run_lineage(root, landing, as_of: str, name: str):
    env = {
        "PPA_LANDING_DIR": str(landing),
        "PPA_WAREHOUSE": str(root / f"{name}.duckdb"),
        "PPA_PUBLISHED": str(root / f"{name}_published.duckdb"),
        "DAGSTER_HOME": str(root / f"{name}_dagster"),
    }
    run_outcome_lineage_subprocess(env, as_of)
    return root / f"{name}.duckdb"


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    root = tmp_path_factory.mktemp("recovery")
    landing, truth_file = root / "landing", root / "truth.json"
    generate_landing_zone(landing, truth=truth_file, progress=False, activity_forms=False,
                          **GENERATED)
    truth = json.loads(truth_file.read_text())
    warehouse = _run_lineage(root, landing, truth["as_of"], "first")
    return root, landing, truth, warehouse, read_outcome_results(warehouse)


def test_reunification_gain_is_significant_and_covers_the_truth(generated):
    _, _, truth, _, results = generated
    row = results["estimates"]["reunified"]
    assert row["pairs"] >= 2000
    assert row["p_value"] < 0.001 and row["ci_low"] > 0
    assert row["ci_low"] <= truth["att"]["reunified"] <= row["ci_high"]


def test_reentry_within_12_months_drops_and_covers_the_truth(generated):
    _, _, truth, _, results = generated
    row = results["estimates"]["reentry_12m"]
    assert row["pairs"] >= 400
    assert row["p_value"] < 0.05 and row["ci_high"] < 0
    assert row["ci_low"] <= truth["att"]["reentry_12m"] <= row["ci_high"]


def test_no_significant_difference_at_24_months_or_in_time_in_care(generated):
    _, _, _, _, results = generated
    for outcome in ("reentry_24m", "days_in_care"):
        row = results["estimates"][outcome]
        assert row["p_value"] > 0.05, outcome
        assert row["ci_low"] <= 0 <= row["ci_high"], outcome


def test_covariates_balanced_within_a_tenth_over_enough_pairs(generated):
    _, _, _, warehouse, results = generated
    with duckdb.connect(str(warehouse), read_only=True) as con:
        pairs, participants = con.sql(
            "select count(distinct matched_pair_id), "
            "(select count(*) from intermediate.int_episode_covariates "
            " where study_group = 'participant') from outcomes.matched_pairs"
        ).fetchall()[0]
        before = con.sql("select max(abs(smd_before)) from marts.fct_matching_balance").fetchall()
    assert pairs >= 1000 and pairs >= 0.8 * participants
    assert before[0][0] > 0.2, "the groups differ before matching"
    assert results["max_abs_smd_after"] <= 0.1


def test_naive_difference_falls_outside_the_matched_interval(generated):
    _, _, _, _, results = generated
    matched, naive = results["estimates"]["reunified"], results["naive"]["reunified"]
    assert not matched["ci_low"] <= naive["difference"] <= matched["ci_high"]
    assert abs(naive["difference"] - matched["difference"]) > 0.02


def test_same_landing_zone_same_outcome_tables(generated):
    root, landing, truth, first, _ = generated
    second = _run_lineage(root, landing, truth["as_of"], "second")

    def tables(warehouse):
        with duckdb.connect(str(warehouse), read_only=True) as con:
            return {t: con.sql(f"select * from {t} order by all").fetchall() for t in OUTCOME_TABLES}

    assert tables(first) == tables(second)
