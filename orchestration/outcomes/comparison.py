"""Participant vs comparison outcomes: the matched (paired) estimate and the naive one.

Matched (`marts.fct_outcome_comparison`), over the pairs whose outcome is observable
for both members:
- rates (reunified, reentry_12m, reentry_24m, maltreatment_12m): difference of the
  paired proportions with the paired Wald interval (variance from the discordant
  pairs) and the exact McNemar test (binomial test on the discordant pairs);
- days_in_care: difference of *means* with the paired t interval and paired t-test.
  Means, not medians, because the effect of interest is an average treatment effect
  on the treated and a paired mean difference estimates exactly that.

Naive (`marts.fct_outcome_naive_comparison`, same columns): every participant against
the whole comparison pool, each over the episodes where the outcome is observable;
Wald interval and z-test for rates, Welch interval and t-test for days in care. It is
published to show how much matching changes the answer, never as the effect.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import polars as pl

from orchestration.outcomes.covariates import COMPARISON_POOL, PARTICIPANT

# scipy is imported where a test is computed: loading it costs seconds in every process
# that loads the asset graph, and most never compute one.

RATE_OUTCOMES = ("reunified", "reentry_12m", "reentry_24m", "maltreatment_12m")
MEAN_OUTCOMES = ("days_in_care",)
OUTCOMES = RATE_OUTCOMES + MEAN_OUTCOMES
# What an outcome's values and difference are in: a share of episodes, or days. Published
# with each row, so a chart never puts days on a proportion's axis by its name.
UNITS = {**dict.fromkeys(RATE_OUTCOMES, "proportion"), **dict.fromkeys(MEAN_OUTCOMES, "days")}
CONFIDENCE = 0.95

COMPARISON_SCHEMA = {
    "outcome": pl.String,
    "participant_n": pl.Int64,
    "participant_value": pl.Float64,
    "comparison_n": pl.Int64,
    "comparison_value": pl.Float64,
    "difference": pl.Float64,
    "ci_low": pl.Float64,
    "ci_high": pl.Float64,
    "p_value": pl.Float64,
    "unit": pl.String,
}

# z of the two-sided CONFIDENCE interval; validation turns half-widths back into SEs.
Z = NormalDist().inv_cdf(0.5 + CONFIDENCE / 2)


def _row(outcome, n1, v1, n0, v0, low=None, high=None, p=None) -> dict:
    difference = v1 - v0 if v1 is not None and v0 is not None else None
    return {
        "outcome": outcome, "participant_n": n1, "participant_value": v1,
        "comparison_n": n0, "comparison_value": v0, "difference": difference,
        "ci_low": low, "ci_high": high, "p_value": p, "unit": UNITS[outcome],
    }


def paired_rate(outcome: str, treated: np.ndarray, control: np.ndarray) -> dict:
    """Paired proportions; `treated[i]` and `control[i]` are the two members of pair i."""
    n = int(treated.size)
    if n == 0:
        return _row(outcome, 0, None, 0, None)
    t, c = treated.astype(bool), control.astype(bool)
    only_treated = int(np.sum(t & ~c))
    only_control = int(np.sum(~t & c))
    difference = (only_treated - only_control) / n
    variance = ((only_treated + only_control) - (only_treated - only_control) ** 2 / n) / n**2
    half = Z * math.sqrt(max(variance, 0.0))
    discordant = only_treated + only_control
    from scipy import stats

    p = stats.binomtest(only_treated, discordant, 0.5).pvalue if discordant else 1.0
    return _row(
        outcome, n, float(t.mean()), n, float(c.mean()), difference - half, difference + half,
        float(p),
    )


def paired_mean(outcome: str, treated: np.ndarray, control: np.ndarray) -> dict:
    n = int(treated.size)
    if n == 0:
        return _row(outcome, 0, None, 0, None)
    t, c = treated.astype(float), control.astype(float)
    if n < 2 or np.all(t - c == (t - c)[0]):
        # No spread in the differences: no t interval (a zero-variance t is undefined).
        return _row(outcome, n, float(t.mean()), n, float(c.mean()))
    from scipy import stats

    test = stats.ttest_rel(t, c)
    interval = test.confidence_interval(CONFIDENCE)
    return _row(
        outcome, n, float(t.mean()), n, float(c.mean()), float(interval.low),
        float(interval.high), float(test.pvalue),
    )


def independent_rate(outcome: str, treated: np.ndarray, control: np.ndarray) -> dict:
    n1, n0 = int(treated.size), int(control.size)
    v1 = float(treated.astype(bool).mean()) if n1 else None
    v0 = float(control.astype(bool).mean()) if n0 else None
    if not n1 or not n0:
        return _row(outcome, n1, v1, n0, v0)
    se = math.sqrt(v1 * (1 - v1) / n1 + v0 * (1 - v0) / n0)
    difference = v1 - v0
    if se == 0:
        return _row(outcome, n1, v1, n0, v0)
    p = 2 * NormalDist().cdf(-abs(difference) / se)
    return _row(outcome, n1, v1, n0, v0, difference - Z * se, difference + Z * se, float(p))


def independent_mean(outcome: str, treated: np.ndarray, control: np.ndarray) -> dict:
    n1, n0 = int(treated.size), int(control.size)
    v1 = float(treated.mean()) if n1 else None
    v0 = float(control.mean()) if n0 else None
    if n1 < 2 or n0 < 2 or (np.var(treated) == 0 and np.var(control) == 0):
        return _row(outcome, n1, v1, n0, v0)
    from scipy import stats

    test = stats.ttest_ind(treated.astype(float), control.astype(float), equal_var=False)
    interval = test.confidence_interval(CONFIDENCE)
    return _row(
        outcome, n1, v1, n0, v0, float(interval.low), float(interval.high), float(test.pvalue)
    )


def matched_comparison(episodes: pl.DataFrame) -> pl.DataFrame:
    """Paired estimates per outcome; `episodes` as marts.fct_child_episode_outcome."""
    paired = episodes.filter(pl.col("matched_pair_id").is_not_null())
    treated = paired.filter(pl.col("study_group") == PARTICIPANT)
    control = paired.filter(pl.col("study_group") == COMPARISON_POOL)
    pairs = treated.join(control, on="matched_pair_id", suffix="_comparison").sort("matched_pair_id")
    rows = []
    for outcome in OUTCOMES:
        both = pairs.filter(
            pl.col(outcome).is_not_null() & pl.col(f"{outcome}_comparison").is_not_null()
        )
        t, c = both[outcome].to_numpy(), both[f"{outcome}_comparison"].to_numpy()
        estimate = paired_rate if outcome in RATE_OUTCOMES else paired_mean
        rows.append(estimate(outcome, t, c))
    return pl.DataFrame(rows, schema=COMPARISON_SCHEMA)


def naive_comparison(episodes: pl.DataFrame) -> pl.DataFrame:
    """All participants against the whole comparison pool, without matching."""
    rows = []
    for outcome in OUTCOMES:
        observed = episodes.filter(pl.col(outcome).is_not_null())
        t = observed.filter(pl.col("study_group") == PARTICIPANT)[outcome].to_numpy()
        c = observed.filter(pl.col("study_group") == COMPARISON_POOL)[outcome].to_numpy()
        estimate = independent_rate if outcome in RATE_OUTCOMES else independent_mean
        rows.append(estimate(outcome, t, c))
    return pl.DataFrame(rows, schema=COMPARISON_SCHEMA)
