"""Leadership's subgroup effects: a small group cannot be worked out from the overall
figures, and the heterogeneity test is withheld with any estimate it was computed from."""

from __future__ import annotations

import polars as pl

from orchestration.disclosure import definitions as d
from orchestration.disclosure.audit import attack
from orchestration.disclosure.publication import leadership_tables

FLAG = d.FLAG_SUFFIX
FLAGGED = d.OUTCOMES_BY_SUBGROUP.flagged


def _row(n1: int, e1: int, n0: int, e0: int, **keys) -> dict:
    v1, v0 = e1 / n1, e0 / n0
    return {**keys, "participant_n": n1, "participant_value": v1, "comparison_n": n0,
            "comparison_value": v0, "difference": v1 - v0, "ci_low": v1 - v0 - 0.1,
            "ci_high": v1 - v0 + 0.1, "p_value": 0.5, "unit": "proportion"}


def _truth() -> dict[str, pl.DataFrame]:
    """146 observable participants, every one matched within its age band: 60 + 80 + 6."""
    naive = pl.DataFrame([_row(146, 87, 400, 200, outcome="reunified")])
    by_group = pl.DataFrame([
        _row(n, e, n, c, grouping="age_band", group=g, outcome="reunified")
        for g, n, e, c in (("1-5", 60, 40, 30), ("6-12", 80, 44, 40), ("13-17", 6, 3, 3))
    ]).with_columns(heterogeneity_p_value=pl.lit(0.2))
    return {"fct_outcome_naive_comparison": naive, "fct_outcome_by_subgroup": by_group}


def _shown_as_is(frame: pl.DataFrame, table: d.Table, hide: pl.Expr) -> pl.DataFrame:
    """Every flagged column shown, except in the rows `hide` selects."""
    return frame.with_columns(
        *(pl.when(hide).then(None).otherwise(pl.col(c)).alias(c) for c in table.flagged),
        *(hide.alias(c + FLAG) for c in table.flagged))


def test_a_small_group_is_protected_against_the_overall_figures():
    truth = _truth()
    shown = leadership_tables(truth)
    groups = shown["fct_outcome_by_subgroup"]
    small = groups.filter(pl.col("group") == "13-17").row(0, named=True)
    assert small["participant_n"] is None and small["participant_n" + FLAG]
    assert small["difference"] is None
    # 146 = 60 + 80 + 6: one more count is hidden so the 6 can be 11 or more.
    assert groups["participant_n"].null_count() + shown[
        "fct_outcome_naive_comparison"]["participant_n"].null_count() >= 2
    # The test across the groups used the hidden group's estimate: withheld on every row.
    assert groups["heterogeneity_p_value"].is_null().all()
    assert groups["heterogeneity_p_value" + FLAG].all()
    report = attack(shown, truth)
    assert report.passed, report.summary()


def test_the_audit_works_out_a_small_group_from_the_overall_count():
    truth = _truth()
    published = {
        "fct_outcome_naive_comparison": _shown_as_is(
            truth["fct_outcome_naive_comparison"], d.NAIVE_OUTCOMES, pl.lit(False)),
        "fct_outcome_by_subgroup": _shown_as_is(
            truth["fct_outcome_by_subgroup"], d.OUTCOMES_BY_SUBGROUP,
            pl.col("group") == "13-17").with_columns(
                pl.lit(None, dtype=pl.Float64).alias("heterogeneity_p_value"),
                pl.lit(True).alias("heterogeneity_p_value" + FLAG)),
    }
    report = attack(published, truth)
    found = {f.cell: f for f in report.findings}
    cell = "fct_outcome_by_subgroup[age_band, 13-17, reunified].participant_n"
    assert cell in found and found[cell].high == 6


def test_the_audit_refuses_the_heterogeneity_test_beside_a_hidden_group():
    truth = _truth()
    shown = leadership_tables(truth)
    leaked = shown["fct_outcome_by_subgroup"].with_columns(
        heterogeneity_p_value=pl.lit(0.2), **{"heterogeneity_p_value" + FLAG: pl.lit(False)})
    report = attack({**shown, "fct_outcome_by_subgroup": leaked}, truth)
    assert any("heterogeneity_p_value" in f.cell and "hidden" in f.reason
               for f in report.findings), report.summary()
