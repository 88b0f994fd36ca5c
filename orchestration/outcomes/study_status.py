"""Whether the outcome study of a run can be read as an estimate, and why not.

An unbalanced match or a poorly matched sample makes the comparison unreliable, not the
rest of the run: the study is published with status `not_reliable` and its reason, the
outcomes page shows the reason above the results, and leadership sees the results
withheld. The reason names no count of children, and no figure from which one follows
(an SMD, the matched share): leadership's publication shows it too.
"""

from __future__ import annotations

import polars as pl

from orchestration.outcomes.balance import balance_violations

RELIABLE = "reliable"
NOT_RELIABLE = "not_reliable"
MIN_MATCHED_SHARE = 0.8
# Covariates named one by one in the reason; the rest are counted.
NAMED_COVARIATES = 5

STUDY_STATUS_SCHEMA = {
    "status": pl.String,
    "reason": pl.String,
    "participants": pl.Int64,
    "matched_pairs": pl.Int64,
    "unbalanced_covariates": pl.Int64,
}


def _unbalanced(violations: pl.DataFrame) -> str:
    """The covariates out of balance, by name: not their SMDs, which with the study's sizes
    give away a small group's count (leadership reads this reason; staff read the SMDs in
    the balance table)."""
    named = violations.head(NAMED_COVARIATES)
    names = named["covariate"].to_list()
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    more = violations.height - named.height
    if more:
        listed += f" (and {more} more)"
    verb = "remains" if violations.height == 1 else "remain"
    noun = "Covariate" if violations.height == 1 else "Covariates"
    return f"{noun} {listed} {verb} unbalanced after matching"


def study_status(balance: pl.DataFrame, participants: int, matched: int) -> pl.DataFrame:
    """One row: `reliable`, or `not_reliable` with a reason naming what failed."""
    problems = []
    violations = balance_violations(balance)
    if participants == 0:
        problems.append("No participant episode to compare")
    elif matched == 0:
        problems.append("No participant episode found a match")
    elif violations.height:
        problems.append(_unbalanced(violations))
    if 0 < matched < MIN_MATCHED_SHARE * participants:
        # Not the share itself: with the matched pairs shown, it would give away the
        # participants, which leadership's publication may hide.
        problems.append(
            f"fewer than {MIN_MATCHED_SHARE:.0%} of participant episodes found a match"
        )
    reason = (
        "; ".join(problems) + "; the comparison is shown for information only."
        if problems else None
    )
    return pl.DataFrame(
        [{
            "status": NOT_RELIABLE if problems else RELIABLE,
            "reason": reason,
            "participants": participants,
            "matched_pairs": matched,
            "unbalanced_covariates": violations.height,
        }],
        schema=STUDY_STATUS_SCHEMA,
    )
