"""The outcome study's status: what makes it not reliable, and the reason it gives."""

import polars as pl

from orchestration.outcomes.study_status import study_status


def balance(*rows):
    return pl.DataFrame(list(rows), schema={"covariate": pl.String, "smd_before": pl.Float64,
                                            "smd_after": pl.Float64}, orient="row")


BALANCED = balance(("child_sex=F", 0.3, 0.02), ("removal_year", 0.2, -0.05))


def test_a_balanced_well_matched_study_is_reliable():
    [row] = study_status(BALANCED, participants=100, matched=90).to_dicts()
    assert (row["status"], row["reason"]) == ("reliable", None)


def test_unbalanced_covariates_are_named_largest_first_without_their_smds():
    """Leadership reads the reason: an SMD, with the study's sizes, gives away a small
    group's count (orchestration/disclosure/definitions.py: WITHHELD_TABLES)."""
    unbalanced = balance(("child_sex=F", 0.3, 0.02), ("age_band=1-5", 0.2, 0.12),
                         ("removal_reason=neglect", 0.4, -0.14))
    [row] = study_status(unbalanced, participants=100, matched=90).to_dicts()
    assert row["status"] == "not_reliable"
    assert row["unbalanced_covariates"] == 2
    assert row["reason"] == (
        "Covariates removal_reason=neglect and age_band=1-5 remain unbalanced after matching; "
        "the comparison is shown for information only."
    )


def test_too_few_matches_make_the_study_not_reliable_without_naming_a_count():
    [row] = study_status(BALANCED, participants=9, matched=5).to_dicts()
    assert row["status"] == "not_reliable"
    assert row["reason"].startswith("fewer than 80% of participant episodes found a match;")
    assert "9" not in row["reason"] and "5 " not in row["reason"]


def test_a_study_without_participants_or_matches_says_so():
    empty = balance()
    assert study_status(empty, participants=0, matched=0)["reason"][0].startswith(
        "No participant episode to compare")
    assert study_status(empty, participants=40, matched=0)["reason"][0].startswith(
        "No participant episode found a match")
