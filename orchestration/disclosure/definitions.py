"""What leadership may read, and every relation between its figures that a reader can know.

This module is data, not reasoning: the tables of the leadership publication, which of
their columns are counts and rates, and how counts add up - within a row (forms received =
on time + late), across the geography (site -> service area -> statewide), through time (a
year-to-date figure is the sum of its months; an SFY's measure is its last year-to-date)
and across tables (a measure's month is the statewide activity count of that month).
Two independent readers interpret it: the suppression (`pattern`, `publication`) and the
attacker's audit (`audit`). A relation missing here is missing for both, so every
relation that follows from the metric definitions (dbt docs) belongs here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import polars as pl

# A count of 1..10 may be neither shown nor derivable: the attacker's largest feasible value
# for it must reach SAFE_FROM.
SMALL_MAX = 10
SAFE_FROM = SMALL_MAX + 1
# A hidden cell is null in the publication, and `<column>__suppressed` is true beside it.
FLAG_SUFFIX = "__suppressed"
# Rates are published to a tenth of a percentage point (3 decimals of a share).
SHARE_DIGITS = 3

STATEWIDE, SERVICE_AREA, SITE = "statewide", "service_area", "site"
# Families and Parent Partners without a known site are counted under 'unknown' at both the
# site and the service-area level (macros/activity_summary.sql, agg_exit_sfy.sql).
UNKNOWN = "unknown"


@dataclass(frozen=True)
class Rate:
    """A published rate or mean: numerator / denominator.

    numerator None: a mean over `denominator` cases (its sum is no count). share: rows (a
    polars expression, or True for all) where the numerator is a part of the denominator,
    so denominator - numerator is a count too (the complement). digits: decimals kept."""

    numerator: str | None
    denominator: str
    digits: int
    share: pl.Expr | bool = True


@dataclass(frozen=True)
class Table:
    """One table of the leadership publication.

    keys: a row's identity. counts: count columns (each a cell). derived: counts that are no
    column but that a rate reveals (name -> expression on the true table; null where none):
    shown exactly when that rate is. rates: rate column -> Rate. follows: a column shown
    only when all of the named rates are (a difference of two rates, its interval).
    identities: column = sum of columns, in every row. within: (part, whole) pairs with
    part <= whole in every row. geography: rows are statewide/service_area/site by
    `level` and `area_id`, and add up within `period` (the columns naming the period).
    running: a year-to-date table (see Running). flag: column -> the rate it is hidden
    with (a measure's met flag tells on which side of the target its value lies).
    at_least_one: groups of counts whose sum is 1 or more in every row, the row existing
    only for them (a group's row of the reach table is made from its removals; an area's
    month of activity from its families' or its Parent Partners' months): a reader knows
    hidden ones are not all 0."""

    name: str
    keys: tuple[str, ...]
    counts: tuple[str, ...] = ()
    derived: Mapping[str, pl.Expr] = field(default_factory=dict)
    rates: Mapping[str, Rate] = field(default_factory=dict)
    follows: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    identities: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    within: tuple[tuple[str, str], ...] = ()
    geography: bool = False
    period: tuple[str, ...] = ()
    running: Running | None = None
    flag: Mapping[str, str] = field(default_factory=dict)
    at_least_one: tuple[tuple[str, ...], ...] = ()

    @property
    def count_cells(self) -> tuple[str, ...]:
        return (*self.counts, *self.derived)

    @property
    def flagged(self) -> tuple[str, ...]:
        """Every column that can be hidden, each with its `__suppressed` flag."""
        return (*self.counts, *self.rates, *self.follows, *self.flag)


@dataclass(frozen=True)
class Running:
    """Counts that are running totals over `order` within `group`: each row is the sum of
    the months so far, so the difference of two consecutive rows is one month's count (a
    count in its own right, never published). The first row of a group is its first month."""

    order: str
    group: tuple[str, ...]


@dataclass(frozen=True)
class MonthLink:
    """A performance measure's month (the difference of two year-to-date rows) and the
    statewide activity row of that month: its numerator, denominator or complement is
    that activity count; `denominator_within`: its denominator is at most that count."""

    measure_id: str
    numerator: str | None = None
    denominator: str | None = None
    complement: str | None = None
    denominator_within: str | None = None


@dataclass(frozen=True)
class SfyLink:
    """A performance measure's SFY figures are the statewide row of another table for that
    SFY (`sfy_column` there)."""

    measure_id: str
    table: str
    sfy_column: str
    numerator: str
    denominator: str


@dataclass(frozen=True)
class Subgroups:
    """The outcome comparison within subgroups (fct_outcome_by_subgroup): the groups of a
    grouping are different children, each matched within its group, so for every outcome
    each count of the groups (children, those with the outcome, those without) sums to at
    most the same count of `whole`, the naive comparison (every observable participant and
    every observable pool episode); the rest is children too. `across`: a column computed
    over the groups of a grouping and outcome with estimates (the heterogeneity test),
    shown only when every one of their `across_follows` columns is."""

    table: str
    whole: str
    partition: tuple[str, ...]
    outcome: str
    across: str
    across_follows: str


@dataclass(frozen=True)
class SampleFlow:
    """The outcome study's sample flow (agg_outcome_sample_flow): every participant episode,
    those matched (a part of them), and per outcome the matched episodes split into
    observable and not yet observable. The naive comparison's participants of an outcome
    are its observable matched episodes and its observable unmatched ones; the matched
    comparison's are a part of the observable matched, one comparison episode each."""

    table: str
    step: str
    outcome: str
    count: str
    all_step: int
    matched_step: int
    observable_step: int
    not_yet_step: int
    naive: str
    matched: str


