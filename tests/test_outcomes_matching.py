"""Propensity-score matching and balance on small synthetic episode frames."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from orchestration.outcomes.balance import balance_violations, covariate_balance
from orchestration.outcomes.covariates import covariate_design
from orchestration.outcomes.matching import caliper_width, greedy_match, match_episodes


def confounded_episodes(n: int = 8000, seed: int = 7) -> pl.DataFrame:
    """Participation is likelier for young children removed for substance use in Des Moines."""
    rng = np.random.default_rng(seed)
    age = rng.integers(0, 18, n)
    reason = rng.choice(["neglect", "parent_substance_use", "physical_abuse"], n)
    area = rng.choice(["Des Moines", "Western", "Eastern"], n)
    logit = -2.0 - 0.08 * age + 1.2 * (reason == "parent_substance_use") + 0.8 * (area == "Des Moines")
    participant = rng.random(n) < 1 / (1 + np.exp(-logit))
    return pl.DataFrame({
        "episode_id": [f"E{i:05d}" for i in range(n)],
        "study_group": np.where(participant, "participant", "comparison_pool"),
        "age_at_removal_years": age,
        "prior_removals": rng.poisson(0.3, n),
        "child_sex": rng.choice(["F", "M"], n),
        "child_race_ethnicity": [
            None if r == "-" else r for r in rng.choice(["white", "black", "hispanic", "-"], n)
        ],
        "removal_reason": reason,
        "service_area": area,
        "removal_year": rng.integers(2019, 2024, n),
    })


@pytest.fixture(scope="module")
def episodes() -> pl.DataFrame:
    return confounded_episodes()


@pytest.fixture(scope="module")
def matching(episodes):
    return match_episodes(episodes)


def test_pairs_are_one_to_one_without_replacement(episodes, matching):
    pairs = matching.pairs
    assert pairs["episode_id"].is_unique().all()
    per_pair = pairs.group_by("matched_pair_id").agg(
        pl.col("study_group").sort().alias("groups")
    )
    assert per_pair["groups"].to_list() == [["comparison_pool", "participant"]] * per_pair.height
    groups = dict(episodes.select("episode_id", "study_group").iter_rows())
    assert all(groups[e] == g for e, g in pairs.select("episode_id", "study_group").iter_rows())
    assert matching.matched == per_pair.height > 0.8 * matching.participants


def test_every_pair_is_within_the_caliper(matching):
    spread = matching.pairs.group_by("matched_pair_id").agg(
        (pl.col("propensity_logit").max() - pl.col("propensity_logit").min()).alias("distance")
    )
    assert matching.caliper > 0
    assert spread["distance"].max() <= matching.caliper


def test_matching_balances_the_confounders(episodes, matching):
    balance = covariate_balance(episodes, matching.pairs)
    by_name = {r["covariate"]: r for r in balance.iter_rows(named=True)}
    assert abs(by_name["removal_reason=parent_substance_use"]["smd_before"]) > 0.3
    assert abs(by_name["age_at_removal_years"]["smd_before"]) > 0.2
    assert balance_violations(balance).height == 0
    assert balance["smd_after"].abs().max() < balance["smd_before"].abs().max()


def test_balance_rows_cover_every_covariate_level(episodes, matching):
    balance = covariate_balance(episodes, matching.pairs)
    assert set(balance["covariate"]) == set(covariate_design(episodes).columns)
    assert "child_race_ethnicity=unknown" in set(balance["covariate"])


def test_matching_is_deterministic_and_ignores_row_order(episodes, matching):
    shuffled = episodes.sample(fraction=1.0, shuffle=True, seed=3)
    again = match_episodes(shuffled)
    assert again.pairs.equals(matching.pairs)


def test_missing_numeric_covariate_gets_an_indicator():
    frame = pl.DataFrame({
        "episode_id": ["a", "b", "c"], "study_group": ["participant"] * 3,
        "age_at_removal_years": [2, None, 4], "prior_removals": [0, 1, 0],
        "child_sex": ["F", "M", None], "child_race_ethnicity": ["white"] * 3,
        "removal_reason": ["neglect"] * 3, "service_area": ["Western"] * 3, "removal_year": [2020] * 3,
    })
    design = covariate_design(frame)
    assert design["age_at_removal_years"].to_list() == [2.0, 3.0, 4.0]
    assert design["age_at_removal_years_missing"].to_list() == [0.0, 1.0, 0.0]
    assert "prior_removals_missing" not in design.columns
    assert design["child_sex=unknown"].to_list() == [0.0, 0.0, 1.0]


def test_greedy_order_hardest_first_and_caliper():
    # p1 (logit 2.0) chooses first and takes the pool episode at 1.9; p2 (1.8) must then
    # take 1.5; p3 (0.0) has nothing within 0.35 and stays unmatched.
    pairs = greedy_match(
        ["p2", "p1", "p3"], np.array([1.8, 2.0, 0.0]),
        ["c1", "c2", "c3"], np.array([1.9, 1.5, 0.5]),
        caliper=0.35,
    )
    assert sorted(pairs) == [("p1", "c1"), ("p2", "c2")]


def test_greedy_tie_takes_the_lower_side_and_equal_logits_by_episode_id():
    assert greedy_match(["p"], np.array([1.0]), ["hi", "lo"], np.array([1.5, 0.5]), 1.0) == [("p", "lo")]
    pairs = greedy_match(["p1", "p2"], np.array([1.0, 1.0]), ["c2", "c1"], np.array([1.0, 1.0]), 0.1)
    assert pairs == [("p1", "c1"), ("p2", "c2")]


def test_pool_runs_out_without_reuse():
    pairs = greedy_match(["p1", "p2"], np.array([0.0, 0.1]), ["c1"], np.array([0.05]), 1.0)
    assert pairs == [("p2", "c1")]


def test_caliper_is_a_fifth_of_the_pooled_sd():
    treated, pool = np.array([0.0, 2.0]), np.array([0.0, 4.0])
    assert caliper_width(treated, pool) == pytest.approx(0.2 * np.sqrt((2.0 + 8.0) / 2))


def test_no_participants_means_no_pairs():
    frame = confounded_episodes(50).with_columns(pl.lit("comparison_pool").alias("study_group"))
    result = match_episodes(frame)
    assert result.pairs.height == 0 and result.participants == 0 and result.matched_share is None
    assert covariate_balance(frame, result.pairs).height == 0
