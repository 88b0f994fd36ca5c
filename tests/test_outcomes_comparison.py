"""Paired and naive outcome statistics against hand-worked values."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from orchestration.outcomes.comparison import (
    COMPARISON_SCHEMA,
    OUTCOMES,
    independent_rate,
    matched_comparison,
    naive_comparison,
    paired_mean,
    paired_rate,
)


def test_paired_rate_uses_discordant_pairs():
    treated = np.array([1, 1, 1, 0, 0, 1, 0, 1, 1, 1])
    control = np.array([0, 1, 0, 0, 1, 0, 0, 1, 0, 1])
    row = paired_rate("reunified", treated, control)
    # 4 pairs only the participant reunified, 1 only the comparison: d = 3/10.
    assert row["participant_n"] == row["comparison_n"] == 10
    assert row["participant_value"] == pytest.approx(0.7)
    assert row["comparison_value"] == pytest.approx(0.4)
    assert row["difference"] == pytest.approx(0.3)
    half = 1.959964 * math.sqrt((5 - 9 / 10) / 100)
    assert row["ci_low"] == pytest.approx(0.3 - half, abs=1e-6)
    assert row["ci_high"] == pytest.approx(0.3 + half, abs=1e-6)
    # Exact McNemar: P(X <= 1 or X >= 4), X ~ Binomial(5, 1/2) = 12/32.
    assert row["p_value"] == pytest.approx(12 / 32)


def test_paired_rate_without_discordant_pairs_has_no_difference():
    row = paired_rate("reentry_12m", np.array([1, 0, 1]), np.array([1, 0, 1]))
    assert (row["difference"], row["ci_low"], row["ci_high"], row["p_value"]) == (0, 0, 0, 1.0)


def test_paired_mean_is_the_paired_t():
    row = paired_mean("days_in_care", np.array([10, 20, 30, 40]), np.array([8, 15, 33, 30]))
    # Differences 2, 5, -3, 10: mean 3.5, SD sqrt(89/3), t(3) quantile 3.182446.
    half = 3.182446 * math.sqrt(89 / 3) / 2
    assert row["difference"] == pytest.approx(3.5)
    assert row["ci_low"] == pytest.approx(3.5 - half, abs=1e-5)
    assert row["ci_high"] == pytest.approx(3.5 + half, abs=1e-5)
    assert 0.2 < row["p_value"] < 0.4


def test_independent_rate_is_the_wald_difference():
    row = independent_rate("reunified", np.array([1, 1, 0, 1]), np.array([0, 1, 0, 0, 0, 1]))
    se = math.sqrt(0.75 * 0.25 / 4 + (1 / 3) * (2 / 3) / 6)
    assert (row["participant_n"], row["comparison_n"]) == (4, 6)
    assert row["difference"] == pytest.approx(0.75 - 1 / 3)
    assert row["ci_high"] - row["ci_low"] == pytest.approx(2 * 1.959964 * se, abs=1e-6)
    assert row["p_value"] == pytest.approx(0.1503, abs=1e-3)


def outcome_rows() -> pl.DataFrame:
    rows = [
        # pair 1: both observable for everything
        ("p1", "participant", 1, True, False, False, False, 100),
        ("c1", "comparison_pool", 1, False, None, None, None, 200),
        # pair 2: the comparison is still in care, so only the participant is observed
        ("p2", "participant", 2, True, True, None, True, 150),
        ("c2", "comparison_pool", 2, None, None, None, None, None),
        # pair 3: both reunified, re-entry observable for both
        ("p3", "participant", 3, True, False, False, False, 300),
        ("c3", "comparison_pool", 3, True, True, True, False, 250),
        # unmatched episodes count only in the naive comparison
        ("p4", "participant", None, False, None, None, None, 400),
        ("c4", "comparison_pool", None, True, False, False, True, 50),
    ]
    return pl.DataFrame(
        rows,
        schema={
            "episode_id": pl.String, "study_group": pl.String, "matched_pair_id": pl.Int32,
            "reunified": pl.Boolean, "reentry_12m": pl.Boolean, "reentry_24m": pl.Boolean,
            "maltreatment_12m": pl.Boolean, "days_in_care": pl.Int32,
        },
        orient="row",
    )


def test_matched_comparison_keeps_pairs_observable_for_both():
    table = matched_comparison(outcome_rows())
    assert table.schema == pl.Schema(COMPARISON_SCHEMA)
    assert table["outcome"].to_list() == list(OUTCOMES)
    by = {r["outcome"]: r for r in table.iter_rows(named=True)}
    assert by["reunified"]["participant_n"] == 2  # pairs 1 and 3
    assert by["reunified"]["difference"] == pytest.approx(0.5)
    assert by["reentry_12m"]["participant_n"] == 1  # pair 3 only
    assert by["reentry_12m"]["difference"] == pytest.approx(-1.0)
    assert by["days_in_care"]["participant_n"] == 2
    assert by["days_in_care"]["difference"] == pytest.approx(((100 - 200) + (300 - 250)) / 2)


def test_naive_comparison_uses_every_observed_episode():
    by = {r["outcome"]: r for r in naive_comparison(outcome_rows()).iter_rows(named=True)}
    assert (by["reunified"]["participant_n"], by["reunified"]["comparison_n"]) == (4, 3)
    assert by["reunified"]["difference"] == pytest.approx(3 / 4 - 2 / 3)
    assert by["days_in_care"]["participant_value"] == pytest.approx(237.5)
    assert by["days_in_care"]["comparison_value"] == pytest.approx(500 / 3)


def test_no_pairs_gives_empty_estimates():
    table = matched_comparison(outcome_rows().with_columns(pl.lit(None, pl.Int32).alias("matched_pair_id")))
    assert table["participant_n"].to_list() == [0] * len(OUTCOMES)
    assert table["difference"].null_count() == len(OUTCOMES)