@dataclass(frozen=True)
class ReachFlow:
    """Every participant episode of the outcome study is a reached removal
    (int_episode_covariates takes int_removal_reach's rule), and every reached removal is
    one: the sample flow's first step (SampleFlow.all_step) is the reach table's statewide
    total row's `count` (Margins.statewide, Margins.total), summed over the periods."""

    reach: str
    count: str


@dataclass(frozen=True)
class Margins:
    """A table of groups that add up, within each `period`: statewide, every grouping's
    groups make up the state (the row whose grouping and group are `total`); within an
    area, a grouping's groups make up the area (the statewide row of `area_grouping` named
    after it); and a group's rows of every area make up its statewide row. A column of the
    table's `follows` divides by the period's statewide rate `reference` too, so it is shown
    only when that rate of the total row is."""

    table: str
    period: str
    area: str
    grouping: str
    group: str
    statewide: str
    total: str
    area_grouping: str
    reference: str


ACTIVITY = Table(
    name="agg_activity_month",
    keys=("level", "area_id", "service_month"),
    counts=(
        "active_families", "active_pps", "pp_months", "pps_over_caseload_limit",
        "initial_intensity_months", "initial_intensity_met", "monthly_time_months",
        "monthly_time_met", "forms_expected", "forms_received", "forms_on_time", "forms_late",
        "forms_missing",
    ),
    rates={
        "avg_caseload": Rate("active_families", "pp_months", digits=1, share=False),
        "share_meeting_initial_intensity": Rate(
            "initial_intensity_met", "initial_intensity_months", SHARE_DIGITS),
        "share_meeting_monthly_time": Rate("monthly_time_met", "monthly_time_months",
                                           SHARE_DIGITS),
        "share_forms_on_time": Rate("forms_on_time", "forms_expected", SHARE_DIGITS),
    },
    identities={
        "forms_expected": ("forms_on_time", "forms_late", "forms_missing"),
        "forms_received": ("forms_on_time", "forms_late"),
        # One row per Parent Partner and month (fct_pp_month): a month's PP-months are its PPs.
        "pp_months": ("active_pps",),
    },
    # int_match_month_activity: the contacts target is judged in full early months with a
    # form due, the monthly time in full months with a form due, forms in family-months.
    within=(
        ("initial_intensity_months", "monthly_time_months"),
        ("monthly_time_months", "forms_expected"),
        ("forms_expected", "active_families"),
        ("pps_over_caseload_limit", "active_pps"),
    ),
    geography=True,
    period=("service_month",),
    # macros/activity_summary.sql: an area's month is a row for a family-month or a PP-month.
    at_least_one=(("active_families", "active_pps"),),
)

