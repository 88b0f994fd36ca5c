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
import math

import duckdb
import pytest

from orchestration.bench.validation import read_outcome_results, run_outcome_lineage_subprocess
from orchestration.outcomes.comparison import Z
from orchestration.synthetic import generate_landing_zone

pytestmark = pytest.mark.slow

GENERATED = {"start": "2019-07", "months": 60, "scale": 1.0, "seed": 0}
OUTCOME_TABLES = (
    "marts.fct_outcome_comparison", "marts.fct_outcome_naive_comparison",
    "marts.fct_matching_balance", "outcomes.matched_pairs", "marts.fct_child_episode_outcome",
    "marts.fct_outcome_by_subgroup", "marts.fct_time_to_reunification",
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


def test_planted_difference_of_effect_between_age_bands_is_recovered(generated):
    """The generator plants a larger reunification effect for children under 6 than for
    those of 6-12 (orchestration/synthetic/effect_modification.py); the subgroup
    comparison finds it: the contrast of the two groups' estimates, with the interval of
    two independent estimates, is positive and covers the planted difference."""
    _, _, truth, warehouse, _ = generated
    planted = truth["effect_by_group"]
    young, older = planted["difference"]["between"]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = {group: (difference, (high - low) / 2 / Z, n, p)
                for group, difference, low, high, n, p in con.sql(
                    'select "group", difference, ci_low, ci_high, participant_n, '
                    "heterogeneity_p_value from marts.fct_outcome_by_subgroup "
                    'where grouping = ? and outcome = ? and "group" in (?, ?)',
                    params=[planted["grouping"], planted["outcome"], young, older]).fetchall()}
    (d_young, se_young, n_young, p), (d_older, se_older, n_older, _) = rows[young], rows[older]
    assert n_young >= 1000 and n_older >= 500
    contrast, half = d_young - d_older, Z * math.hypot(se_young, se_older)
    assert contrast - half > 0, "the young children's gain is the larger one"
    assert contrast - half <= planted["difference"]["att_expected"] <= contrast + half
    for group in (young, older):
        difference, se, _, _ = rows[group]
        expected = planted["groups"][group]["att_expected"]
        assert difference - Z * se <= expected <= difference + Z * se, group
    assert p < 0.05, "Cochran's Q finds the effect differs by age band"


def test_participants_go_home_sooner_on_the_curves(generated):
    """The planted reunification effect shows on the Kaplan-Meier curves: a year after
    removal (and after the match) fewer participants than comparisons are still away from
    home, and the two bands do not overlap."""
    _, _, _, warehouse, _ = generated
    with duckdb.connect(str(warehouse), read_only=True) as con:
        at_a_year = {(arm, origin): (survival, low, high, at_risk)
                     for arm, origin, survival, low, high, at_risk in con.sql(
                         "select arm, origin, survival, ci_low, ci_high, at_risk "
                         "from marts.fct_time_to_reunification where day = 360").fetchall()}
    for origin in ("removal", "match"):
        participant, comparison = (at_a_year[(arm, origin)]
                                   for arm in ("participant", "comparison"))
        assert participant[2] < comparison[1], origin
        assert participant[3] >= 1000 and comparison[3] >= 1000, origin


def test_same_landing_zone_same_outcome_tables(generated):
    root, landing, truth, first, _ = generated
    second = _run_lineage(root, landing, truth["as_of"], "second")

    def tables(warehouse):
        with duckdb.connect(str(warehouse), read_only=True) as con:
            return {t: con.sql(f"select * from {t} order by all").fetchall() for t in OUTCOME_TABLES}

    assert tables(first) == tables(second)


def test_planted_reach_gap_is_found_where_it_was_planted(generated):
    """The generator refers one group's families at a lower rate in one service area
    (orchestration/synthetic/planted_reach.py). In every full year of the program the
    published reach of that group there counts the removals and matches the generator
    wrote, and its disparity ratio is below 1 with an interval below 1 that holds the
    written ratio. Over the years, the group's reach relative to the rest of its area,
    against the same comparison elsewhere (four separate sets of children: a log-method
    interval of the ratio of the two ratios), is about the planted referral rate ratio."""
    _, _, truth, warehouse, _ = generated
    gap = truth["planted"]["reach_gap"]
    area, group = gap["service_area"], gap["race_ethnicity"]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        reach = {(period, where, grouping, name): (removals, matched, ratio, low, high)
                 for period, where, grouping, name, removals, matched, ratio, low, high in con.sql(
                     'select period, area, grouping, "group", removals, matched, '
                     "disparity_ratio, ci_low, ci_high from marts.fct_reach_by_group"
                 ).fetchall()}
    years = range(2020, 2025)  # the SFYs of 2019-07 .. 2024-06
    cells = {"group_in_area": [0, 0], "area": [0, 0], "group": [0, 0], "state": [0, 0]}
    for year in years:
        written = gap["by_sfy"][str(year)]
        removals, matched, ratio, low, high = reach[(year, area, "race_ethnicity", group)]
        assert (removals, matched) == (written["removals"], written["matched"]), year
        state = reach[(year, "statewide", "all", "all")]
        assert state[:2] == (written["statewide_removals"], written["statewide_matched"]), year
        assert ratio < 1, year
        if matched:
            assert high < 1 and low <= written["disparity_ratio"] <= high, year
        for key, (n, m) in {"group_in_area": (removals, matched),
                            "area": reach[(year, "statewide", "service_area", area)][:2],
                            "group": reach[(year, "statewide", "race_ethnicity", group)][:2],
                            "state": state[:2]}.items():
            cells[key][0] += n
            cells[key][1] += m
    # Four disjoint sets: the group in the area, the rest of the area, the group elsewhere,
    # everyone else elsewhere.
    (n1, m1), (na, ma), (ng, mg), (ns, ms) = (cells[k] for k in cells)
    sets = [(n1, m1), (na - n1, ma - m1), (ng - n1, mg - m1), (ns - na - ng + n1,
                                                                ms - ma - mg + m1)]
    (a, b), (c, d), (e, f), (g, h) = ((m, n) for n, m in sets)
    double = (a / b) / (c / d) / ((e / f) / (g / h))
    half = Z * math.sqrt(sum(1 / m - 1 / n for m, n in ((a, b), (c, d), (e, f), (g, h))))
    low, high = double * math.exp(-half), double * math.exp(half)
    assert high < 1, "the group is reached less in its area than the same group elsewhere"
    assert low <= gap["referral_rate_ratio"] <= high, (low, double, high)
