"""Outcome assets: propensity-score matching, covariate balance and the outcome comparison.

The graph runs dbt -> Python -> dbt -> Python -> dbt:
intermediate.int_episode_covariates (dbt) -> outcomes.matched_pairs (here) ->
marts.fct_child_episode_outcome (dbt, reads the pairs as source `outcomes.matched_pairs`)
-> outcomes.outcome_comparison / outcome_naive_comparison / matching_balance (here) ->
marts.fct_outcome_comparison / fct_outcome_naive_comparison / fct_matching_balance /
fct_outcome_study_status (dbt: declared, documented and tested there, and published like
every mart). The math lives in orchestration.outcomes; these functions only move tables.

The checks of the study warn and never stop publication: an unbalanced or poorly matched
comparison makes that study unreliable, not the caseloads, forms or contract measures of
the run. The study's status and reason (outcomes.outcome_study_status) carry the verdict
to the outcomes page and to leadership's publication, which withholds the results.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import polars as pl
from dagster_duckdb import DuckDBResource

import orchestration.outcomes
from orchestration.digests import code_digest, inputs_digest
from orchestration.outcomes.balance import BALANCE_THRESHOLD, balance_violations, covariate_balance
from orchestration.outcomes.comparison import matched_comparison, naive_comparison
from orchestration.outcomes.covariates import PARTICIPANT
from orchestration.outcomes.matching import CALIPER_SD, match_episodes
from orchestration.outcomes.study_status import MIN_MATCHED_SHARE, study_status
from orchestration.outcomes.subgroups import GROUPINGS, subgroup_comparison
from orchestration.outcomes.survival import reunification_curves
from orchestration.reference_data import program_parameter
from orchestration.storage.outcome_tables import (
    BALANCE_TABLE,
    COMPARISON_TABLE,
    COVARIATES_TABLE,
    EPISODE_OUTCOME_TABLE,
    MATCHED_PAIRS_TABLE,
    NAIVE_COMPARISON_TABLE,
    SPELLS_TABLE,
    STUDY_STATUS_TABLE,
    SUBGROUP_TABLE,
    SURVIVAL_TABLE,
    computed_once,
    read_table,
    replace_table,
)

GROUP = "outcomes"
# A chance SMD between n matched pairs has a standard error of about sqrt(2/n): below
# 800 pairs (SE 0.05) the 0.1 criterion flags noise as often as imbalance, which the
# failure says.
MIN_PAIRS_TO_JUDGE_BALANCE = 800
# The matched share of n participants has a standard error of about sqrt(0.16/n) near
# 80%: below 100 participants (SE 0.04) one or two hard cases swing it past the rule.
MIN_PARTICIPANTS_TO_JUDGE_MATCHING = 100
# 1:1 matching without replacement within a caliper needs a pool several times the
# participants; a smaller pool runs out of close neighbours whatever the data quality.
MIN_POOL_PER_PARTICIPANT = 2


def smd_text(smd: float | None) -> str:
    """An SMD in the balance check's description, which data engineers read (the study's
    published reason names no SMD). Three decimals: at two, an SMD just past the 0.1
    criterion would read as 0.10."""
    return "not matched" if smd is None else f"{smd:.3f}"


# What the study computes with besides its inputs: the statistics, this wiring and the
# libraries doing the math. A change to any of them computes every step again.
OUTCOME_CODE = code_digest(
    [Path(orchestration.outcomes.__file__).parent, Path(__file__)],
    packages=("numpy", "polars", "scipy", "scikit-learn", "lifelines"),
)


def _key(table: str) -> dg.AssetKey:
    return dg.AssetKey(table.split("."))


COVARIATES_KEY = _key(COVARIATES_TABLE)
EPISODE_OUTCOME_KEY = _key(EPISODE_OUTCOME_TABLE)
MATCHED_PAIRS_KEY = _key(MATCHED_PAIRS_TABLE)
BALANCE_KEY = _key(BALANCE_TABLE)
COMPARISON_KEY = _key(COMPARISON_TABLE)
NAIVE_COMPARISON_KEY = _key(NAIVE_COMPARISON_TABLE)
STUDY_STATUS_KEY = _key(STUDY_STATUS_TABLE)
SUBGROUP_KEY = _key(SUBGROUP_TABLE)
SPELLS_KEY = _key(SPELLS_TABLE)
SURVIVAL_KEY = _key(SURVIVAL_TABLE)


@dg.asset(
    key=MATCHED_PAIRS_KEY,
    group_name=GROUP,
    deps=[COVARIATES_KEY],
    pool="warehouse",
    kinds={"python", "duckdb"},
    description=(
        "1:1 nearest-neighbour propensity-score matching of participant episodes to the "
        f"comparison pool, without replacement, within a caliper of {CALIPER_SD} SD of the "
        "logit (Chambers et al. 2019). Two rows per pair: "
        "episode_id, matched_pair_id, study_group, propensity_logit."
    ),
)
def matched_pairs(duckdb: DuckDBResource) -> dg.MaterializeResult:
    with duckdb.get_connection() as con:
        episodes = read_table(con, COVARIATES_TABLE)

        def compute() -> dict:
            result = match_episodes(episodes)
            replace_table(con, MATCHED_PAIRS_TABLE, result.pairs)
            return {
                "participants": result.participants,
                "comparison_pool": result.pool,
                "matched_pairs": result.matched,
                "matched_share": result.matched_share,
                "caliper_logit": result.caliper,
            }

        metadata, recomputed = computed_once(
            con, "matched_pairs", inputs_digest(OUTCOME_CODE, episodes), compute)
    return dg.MaterializeResult(metadata={**metadata, "recomputed": recomputed})


@dg.multi_asset(
    name="outcome_comparison",
    specs=[
        dg.AssetSpec(
            COMPARISON_KEY,
            group_name=GROUP,
            deps=[EPISODE_OUTCOME_KEY],
            kinds={"python", "duckdb"},
            description=(
                "Matched participant vs comparison outcomes over pairs where the outcome is "
                "observable for both: paired rate differences (Wald CI, exact McNemar test) "
                "and the paired mean difference in days in care (paired t)."
            ),
        ),
        dg.AssetSpec(
            NAIVE_COMPARISON_KEY,
            group_name=GROUP,
            deps=[EPISODE_OUTCOME_KEY],
            kinds={"python", "duckdb"},
            description=(
                "The same outcomes for all participants against the whole comparison pool, "
                "unmatched: shows how much matching changes the answer; not an effect estimate."
            ),
        ),
        dg.AssetSpec(
            BALANCE_KEY,
            group_name=GROUP,
            deps=[COVARIATES_KEY, MATCHED_PAIRS_KEY],
            kinds={"python", "duckdb"},
            description=(
                "Standardized mean difference of every covariate level before and after "
                f"matching; |SMD after| <= {BALANCE_THRESHOLD} is the balance criterion."
            ),
        ),
        dg.AssetSpec(
            STUDY_STATUS_KEY,
            group_name=GROUP,
            deps=[COVARIATES_KEY, MATCHED_PAIRS_KEY],
            kinds={"python", "duckdb"},
            description=(
                "One row: the study is `reliable`, or `not_reliable` with the reason (the "
                "covariates out of balance after matching and their SMDs, too few matches)."
            ),
        ),
    ],
    pool="warehouse",
)
def outcome_comparison(duckdb: DuckDBResource):
    with duckdb.get_connection() as con:
        outcomes = read_table(con, EPISODE_OUTCOME_TABLE)
        covariates = read_table(con, COVARIATES_TABLE)
        pairs = read_table(con, MATCHED_PAIRS_TABLE)

        def compute() -> dict:
            matched = matched_comparison(outcomes)
            naive = naive_comparison(outcomes)
            balance = covariate_balance(covariates, pairs)
            status = study_status(
                balance,
                participants=int((covariates["study_group"] == PARTICIPANT).sum()),
                matched=int((pairs["study_group"] == PARTICIPANT).sum()),
            )
            replace_table(con, COMPARISON_TABLE, matched)
            replace_table(con, NAIVE_COMPARISON_TABLE, naive)
            replace_table(con, BALANCE_TABLE, balance)
            replace_table(con, STUDY_STATUS_TABLE, status)
            worst = balance["smd_after"].abs().max() if balance.height else None
            [verdict] = status.to_dicts()
            return {
                COMPARISON_TABLE: _estimates(matched),
                NAIVE_COMPARISON_TABLE: _estimates(naive),
                BALANCE_TABLE: {"covariates": balance.height, "max_abs_smd_after": worst},
                STUDY_STATUS_TABLE: {"status": verdict["status"],
                                     "reason": verdict["reason"] or ""},
            }

        metadata, recomputed = computed_once(
            con, "outcome_comparison",
            inputs_digest(OUTCOME_CODE, outcomes, covariates, pairs), compute)
    for table, key in ((COMPARISON_TABLE, COMPARISON_KEY),
                       (NAIVE_COMPARISON_TABLE, NAIVE_COMPARISON_KEY),
                       (BALANCE_TABLE, BALANCE_KEY), (STUDY_STATUS_TABLE, STUDY_STATUS_KEY)):
        yield dg.MaterializeResult(asset_key=key,
                                   metadata={**metadata[table], "recomputed": recomputed})


def _estimates(frame: pl.DataFrame) -> dict:
    return {
        f"{row['outcome']}.difference": row["difference"]
        for row in frame.iter_rows(named=True)
    } | {"rows": frame.height}


@dg.asset_check(
    asset=BALANCE_KEY,
    pool="warehouse",
    # Blocking orders it before the marts read the balance; as a warning it never stops them.
    blocking=True,
    description=(
        f"Every covariate level has |SMD after matching| <= {BALANCE_THRESHOLD}. A warning: "
        "a failure marks the outcome study not reliable (marts.fct_outcome_study_status) and "
        "withholds its results from leadership; everything else publishes."
    ),
)
def covariates_balanced_after_matching(duckdb: DuckDBResource) -> dg.AssetCheckResult:
    with duckdb.get_connection() as con:
        balance = read_table(con, BALANCE_TABLE)
        pairs = con.sql(
            f"select count(distinct matched_pair_id) from {MATCHED_PAIRS_TABLE}"
        ).fetchall()[0][0]
    violations = balance_violations(balance)
    description = None
    if violations.height:
        description = (
            f"{violations.height} covariate level(s) out of balance after matching: "
            + ", ".join(
                f"{covariate} (SMD {smd_text(smd)})"
                for covariate, smd in violations.head(5).select("covariate", "smd_after").iter_rows()
            )
        )
        if pairs < MIN_PAIRS_TO_JUDGE_BALANCE:
            description += (
                f" - with only {pairs} pairs (fewer than {MIN_PAIRS_TO_JUDGE_BALANCE}) "
                "chance alone moves SMDs past 0.1"
            )
        description += (
            "; the outcome study is published as not reliable and withheld from leadership. "
            "Review the covariates and the comparison pool of the extracts."
        )
    return dg.AssetCheckResult(
        passed=violations.height == 0,
        severity=dg.AssetCheckSeverity.WARN,
        description=description,
        metadata={
            "covariates": balance.height,
            "pairs": pairs,
            "out_of_balance": dg.MetadataValue.json(violations.head(20).to_dicts()),
        },
    )


def matching_sample_too_small(participants: int, pool: int) -> str | None:
    """Why the matched-share rule cannot be judged on this sample, or None when it can."""
    if participants < MIN_PARTICIPANTS_TO_JUDGE_MATCHING:
        return (
            f"only {participants} participant episode(s) (fewer than "
            f"{MIN_PARTICIPANTS_TO_JUDGE_MATCHING}): one or two unmatched cases move the share "
            "by more than the rule's margin"
        )
    if pool < MIN_POOL_PER_PARTICIPANT * participants:
        return (
            f"a comparison pool of {pool} for {participants} participants (fewer than "
            f"{MIN_POOL_PER_PARTICIPANT} per participant) runs out of close matches"
        )
    return None


@dg.asset_check(
    asset=MATCHED_PAIRS_KEY,
    pool="warehouse",
    # Blocking orders it before the marts read the pairs; as a warning it never stops them.
    blocking=True,
    description=(
        f"At least {MIN_MATCHED_SHARE:.0%} of participant episodes found a comparison episode "
        "within the caliper. A warning: a failure marks the outcome study not reliable "
        "(marts.fct_outcome_study_status); below "
        f"{MIN_PARTICIPANTS_TO_JUDGE_MATCHING} participants or a pool "
        f"{MIN_POOL_PER_PARTICIPANT}x their number it says the share reflects sample size."
    ),
)
def most_participants_matched(duckdb: DuckDBResource) -> dg.AssetCheckResult:
    with duckdb.get_connection() as con:
        participants, pool = con.sql(
            f"select count(*) filter (where study_group = '{PARTICIPANT}'), "
            f"count(*) filter (where study_group <> '{PARTICIPANT}') from {COVARIATES_TABLE}"
        ).fetchall()[0]
        matched = con.sql(
            f"select count(*) from {MATCHED_PAIRS_TABLE} where study_group = '{PARTICIPANT}'"
        ).fetchall()[0][0]
    share = matched / participants if participants else None
    # With no participants there is nothing to match and nothing to report.
    passed = share is None or share >= MIN_MATCHED_SHARE
    too_small = matching_sample_too_small(participants, pool)
    description = None
    if not passed:
        description = f"{matched} of {participants} participant episodes matched ({share:.0%})"
        if too_small:
            description += f" - a warning, not an error: {too_small}"
        description += "; the outcome study is published as not reliable."
    return dg.AssetCheckResult(
        passed=passed,
        severity=dg.AssetCheckSeverity.WARN,
        description=description,
        metadata={
            "participants": participants, "comparison_pool": pool, "matched": matched,
            "matched_share": share,
        },
    )


@dg.asset(
    key=SUBGROUP_KEY,
    group_name=GROUP,
    deps=[COVARIATES_KEY, EPISODE_OUTCOME_KEY],
    pool="warehouse",
    kinds={"python", "duckdb"},
    description=(
        "The matched comparison within each group of " + ", ".join(GROUPINGS) + ": the "
        "group's participants matched again to the group's comparison pool, estimates over "
        "at least subgroup_min_pairs pairs, and Cochran's Q test of whether the effect "
        "differs between the groups of a grouping."
    ),
)
def outcome_by_subgroup(duckdb: DuckDBResource) -> dg.MaterializeResult:
    with duckdb.get_connection() as con:
        covariates = read_table(con, COVARIATES_TABLE)
        outcomes = read_table(con, EPISODE_OUTCOME_TABLE)
        min_pairs = program_parameter("subgroup_min_pairs")

        def compute() -> dict:
            frame = subgroup_comparison(covariates, outcomes, min_pairs=min_pairs)
            replace_table(con, SUBGROUP_TABLE, frame)
            return {
                "rows": frame.height,
                "rows_with_estimates": frame.filter(pl.col("difference").is_not_null()).height,
            }

        metadata, recomputed = computed_once(
            con, "outcome_by_subgroup",
            inputs_digest(OUTCOME_CODE, covariates, outcomes, min_pairs), compute)
    return dg.MaterializeResult(metadata={**metadata, "recomputed": recomputed})


@dg.asset(
    key=SURVIVAL_KEY,
    group_name=GROUP,
    deps=[SPELLS_KEY],
    pool="warehouse",
    kinds={"python", "duckdb"},
    description=(
        "Kaplan-Meier curves (lifelines) of time to reunification from removal and from the "
        "match, participants and their matched comparisons, with 95% bands and numbers at "
        "risk; censored at the as-of date or a discharge to another exit."
    ),
)
def time_to_reunification(duckdb: DuckDBResource) -> dg.MaterializeResult:
    with duckdb.get_connection() as con:
        spells = con.sql(
            f"select arm, origin, days, reunified from {SPELLS_TABLE} "
            "order by arm, origin, matched_pair_id").pl()

        def compute() -> dict:
            curves = reunification_curves(spells)
            replace_table(con, SURVIVAL_TABLE, curves)
            return {"rows": curves.height, "spells": spells.height}

        metadata, recomputed = computed_once(
            con, "time_to_reunification", inputs_digest(OUTCOME_CODE, spells), compute)
    return dg.MaterializeResult(metadata={**metadata, "recomputed": recomputed})


outcome_assets = [matched_pairs, outcome_comparison, outcome_by_subgroup, time_to_reunification]
outcome_checks = [covariates_balanced_after_matching, most_participants_matched]
