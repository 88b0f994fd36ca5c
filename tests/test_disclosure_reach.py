"""Leadership's reach table (marts.fct_reach_by_group) on hand-made removals: its groups add
up to the state, to their service area and across the areas, so a small group's count can
be worked out from its neighbours unless they are hidden too; the suppression hides enough,
and the attacker's audit, reading the same relations, catches a pattern that does not."""

from __future__ import annotations

from collections import Counter

import polars as pl

from orchestration.disclosure import definitions as d
from orchestration.disclosure.audit import attack
from orchestration.disclosure.publication import leadership_tables

FLAG = d.FLAG_SUFFIX
TABLE = d.REACH.name

# (service area, race/ethnicity) -> (removals, matched) of one SFY.
REMOVALS = {
    ("Des Moines", "white"): (120, 40), ("Des Moines", "black"): (60, 25),
    ("Western", "white"): (90, 30), ("Western", "black"): (30, 3),
}


def reach(removals: dict[tuple[str, str], tuple[int, int]], period: int = 2024) -> pl.DataFrame:
    """The mart's rows for these removals: the state, the service areas and race/ethnicity
    statewide, and race/ethnicity within each area (disparity ratios as the mart computes
    them; their intervals are stand-ins, only shown or hidden here)."""
    counts: Counter = Counter()
    for (area, race), (n, m) in removals.items():
        for key in (("statewide", "all", "all"), ("statewide", "service_area", area),
                    ("statewide", "race_ethnicity", race), (area, "race_ethnicity", race)):
            counts[(*key, "removals")] += n
            counts[(*key, "matched")] += m
    keys = sorted({key[:3] for key in counts})
    frame = pl.DataFrame(
        [{"period": period, "area": a, "grouping": g, "group": x,
          "removals": counts[(a, g, x, "removals")], "matched": counts[(a, g, x, "matched")]}
         for a, g, x in keys],
        schema_overrides={"removals": pl.Int32, "matched": pl.Int32},
    ).with_columns(share=pl.col("matched") / pl.col("removals"))
    state = frame.filter(pl.col("grouping") == "all")["share"][0]
    ratio = pl.col("share") / state
    return frame.with_columns(disparity_ratio=ratio, ci_low=ratio * 0.8, ci_high=ratio * 1.25)


def cell(frame: pl.DataFrame, area: str, grouping: str, group: str) -> dict:
    return frame.filter((pl.col("area") == area) & (pl.col("grouping") == grouping)
                        & (pl.col("group") == group)).row(0, named=True)


def test_a_small_group_is_hidden_with_enough_neighbours_and_the_audit_passes():
    """3 black children of Western reached: hidden, with its share and ratio; Western's
    white children, the statewide black children or another area's are hidden beside it,
    or Western's total less its white children would give the 3 away."""
    truth = {TABLE: reach(REMOVALS)}
    shown = leadership_tables(truth)[TABLE]
    small = cell(shown, "Western", "race_ethnicity", "black")
    assert small["matched"] is None and small["matched" + FLAG]
    assert small["share"] is None and small["disparity_ratio"] is None
    assert small["disparity_ratio" + FLAG] and small["ci_high" + FLAG]
    neighbours = [cell(shown, "Western", "race_ethnicity", "white"),
                  cell(shown, "statewide", "service_area", "Western")]
    assert any(n["matched" + FLAG] for n in neighbours)
    report = attack(leadership_tables(truth), truth)
    assert report.passed, report.summary()


def test_the_audit_works_out_a_group_from_its_area_and_its_neighbours():
    """Only the small cell hidden: Western's 33 reached less its 30 white children is 3."""
    truth = {TABLE: reach(REMOVALS)}
    small = (pl.col("area") == "Western") & (pl.col("group") == "black")
    hidden = ("matched", "share", "disparity_ratio", "ci_low", "ci_high")
    primary_only = truth[TABLE].with_columns(
        *(pl.when(small).then(None).otherwise(pl.col(column)).alias(column)
          for column in hidden),
        *(small.alias(column + FLAG) for column in hidden),
    )
    report = attack({TABLE: primary_only}, truth)
    assert not report.passed
    assert any("Western, race_ethnicity, black].matched" in f.cell for f in report.findings), \
        report.summary()


