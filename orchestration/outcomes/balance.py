"""Covariate balance: standardized mean differences (SMD) before and after matching.

SMD = (mean among participants - mean among comparisons) / pooled SD, for every
column of the covariate design (each level of a categorical covariate, each numeric
covariate). The denominator is the pooled SD *before* matching,
sqrt((var_participants + var_pool) / 2) with population variances (p(1-p) for a
level), in both columns: the same yardstick before and after, so a change in SMD
is a change in the mean difference and not in the spread (Stuart 2010).
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl

from orchestration.outcomes.covariates import PARTICIPANT, covariate_design

BALANCE_SCHEMA = {"covariate": pl.String, "smd_before": pl.Float64, "smd_after": pl.Float64}
BALANCE_THRESHOLD = 0.1


def _smd(diff: float, scale: float) -> float:
    if scale > 0:
        return diff / scale
    return 0.0 if diff == 0 else math.copysign(math.inf, diff)


def covariate_balance(episodes: pl.DataFrame, pairs: pl.DataFrame) -> pl.DataFrame:
    """One row per design column; `smd_after` is null when nothing was matched."""
    episodes = episodes.sort("episode_id")
    if episodes.height == 0:
        return pl.DataFrame(schema=BALANCE_SCHEMA)
    design = covariate_design(episodes)
    treated = (episodes["study_group"] == PARTICIPANT).to_numpy()
    matched = episodes["episode_id"].is_in(pairs["episode_id"].to_list()).to_numpy()
    rows = []
    for name in design.columns:
        x = design[name].to_numpy()
        before_t, before_c = x[treated], x[~treated]
        if before_t.size == 0 or before_c.size == 0:
            continue
        scale = float(np.sqrt((np.var(before_t) + np.var(before_c)) / 2))
        before = _smd(float(before_t.mean() - before_c.mean()), scale)
        after_t, after_c = x[treated & matched], x[~treated & matched]
        after = (
            _smd(float(after_t.mean() - after_c.mean()), scale)
            if after_t.size and after_c.size
            else None
        )
        rows.append((name, before, after))
    return pl.DataFrame(rows, schema=BALANCE_SCHEMA, orient="row")


def balance_violations(balance: pl.DataFrame, threshold: float = BALANCE_THRESHOLD) -> pl.DataFrame:
    """Covariates whose |SMD after matching| exceeds the threshold, or that were not matched."""
    return balance.filter(
        pl.col("smd_after").is_null() | (pl.col("smd_after").abs() > threshold)
    ).sort(pl.col("smd_after").abs(), descending=True, nulls_last=False)
