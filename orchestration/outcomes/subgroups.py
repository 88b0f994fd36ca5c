"""The matched comparison within subgroups, and whether the effect differs between them.

For each grouping (the child's race/ethnicity, age band, sex, removal reason, service
area) and each of its groups, the participants of that group are matched to the
comparison pool of the same group by the study's own matching (exact on the group, then
nearest neighbour on a propensity score fitted within it) and compared as in
`comparison.matched_comparison`. Matching again within the group, instead of splitting
the study's pairs by the participant's group, keeps a girl from being compared with a
boy or a teenager with a toddler, when sex or age changes the outcome by itself.

A row's estimates are published only when its pairs reach the minimum
(`subgroup_min_pairs`, seeds/program_parameters.csv): below it the interval of a
paired rate is wider than the effects the program can have.

Heterogeneity: Cochran's Q over the groups of a grouping with estimates for the outcome,
Q = sum w_g (d_g - d_w)^2 with w_g = 1 / se_g^2 and d_w the weighted mean, compared with
a chi-square on (groups - 1) degrees of freedom. The groups hold different children and
were matched separately, so their estimates are independent, as the test assumes.
Subgroup effects are exploratory: five groupings and five outcomes are 25 tests.
"""

from __future__ import annotations

from statistics import NormalDist

import polars as pl

from orchestration.outcomes.comparison import (
    COMPARISON_SCHEMA,
    CONFIDENCE,
    MEAN_OUTCOMES,
    matched_comparison,
)
from orchestration.outcomes.covariates import AGE_BAND_COLUMN, PARTICIPANT, age_band
from orchestration.outcomes.matching import match_episodes

GROUPINGS = ("child_race_ethnicity", AGE_BAND_COLUMN, "child_sex", "removal_reason",
             "service_area")
UNKNOWN = "unknown"
SUBGROUP_SCHEMA = {
    "grouping": pl.String,
    "group": pl.String,
    **COMPARISON_SCHEMA,
    "heterogeneity_p_value": pl.Float64,
}
ESTIMATES = ("participant_value", "comparison_value", "difference", "ci_low", "ci_high",
             "p_value")
Z = NormalDist().inv_cdf(0.5 + CONFIDENCE / 2)


def _groups(covariates: pl.DataFrame) -> pl.DataFrame:
    return covariates.with_columns(age_band(pl.col("age_at_removal_years"))).with_columns(
        pl.col(g).cast(pl.String).fill_null(UNKNOWN) for g in GROUPINGS)


def _standard_error(row: dict) -> float | None:
    if row["ci_low"] is None or row["ci_high"] is None:
        return None
    if row["outcome"] in MEAN_OUTCOMES:
        from scipy import stats

        critical = float(stats.t.ppf(0.5 + CONFIDENCE / 2, row["participant_n"] - 1))
    else:
        critical = Z
    return (row["ci_high"] - row["ci_low"]) / (2 * critical)


def heterogeneity_p_value(differences: list[float], standard_errors: list[float]
                          ) -> float | None:
    """Cochran's Q test that the groups share one effect; None under two groups or when a
    group's standard error is zero (its weight would be infinite)."""
    if len(differences) < 2 or any(se <= 0 for se in standard_errors):
        return None
    from scipy import stats

    weights = [1 / se**2 for se in standard_errors]
    pooled = sum(w * d for w, d in zip(weights, differences)) / sum(weights)
    q = sum(w * (d - pooled) ** 2 for w, d in zip(weights, differences))
    return float(stats.chi2.sf(q, len(differences) - 1))


def _with_heterogeneity(rows: list[dict]) -> list[dict]:
    by_test: dict[tuple[str, str], list[dict]] = {}
    for row in rows:
        if row["difference"] is not None:
            by_test.setdefault((row["grouping"], row["outcome"]), []).append(row)
    for tested in by_test.values():
        errors = [_standard_error(row) for row in tested]
        p = None if None in errors else heterogeneity_p_value(
            [row["difference"] for row in tested], errors)
        for row in tested:
            row["heterogeneity_p_value"] = p
    return rows


def subgroup_comparison(covariates: pl.DataFrame, outcomes: pl.DataFrame,
                        min_pairs: int) -> pl.DataFrame:
    """One row per grouping, group (of the participants) and outcome; `covariates` as
    int_episode_covariates, `outcomes` as marts.fct_child_episode_outcome."""
    covariates = _groups(covariates.sort("episode_id"))
    outcomes = outcomes.drop("matched_pair_id")
    rows: list[dict] = []
    for grouping in GROUPINGS:
        present = covariates.filter(pl.col("study_group") == PARTICIPANT)[grouping]
        for group in sorted(present.unique().to_list()):
            result = match_episodes(covariates.filter(pl.col(grouping) == group))
            paired = outcomes.join(result.pairs.select("episode_id", "matched_pair_id"),
                                   on="episode_id", how="inner")
            for row in matched_comparison(paired).iter_rows(named=True):
                if row["participant_n"] < min_pairs:
                    row.update(dict.fromkeys(ESTIMATES))
                rows.append({"grouping": grouping, "group": group, **row,
                             "heterogeneity_p_value": None})
    return pl.DataFrame(_with_heterogeneity(rows), schema=SUBGROUP_SCHEMA)