def test_ratios_are_hidden_while_the_statewide_share_is():
    """Eight children reached statewide: every group's count is small and hidden, and so is
    every ratio to that share; a publication showing one is caught."""
    few = {("Des Moines", "white"): (120, 5), ("Western", "white"): (90, 3)}
    truth = {TABLE: reach(few)}
    shown = leadership_tables(truth)[TABLE]
    assert shown["disparity_ratio"].is_null().all()
    assert shown["disparity_ratio" + FLAG].all()
    leaked = shown.with_columns(
        disparity_ratio=truth[TABLE]["disparity_ratio"],
        disparity_ratio__suppressed=pl.lit(False))
    report = attack({TABLE: leaked}, truth)
    assert any("statewide share is hidden" in f.reason for f in report.findings), \
        report.summary()


def flow(participants: int, matched: int) -> pl.DataFrame:
    """The outcome study's sample flow, its first two steps."""
    return pl.DataFrame(
        {"step_order": [1, 2], "step": ["participant episodes", "matched"],
         "outcome": [None, None], "episodes": [participants, matched]},
        schema_overrides={"step_order": pl.Int32, "outcome": pl.String, "episodes": pl.Int32},
    )


def test_the_studys_participants_are_the_reached_removals_of_every_period():
    """Every participant episode of the outcome study is a reached removal: the sample
    flow's first step is the statewide reached removals summed over the periods. With the
    other period and the flow both shown, a small period's count is their difference; the
    suppression hides one of them too, and the audit catches a pattern that does not."""
    few = {("Des Moines", "white"): (40, 2), ("Western", "white"): (35, 1)}  # 3 reached
    reached = sum(m for _, m in REMOVALS.values())
    truth = {TABLE: pl.concat([reach(few, 2023), reach(REMOVALS, 2024)]),
             d.SAMPLE_FLOW_TABLE.name: flow(3 + reached, 60)}
    shown = leadership_tables(truth)
    report = attack(shown, truth)
    assert report.passed, report.summary()
    small = shown[TABLE].filter((pl.col("period") == 2023) & (pl.col("grouping") == "all"))
    assert small["matched"].to_list() == [None]
    # Everything but the small cell shown: the flow less 2024's reached gives it away.
    other = (pl.col("period") == 2024) & (pl.col("grouping") == "all")
    revealed = {
        TABLE: shown[TABLE].with_columns(
            pl.when(other).then(pl.lit(reached, pl.Int32)).otherwise(pl.col("matched"))
            .alias("matched"),
            pl.when(other).then(False).otherwise(pl.col("matched" + FLAG))
            .alias("matched" + FLAG)),
        d.SAMPLE_FLOW_TABLE.name: truth[d.SAMPLE_FLOW_TABLE.name].with_columns(
            pl.lit(False).alias("episodes" + FLAG)),
    }
    cells = {f.cell for f in attack(revealed, truth).findings}
    assert "fct_reach_by_group[2023, statewide, all, all].matched" in cells


def test_a_groups_row_holds_at_least_one_removal_and_the_reader_knows_it():
    """A group's row is made from its removals, so a hidden count of one is at least 1: 13
    removals over four groups, all hidden, leave none of them more than 10. Counted from 0
    the four would look safe (each up to 13); the audit counts from 1 and the suppression
    hides more."""
    few = {("Western", race): (n, 0)
           for race, n in (("white", 4), ("black", 3), ("asian", 3), ("hispanic", 3))}
    truth = {TABLE: reach(few)}
    race = pl.col("grouping") == "race_ethnicity"
    hidden = ("removals", "share", "disparity_ratio", "ci_low", "ci_high")
    groups_only = truth[TABLE].with_columns(
        *(pl.when(race).then(None).otherwise(pl.col(column)).alias(column)
          for column in hidden),
        *(race.alias(column + FLAG) for column in hidden),
        pl.lit(False).alias("matched" + FLAG),
    )
    cells = {f.cell for f in attack({TABLE: groups_only}, truth).findings}
    assert "fct_reach_by_group[2024, Western, race_ethnicity, white].removals" in cells
    shown = leadership_tables(truth)[TABLE]
    assert shown.filter(~race)["removals"].null_count() > 0
    report = attack({TABLE: shown}, truth)
    assert report.passed, report.summary()
