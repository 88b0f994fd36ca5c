"""End to end on the pure functions: a planted effect under confounding is recovered.

The episode frame is built here with known potential outcomes, shaped like the
findings of Chambers et al. (2019): participation raises reunification and lowers
12-month re-entry, with no effect on 24-month re-entry or time in care. Participants
are chosen on the same covariates that drive the outcomes, so the naive comparison
is biased and matching has to undo it.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from orchestration.outcomes.balance import balance_violations, covariate_balance
from orchestration.outcomes.comparison import matched_comparison, naive_comparison
from orchestration.outcomes.matching import match_episodes

REUNIFICATION_GAIN = 0.12
REENTRY_12M_DROP = 0.10


def planted_episodes(n: int = 10_000, seed: int = 11) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    age = rng.integers(0, 18, n)
    substance = rng.random(n) < 0.35
    reason = np.where(substance, "parent_substance_use", rng.choice(["neglect", "physical_abuse"], n))
    area = rng.choice(["Des Moines", "Western", "Eastern", "Northern"], n)
    prior = rng.poisson(0.3, n)
    logit = -2.2 - 0.06 * age + 1.1 * substance + 0.7 * (area == "Des Moines") + 0.4 * (prior > 0)
    treated = rng.random(n) < 1 / (1 + np.exp(-logit))

    # Confounding: what makes participation likely also lowers reunification and
    # lengthens stays.
    p_reunify = np.clip(0.65 - 0.25 * substance - 0.10 * (area == "Des Moines") + 0.008 * age
                        - 0.05 * (prior > 0), 0.05, 0.95)
    reunified = rng.random(n) < np.clip(p_reunify + REUNIFICATION_GAIN * treated, 0, 1)
    days = np.round(300 + 160 * substance + 40 * (area == "Des Moines") + rng.normal(0, 120, n))
    p12 = 0.22 + 0.10 * substance + 0.05 * (prior > 0)
    p24 = p12 + 0.12
    p12_actual = p12 - REENTRY_12M_DROP * treated
    reentry_12m = rng.random(n) < p12_actual
    # Re-entry by 24 months has the same probability in both groups.
    reentry_24m = reentry_12m | (rng.random(n) < (p24 - p12_actual) / (1 - p12_actual))
    maltreatment = rng.random(n) < 0.10 + 0.04 * substance

    def when_reunified(flags: np.ndarray) -> pl.Series:
        # Re-entry and re-abuse are defined only after a reunification.
        return pl.Series([bool(f) if r else None for f, r in zip(flags, reunified)], dtype=pl.Boolean)

    return pl.DataFrame({
        "episode_id": [f"E{i:05d}" for i in range(n)],
        "study_group": np.where(treated, "participant", "comparison_pool"),
        "age_at_removal_years": age,
        "prior_removals": prior,
        "child_sex": rng.choice(["F", "M"], n),
        "child_race_ethnicity": rng.choice(["white", "black", "hispanic", "other"], n),
        "removal_reason": reason,
        "service_area": area,
        "removal_year": rng.integers(2019, 2024, n),
        "reunified": reunified,
        "reentry_12m": when_reunified(reentry_12m),
        "reentry_24m": when_reunified(reentry_24m),
        "maltreatment_12m": when_reunified(maltreatment),
        "days_in_care": days.clip(8, None).astype(np.int64),
    })


@pytest.fixture(scope="module")
def study():
    episodes = planted_episodes()
    matching = match_episodes(episodes)
    outcomes = episodes.join(
        matching.pairs.select("episode_id", "matched_pair_id"), on="episode_id", how="left"
    )
    matched = {r["outcome"]: r for r in matched_comparison(outcomes).iter_rows(named=True)}
    naive = {r["outcome"]: r for r in naive_comparison(outcomes).iter_rows(named=True)}
    return episodes, matching, matched, naive


def test_reunification_gain_is_significant_and_covered(study):
    _, _, matched, _ = study
    row = matched["reunified"]
    assert row["p_value"] < 0.01 and row["ci_low"] > 0
    assert row["ci_low"] <= REUNIFICATION_GAIN <= row["ci_high"]


def test_reentry_within_12_months_drops(study):
    _, _, matched, _ = study
    row = matched["reentry_12m"]
    assert row["p_value"] < 0.05 and row["ci_high"] < 0
    assert row["ci_low"] <= -REENTRY_12M_DROP <= row["ci_high"]


def test_no_difference_at_24_months_or_in_time_in_care(study):
    _, _, matched, _ = study
    assert matched["reentry_24m"]["p_value"] > 0.05
    assert matched["days_in_care"]["p_value"] > 0.05
    assert matched["days_in_care"]["ci_low"] <= 0 <= matched["days_in_care"]["ci_high"]


def test_covariates_balanced_and_most_participants_matched(study):
    episodes, matching, _, _ = study
    assert matching.matched_share >= 0.8
    assert balance_violations(covariate_balance(episodes, matching.pairs)).height == 0


def test_naive_difference_is_visibly_biased(study):
    _, _, matched, naive = study
    assert abs(naive["reunified"]["difference"] - matched["reunified"]["difference"]) > 0.05
    assert naive["reunified"]["ci_high"] < REUNIFICATION_GAIN
    assert naive["days_in_care"]["difference"] > 30 and naive["days_in_care"]["p_value"] < 0.01
