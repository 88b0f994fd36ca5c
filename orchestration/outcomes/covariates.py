"""The matching covariates of metrics.md as a numeric design: one column per level.

The same indicator columns feed the propensity model and the balance table, so the
balance reported is the balance of exactly what was matched on.
"""

from __future__ import annotations

import polars as pl

from orchestration.reference_data import read_seed

AGE_BANDS = "age_bands.csv"
NUMERIC_COVARIATES = ("age_at_removal_years", "prior_removals")
# Removal year is categorical: entry cohorts differ in policy and practice, not linearly.
CATEGORICAL_COVARIATES = (
    "child_sex", "child_race_ethnicity", "removal_reason", "service_area", "removal_year",
)
# Age also enters by developmental band (under 1, 1-5, 6-12, 13-17, as in federal
# reporting): outcomes are not linear in age - infants and teenagers both leave care
# differently from school-age children - and a linear age term balances the mean age
# while leaving the bands unequal.
AGE_BAND_COLUMN = "age_band"
PARTICIPANT = "participant"
COMPARISON_POOL = "comparison_pool"


def covariate_design(episodes: pl.DataFrame) -> pl.DataFrame:
    """Indicator/numeric columns of the covariates, one row per episode, in input order.

    Numeric covariates keep their value; a missing value takes the mean of the known
    ones and a `<name>_missing` indicator is added (only when something is missing), so
    missingness is balanced too. Each level of a categorical covariate becomes a 0/1
    column named `<covariate>=<level>`, levels in sorted order; nulls are the level
    `unknown`. The age band is derived from `age_at_removal_years`.
    """
    columns: list[pl.Series] = []
    for name in NUMERIC_COVARIATES:
        values = episodes[name].cast(pl.Float64)
        missing = values.is_null()
        fill = values.mean() if values.null_count() < values.len() else 0.0
        columns.append(values.fill_null(fill).alias(name))
        if missing.any():
            columns.append(missing.cast(pl.Float64).alias(f"{name}_missing"))
    categorical = episodes.with_columns(age_band(pl.col("age_at_removal_years")))
    for name in (AGE_BAND_COLUMN, *CATEGORICAL_COVARIATES):
        values = categorical[name].cast(pl.String).fill_null("unknown")
        for level in sorted(values.unique().to_list()):
            columns.append((values == level).cast(pl.Float64).alias(f"{name}={level}"))
    return pl.DataFrame(columns) if columns else pl.DataFrame()


def age_band(age: pl.Expr) -> pl.Expr:
    """The band of seeds/age_bands.csv an age in whole years falls in (the bands dbt's reach
    measures use: one code list)."""
    band = pl.when(age.is_null()).then(pl.lit(None, dtype=pl.String))
    for row in read_seed(AGE_BANDS):
        band = band.when(age.is_between(int(row["min_years"]), int(row["max_years"])))\
            .then(pl.lit(row["age_band"]))
    return band.otherwise(pl.lit(None, dtype=pl.String)).alias(AGE_BAND_COLUMN)