EXITS = Table(
    name="agg_exit_sfy",
    keys=("level", "area_id", "exit_sfy"),
    counts=("exits", "reviews_due", "reviews_within_window", "reviews_scored",
            "parent_outcomes_present"),
    rates={
        "share_reviews_within_window": Rate("reviews_within_window", "reviews_due",
                                            SHARE_DIGITS),
        "mean_fidelity_score": Rate(None, "reviews_scored", digits=2),
        "mean_parent_outcome_score": Rate(None, "parent_outcomes_present", digits=2),
    },
    within=(
        ("reviews_due", "exits"),
        ("reviews_scored", "exits"),
        ("parent_outcomes_present", "exits"),
    ),
    geography=True,
    period=("exit_sfy",),
    # agg_exit_sfy.sql: an area's SFY is a row for its exits.
    at_least_one=(("exits",),),
)

MEASURES = Table(
    name="fct_performance_measure",
    keys=("sfy", "measure_id"),
    counts=("numerator", "denominator"),
    rates={"value": Rate("numerator", "denominator", SHARE_DIGITS)},
    flag={"met": "value"},
)

MEASURES_YTD = Table(
    name="fct_performance_measure_ytd",
    keys=("sfy", "measure_id", "service_month"),
    counts=("numerator", "denominator"),
    rates={"value": Rate("numerator", "denominator", SHARE_DIGITS)},
    running=Running(order="service_month", group=("sfy", "measure_id")),
    flag={"met": "value"},
)

_PROPORTION = pl.col("unit") == "proportion"


def _events(value: str, n: str) -> pl.Expr:
    """The children with the outcome, which a proportion and its group size give away."""
    return (pl.when(_PROPORTION & pl.col(value).is_not_null())
            .then((pl.col(value) * pl.col(n)).round())
            .cast(pl.Int64))


def _comparison(name: str, keys: tuple[str, ...] = ("outcome",),
                extra: tuple[str, ...] = ()) -> Table:
    # Every figure of a group's comparison gives away the group's value, so each follows
    # both groups' values (and they their group sizes).
    return Table(
        name=name,
        keys=keys,
        counts=("participant_n", "comparison_n"),
        derived={
            "participant_events": _events("participant_value", "participant_n"),
            "comparison_events": _events("comparison_value", "comparison_n"),
        },
        rates={
            "participant_value": Rate("participant_events", "participant_n", SHARE_DIGITS,
                                      share=_PROPORTION),
            "comparison_value": Rate("comparison_events", "comparison_n", SHARE_DIGITS,
                                     share=_PROPORTION),
        },
        follows={column: ("participant_value", "comparison_value")
                 for column in ("difference", "ci_low", "ci_high", "p_value", *extra)},
    )


OUTCOMES = _comparison("fct_outcome_comparison")
NAIVE_OUTCOMES = _comparison("fct_outcome_naive_comparison")
OUTCOMES_BY_SUBGROUP = _comparison("fct_outcome_by_subgroup",
                                   keys=("grouping", "group", "outcome"),
                                   extra=("heterogeneity_p_value",))

SAMPLE_FLOW_TABLE = Table(
    name="agg_outcome_sample_flow",
    keys=("step_order", "outcome"),
    counts=("episodes",),
)

CFSR = Table(
    name="fct_cfsr_indicator",
    keys=("indicator", "period_start"),
    counts=("numerator", "denominator"),
    # Maltreatment in care is per 100,000 days in care: its denominator counts days.
    rates={"value": Rate("numerator", "denominator", SHARE_DIGITS,
                                   share=pl.col("indicator") != "maltreatment_in_care")},
)

# fct_reach_by_group: a group's removals and those reached; the disparity ratio and its
# interval are its share over the statewide share.
REACH = Table(
    name="fct_reach_by_group",
    keys=("period", "area", "grouping", "group"),
    counts=("removals", "matched"),
    at_least_one=(("removals",),),
    rates={"share": Rate("matched", "removals", SHARE_DIGITS)},
    follows={column: ("share",) for column in ("disparity_ratio", "ci_low", "ci_high")},
)
REACH_MARGINS = Margins(
    table="fct_reach_by_group", period="period", area="area", grouping="grouping",
    group="group", statewide="statewide", total="all", area_grouping="service_area",
    reference="share",
)

FILES_BY_KIND = Table(
    name="dq_files_by_kind",
    keys=("kind", "status"),
    counts=("files", "rows_read", "rows_accepted", "rows_rejected"),
    identities={"rows_read": ("rows_accepted", "rows_rejected")},
)

