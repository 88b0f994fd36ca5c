"""Subgroup effects and the heterogeneity test against hand-worked cases."""

from __future__ import annotations

import polars as pl
import pytest
from scipy import stats

from orchestration.outcomes.comparison import OUTCOMES
from orchestration.outcomes.subgroups import (
    GROUPINGS,
    SUBGROUP_SCHEMA,
    heterogeneity_p_value,
    subgroup_comparison,
)


def test_heterogeneity_is_cochrans_q_on_the_groups_minus_one_degrees():
    # w = 1/0.05^2 = 400 each, pooled 0.2: Q = 400 * 0.1^2 * 2 = 8 on 1 degree of freedom.
    assert heterogeneity_p_value([0.1, 0.3], [0.05, 0.05]) == pytest.approx(stats.chi2.sf(8, 1))
    # Three groups, weights 100, 25, 100 around a pooled 0.1: Q = 1 + 0 + 1 on 2 degrees.
    assert heterogeneity_p_value([0.0, 0.1, 0.2], [0.1, 0.2, 0.1]) == pytest.approx(
        stats.chi2.sf(2, 2))
    assert heterogeneity_p_value([0.1], [0.05]) is None
    assert heterogeneity_p_value([0.1, 0.2], [0.05, 0.0]) is None


def _study(participants: int = 20, pool: int = 40) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Girls and boys alike in everything else. Girls: 15 of 20 participants reunified,
    no girl of the pool; boys: 10 of 20 participants, every boy of the pool."""
    rows = []
    for sex, reunified_participants, pool_reunified in (("female", 15, False),
                                                        ("male", 10, True)):
        for i in range(participants + pool):
            participant = i < participants
            rows.append({
                "episode_id": f"E{sex[0]}{i:03d}",
                "study_group": "participant" if participant else "comparison_pool",
                "age_at_removal_years": 4, "prior_removals": 0, "child_sex": sex,
                "child_race_ethnicity": "white", "removal_reason": "neglect",
                "service_area": "Western", "removal_year": 2022,
                "reunified": i < reunified_participants if participant else pool_reunified,
            })
    frame = pl.DataFrame(rows)
    outcomes = frame.select(
        "episode_id", "study_group", "reunified",
        *(pl.lit(None, dtype=pl.Boolean).alias(o) for o in OUTCOMES[1:-1]),
        pl.lit(None, dtype=pl.Int64).alias("days_in_care"),
        # The study's own pairs, which the subgroups do not use.
        pl.lit(1, dtype=pl.Int32).alias("matched_pair_id"),
    )
    return frame.drop("reunified"), outcomes


def _row(frame: pl.DataFrame, grouping: str, group: str, outcome: str) -> dict:
    return frame.filter((pl.col("grouping") == grouping) & (pl.col("group") == group)
                        & (pl.col("outcome") == outcome)).row(0, named=True)


def test_each_group_is_matched_within_itself():
    covariates, outcomes = _study()
    frame = subgroup_comparison(covariates, outcomes, min_pairs=20)
    assert frame.schema == pl.Schema(SUBGROUP_SCHEMA)
    girls, boys = (_row(frame, "child_sex", s, "reunified") for s in ("female", "male"))
    # Girls: 15 pairs where only the participant went home, 5 where neither did.
    assert (girls["participant_n"], girls["comparison_n"]) == (20, 20)
    assert (girls["participant_value"], girls["comparison_value"]) == (0.75, 0.0)
    assert girls["difference"] == pytest.approx(0.75)
    # Boys: 10 pairs where only the comparison went home.
    assert boys["difference"] == pytest.approx(-0.5)
    # Paired Wald variances (15 - 15^2/20)/20^2 and (10 - 10^2/20)/20^2; with two groups
    # Q = (d1 - d2)^2 / (v1 + v2).
    q = 1.25**2 / ((15 - 225 / 20) / 400 + (10 - 100 / 20) / 400)
    assert girls["heterogeneity_p_value"] == pytest.approx(stats.chi2.sf(q, 1))
    assert boys["heterogeneity_p_value"] == girls["heterogeneity_p_value"]
    # Every grouping has rows; a grouping with one group has no test.
    assert set(frame["grouping"]) == set(GROUPINGS)
    assert _row(frame, "age_band", "1-5", "reunified")["heterogeneity_p_value"] is None


def test_groups_below_the_minimum_keep_their_counts_without_estimates():
    covariates, outcomes = _study()
    frame = subgroup_comparison(covariates, outcomes, min_pairs=21)
    girls = _row(frame, "child_sex", "female", "reunified")
    assert girls["participant_n"] == 20
    assert all(girls[c] is None for c in ("participant_value", "difference", "ci_low",
                                          "ci_high", "p_value", "heterogeneity_p_value"))
    # All 40 participants are one race: that group reaches the minimum.
    assert _row(frame, "child_race_ethnicity", "white", "reunified")["difference"] is not None
    # No outcome observed: no pairs, no estimate.
    assert _row(frame, "child_sex", "male", "reentry_12m")["participant_n"] == 0