TABLES: tuple[Table, ...] = (ACTIVITY, EXITS, MEASURES, MEASURES_YTD, OUTCOMES, NAIVE_OUTCOMES, OUTCOMES_BY_SUBGROUP,
                             SAMPLE_FLOW_TABLE, CFSR, REACH, FILES_BY_KIND)
BY_NAME = {table.name: table for table in TABLES}

# int_performance_measure_month_counts: PM02, PM03 and PM05 count the same family-months as
# the activity summary; PM04's Parent Partner months over the limit are the PPs over it.
MONTH_LINKS = (
    MonthLink("PM02", numerator="initial_intensity_met", denominator="initial_intensity_months"),
    MonthLink("PM03", numerator="monthly_time_met", denominator="monthly_time_months"),
    MonthLink("PM05", numerator="forms_on_time", denominator="forms_expected"),
    MonthLink("PM04", complement="pps_over_caseload_limit", denominator_within="pp_months"),
)
SFY_LINKS = (
    SfyLink("PM06", table="agg_exit_sfy", sfy_column="exit_sfy",
            numerator="reviews_within_window", denominator="reviews_due"),
)
MARGINS = (REACH_MARGINS,)
SUBGROUPS = Subgroups(
    table="fct_outcome_by_subgroup", whole="fct_outcome_naive_comparison",
    partition=("grouping", "outcome"), outcome="outcome", across="heterogeneity_p_value",
    across_follows="difference",
)
SAMPLE_FLOW = SampleFlow(
    table="agg_outcome_sample_flow", step="step_order", outcome="outcome", count="episodes",
    all_step=1, matched_step=2, observable_step=3, not_yet_step=4,
    naive="fct_outcome_naive_comparison", matched="fct_outcome_comparison",
)
REACH_FLOW = ReachFlow(reach="fct_reach_by_group", count="matched")



@dataclass(frozen=True)
class MetDependent:
    """Columns that follow from an SFY's measures' met flags, so they are hidden (with a
    flag) in every row (`rows`: a polars expression, or True for all) of an SFY where a
    measure's met flag is hidden."""

    table: str
    columns: tuple[str, ...]
    rows: pl.Expr | bool = True


# The contract's count of measures met and its retainage status (earned or on track exactly
# when every measure is met) would give away a hidden met flag, and so would what the
# retainage earned and a retainage invoice's check against that status (fct_invoice_check).
CONTRACT = "fct_contract_sfy"
MET_DEPENDENTS = (
    MetDependent(CONTRACT, ("measures_met", "retainage_status", "retainage_earned")),
    MetDependent("fct_invoice_check", ("issue",), pl.col("invoice_type") == "retainage"),
)
MET_DEPENDENT_BY_TABLE = {dependent.table: dependent for dependent in MET_DEPENDENTS}

# Reference tables the leadership pages read as they are: no count of anyone in them.
REFERENCE_TABLES = (
    "dim_month", "dim_site", "dim_column_label", "dim_program_parameter",
    "meta_metric_definitions", "meta_refresh",
)
# Tables leadership's publication never holds, though they hold no count as such. The
# covariate balance: a standardised mean difference of a yes/no covariate is a function of
# the two groups' counts with it, and the study's sizes (participants, matched pairs, the
# pool) are known or nearly: even to 2 decimals, the SMDs before and after matching of one
# covariate's levels, solved together, gave a group of 3 participants, one of 1 and one of
# 4 exactly. No rounding protects that; staff read the balance.
WITHHELD_TABLES = ("fct_matching_balance",)


def flagged_columns(table: str) -> tuple[str, ...]:
    """The columns of a leadership table that can be hidden, each with its flag."""
    if table in MET_DEPENDENT_BY_TABLE:
        return MET_DEPENDENT_BY_TABLE[table].columns
    return BY_NAME[table].flagged if table in BY_NAME else ()


def with_flags(table: str, columns: str) -> str:
    """The select list `columns` (names, `name as alias`) of leadership's `table` with the
    flag of each column that can be hidden, named after the column as selected. Built from
    these definitions' names only: the dashboards format it into their SQL."""
    flags = []
    for item in columns.split(","):
        name, _, alias = (part.strip() for part in item.partition(" as "))
        if name in flagged_columns(table):
            flags.append(f"{name}{FLAG_SUFFIX} as {alias or name}{FLAG_SUFFIX}")
    return ", ".join([columns, *flags])
