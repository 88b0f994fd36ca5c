"""The only module that runs SQL for the pages: every frame a page shows comes from here.

Every function takes the signed-in Viewer. Access is enforced here, not by hiding widgets:
- a site coordinator's site is bound from `viewer.site_id`; a filter or URL value can only
  narrow it, so another site's id yields an empty frame;
- leadership reads the leadership publication only (`_query`): aggregate tables suppressed
  once at publish (orchestration/disclosure), a hidden cell null with its
  `<column>__suppressed` flag beside it. A filter only selects rows of those tables, so a
  filtered view never shows a cell the whole table hides; record-level functions refuse
  leadership;
- every filter value reaches DuckDB as a bound parameter, never as SQL text.
No metric is computed here: the marts hold them; this module selects, scopes and joins.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from dashboards.filters import Filters
from dashboards.published import query, query_staff
from dashboards.viewer import SITE_COORDINATOR, STATE_COORDINATOR, Viewer
from orchestration.disclosure.definitions import with_flags

# Program parameters the pages draw as targets; their values live in marts.dim_program_parameter.
CASELOAD_LIMIT = "caseload_limit"
FIDELITY_REVIEW_WINDOW = "fidelity_review_window_days"
INITIAL_INTENSITY_CONTACTS = "initial_intensity_contacts"
MONTHLY_MINUTES = "monthly_minutes"

ACTIVITY_COLUMNS = (
    "level, area_id, service_month, sfy, active_families, active_pps, pp_months, avg_caseload, "
    "pps_over_caseload_limit, initial_intensity_months, initial_intensity_met, "
    "share_meeting_initial_intensity, monthly_time_months, monthly_time_met, "
    "share_meeting_monthly_time, forms_expected, forms_received, forms_on_time, forms_late, "
    "forms_missing, share_forms_on_time"
)


class RecordLevelRefused(PermissionError):
    """A record-level frame was asked for by a role that sees aggregates only."""


# The file lists run to tens of thousands of rows at scale: a page shows this many, and
# the download holds the whole selection.
PAGE_ROWS = 100
_PAGE_LIMIT = "limit $page_rows offset $skipped"


@dataclass(frozen=True)
class _Listing:
    """A record-level listing's SQL: all of it, and one page of it (`_PAGE_LIMIT`)."""

    whole: str
    one_page: str


def _params(viewer: Viewer, filters: Filters) -> dict:
    """The bound parameters every scoped query shares; `scope_site` comes from the viewer only."""
    return {
        "scope_site": viewer.site_id if viewer.role == SITE_COORDINATOR else None,
        "site": filters.site_id,
        "area": filters.service_area,
        "sfy": filters.sfy,
        "month_from": filters.month_from,
        "month_to": filters.month_to,
    }


def _site_scope(column: str = "site_id") -> str:
    """Rows of the viewer's site (if bound to one), narrowed by the site and area filters."""
    return (
        f"(cast($scope_site as varchar) is null or {column} = cast($scope_site as varchar))"
        f" and (cast($site as varchar) is null or {column} = cast($site as varchar))"
        f" and (cast($area as varchar) is null or {column} in "
        "(select site_id from marts.dim_site where service_area = cast($area as varchar)))"
    )


# Summary rows: a site coordinator sees her site's rows only; the statewide and service-area
# rows appear only while no narrower filter asks for a part of them.
_AREA_SCOPE = f"""(
    case level
        when 'statewide' then cast($scope_site as varchar) is null
            and cast($site as varchar) is null and cast($area as varchar) is null
        when 'service_area' then cast($scope_site as varchar) is null
            and cast($site as varchar) is null
            and (cast($area as varchar) is null or area_id = cast($area as varchar))
        else {_site_scope("area_id")}
    end
)"""
_MONTHS = (
    "(cast($month_from as date) is null or service_month >= cast($month_from as date))"
    " and (cast($month_to as date) is null or service_month <= cast($month_to as date))"
)
_SFY = "(cast($sfy as integer) is null or sfy = cast($sfy as integer))"


def _query(viewer: Viewer, sql: str, params: dict | None = None) -> pl.DataFrame:
    """The one place that picks the file: leadership reads the leadership publication."""
    return query(sql, params, leadership=viewer.suppressed)


def _run(viewer: Viewer, sql: str, params: dict) -> pl.DataFrame:
    used = {name: value for name, value in params.items() if f"${name}" in sql}
    return _query(viewer, sql, used or None)


def _shown(viewer: Viewer, table: str, columns: str) -> str:
    """The select list `columns` of `table`, and for leadership the `__suppressed` flag of
    each column the leadership publication can hide."""
    return with_flags(table, columns) if viewer.suppressed else columns


def _refuse_aggregate_only(viewer: Viewer) -> None:
    if not viewer.sees_records:
        raise RecordLevelRefused(f"{viewer.role} sees aggregate tables only")


def table_exists(viewer: Viewer, name: str) -> bool:
    return not _query(
        viewer,
        "select 1 from information_schema.tables where table_schema = 'marts' "
        "and table_name = $name",
        {"name": name},
    ).is_empty()


# --- reference: what the filters offer and what the page header says ------------------------


def refresh(viewer: Viewer) -> dict:
    """The published data's as-of date, last successful refresh, run and code version (the
    code columns are missing from a file published before they were: read as None)."""
    return _query(viewer, "select * from marts.meta_refresh").row(0, named=True)


def column_labels(viewer: Viewer) -> pl.DataFrame:
    """Each published column's header and number format (empty until published)."""
    if not table_exists(viewer, "dim_column_label"):
        return pl.DataFrame(schema={"column_name": pl.String, "label": pl.String,
                                    "format": pl.String})
    return _query(viewer, "select column_name, label, format from marts.dim_column_label")


def months(viewer: Viewer) -> pl.DataFrame:
    """Service months with their SFY and whether their forms are due yet."""
    return _query(
        viewer,
        "select service_month, sfy, is_form_expected from marts.dim_month order by service_month",
    )


def sites(viewer: Viewer) -> pl.DataFrame:
    """The sites a viewer may choose: a site coordinator's own only."""
    return _run(
        viewer,
        f"select site_id, site_name, service_area from marts.dim_site "
        f"where {_site_scope()} order by site_id",
        _params(viewer, Filters()),
    )


def program_parameters(viewer: Viewer) -> dict[str, float]:
    """Targets and limits (caseload limit, contacts, minutes) as published; none until they are."""
    if not table_exists(viewer, "dim_program_parameter"):
        return {}
    frame = _query(viewer, "select parameter, value from marts.dim_program_parameter")
    return dict(frame.iter_rows())


def measure_targets(viewer: Viewer, filters: Filters) -> pl.DataFrame:
    """Each performance measure's target per SFY, for target lines on charts."""
    return _run(
        viewer,
        f"select sfy, measure_id, measure_name, target, comparator "
        f"from marts.fct_performance_measure where {_SFY} order by sfy, measure_id",
        _params(viewer, filters),
    )


def metric_definitions(viewer: Viewer) -> pl.DataFrame:
    """Model and column descriptions and `meta` from the dbt docs, published with the data."""
    if not table_exists(viewer, "meta_metric_definitions"):
        return pl.DataFrame(
            schema={"model": pl.String, "column_name": pl.String, "description": pl.String,
                    "meta": pl.String}
        )
    return _query(
        viewer,
        "select model, column_name, description, meta from marts.meta_metric_definitions "
        "order by model, column_name nulls first",
    )


# --- activity summaries (overview, fidelity) --------------------------------------------------


def activity_by_level(viewer: Viewer, filters: Filters, level: str) -> pl.DataFrame:
    """Monthly summary rows of one level ('service_area' or 'site') with the statewide total
    rows beside them, for the months in range."""
    return _run(
        viewer,
        f"select {_shown(viewer, 'agg_activity_month', ACTIVITY_COLUMNS)} "
        f"from marts.agg_activity_month "
        f"where level in ('statewide', $level) and {_AREA_SCOPE} and {_MONTHS} and {_SFY} "
        "order by service_month, level desc, area_id",
        {**_params(viewer, filters), "level": level},
    )


def activity_trend(viewer: Viewer, filters: Filters) -> pl.DataFrame:
    """One summary row per month for the narrowest area in scope (site, service area or state)."""
    return _run(
        viewer,
        f"""
        with scoped as (
            select {_shown(viewer, 'agg_activity_month', ACTIVITY_COLUMNS)}
            from marts.agg_activity_month
            where {_AREA_SCOPE} and {_MONTHS}
        )
        select * from scoped
        where level = (
            select case
                when bool_or(level = 'statewide') then 'statewide'
                when bool_or(level = 'service_area') then 'service_area'
                else 'site' end
            from scoped
        )
        order by service_month, area_id
        """,
        _params(viewer, filters),
    )


# --- site: record-level tables --------------------------------------------------------------


def parent_partners(viewer: Viewer, filters: Filters) -> pl.DataFrame:
    """Each Parent Partner of the sites in scope in the last month of the range: caseload,
    minutes, forms, training and eligibility."""
    _refuse_aggregate_only(viewer)
    return _run(
        viewer,
        f"""
        select pp.pp_id, pp.site_id, pp.role, m.service_month, m.active_families,
               m.within_caseload_limit, m.family_minutes, m.pp_level_minutes,
               m.forms_expected, m.forms_on_time,
               t.core_topics_completed, t.core_topics_required, t.all_core_complete,
               pp.is_eligible, pp.eligibility_reason
        from marts.dim_parent_partner as pp
        left join marts.fct_pp_month as m
            on m.pp_id = pp.pp_id and m.service_month = cast($month_to as date)
        left join marts.fct_pp_training as t on t.pp_id = pp.pp_id
        where {_site_scope("pp.site_id")} and (pp.is_active or m.pp_id is not null)
        order by pp.site_id, pp.pp_id
        """,
        _params(viewer, filters),
    )


def family_months(viewer: Viewer, filters: Filters) -> pl.DataFrame:
    """Each family's months in range: contacts, minutes and the form's state."""
    _refuse_aggregate_only(viewer)
    return _run(
        viewer,
        f"""
        select family_id, pp_id, site_id, service_month, match_month_index, is_full_month,
               face_to_face_contacts, face_to_face_minutes, total_contacts, total_minutes,
               form_expected, form_received, form_on_time,
               meets_initial_intensity, meets_monthly_time
        from marts.fct_family_month
        where {_site_scope()} and {_MONTHS} and {_SFY}
        order by site_id, family_id, service_month
        """,
        _params(viewer, filters),
    )


def exits(viewer: Viewer, filters: Filters) -> pl.DataFrame:
    """Each match that exited in range, with its fidelity checklist and parent-outcome scores."""
    _refuse_aggregate_only(viewer)
    return _run(
        viewer,
        f"""
        select match_id, family_id, pp_id, site_id, match_date, exit_date, exit_reason,
               months_matched, fidelity_review_due, fidelity_checklist_within_window,
               fidelity_score, parent_outcome_present, parent_outcome_mean_score
        from marts.fct_exit
        where {_site_scope()}
          and (cast($month_from as date) is null or exit_date >= cast($month_from as date))
          and (cast($month_to as date) is null
               or exit_date <= last_day(cast($month_to as date)))
          and (cast($sfy as integer) is null or exit_sfy = cast($sfy as integer))
        order by exit_date, match_id
        """,
        _params(viewer, filters),
    )


_MISSING_FORMS = f"""
    select pp_id, site_id, service_month, family_id, match_id
    from marts.fct_family_month
    where form_expected and not form_received and {_site_scope()} and {_MONTHS} and {_SFY}
"""
_COUNT_MISSING_FORMS = f"select count(*) as n from ({_MISSING_FORMS})"
_LISTED_MISSING_FORMS = _Listing(
    f"{_MISSING_FORMS} order by pp_id, service_month, family_id, match_id",
    f"{_MISSING_FORMS} order by pp_id, service_month, family_id, match_id {_PAGE_LIMIT}")


def missing_forms(viewer: Viewer, filters: Filters, page: int | None = None) -> pl.DataFrame:
    """The fix-it list: forms due but never received, by Parent Partner and month; one page
    of PAGE_ROWS (the data-quality page), or without `page` all of them."""
    return _listed(viewer, filters, page, _LISTED_MISSING_FORMS)


def count_missing_forms(viewer: Viewer, filters: Filters) -> int:
    """How many rows `missing_forms` holds in all."""
    _refuse_aggregate_only(viewer)
    return _count(viewer, _COUNT_MISSING_FORMS, filters)


def overdue_forms(viewer: Viewer, filters: Filters) -> pl.DataFrame:
    """The last closed month's forms still overdue, by site and Parent Partner, with how
    many days overdue (marts.fct_overdue_form: one month, whatever months are chosen)."""
    _refuse_aggregate_only(viewer)
    return _run(
        viewer,
        f"""
        select site_id, pp_id, family_id, match_id, service_month, form_due_date, days_overdue
        from marts.fct_overdue_form
        where {_site_scope()}
        order by site_id, pp_id, family_id
        """,
        _params(viewer, filters),
    )


def site_scorecard(viewer: Viewer, filters: Filters) -> pl.DataFrame:
    """The chosen site's scorecard for the last month chosen: each measure beside the
    statewide value and the target, with the change since the same month a year before
    (marts.fct_site_scorecard)."""
    _refuse_aggregate_only(viewer)
    return _run(
        viewer,
        f"""
        select site_id, service_month, scorecard_measure, site_value, statewide_value, target,
               comparator, met, year_before_value, change_since_year_before
        from marts.fct_site_scorecard
        where {_site_scope()} and cast($site as varchar) is not null
          and service_month = cast($month_to as date)
        order by measure_order
        """,
        _params(viewer, filters),
    )


def pp_caseloads(viewer: Viewer, filters: Filters) -> pl.DataFrame:
    """Each Parent Partner's active families per month in range (the caseload distribution)."""
    _refuse_aggregate_only(viewer)
    return _run(
        viewer,
        f"""
        select pp_id, site_id, service_month, active_families, within_caseload_limit
        from marts.fct_pp_month
        where {_site_scope()} and {_MONTHS} and {_SFY}
        order by service_month, site_id, pp_id
        """,
        _params(viewer, filters),
    )


def training(viewer: Viewer, filters: Filters) -> pl.DataFrame:
    """Each Parent Partner's core training against the requirement."""
    _refuse_aggregate_only(viewer)
    return _run(
        viewer,
        f"""
        select t.pp_id, t.site_id, t.role, t.is_active, t.core_topics_completed,
               t.core_topics_required, t.all_core_complete, t.core_completed_on,
               t.first_match_date, t.core_complete_before_first_match, e.is_eligible
        from marts.fct_pp_training as t
        left join marts.dim_parent_partner as e on e.pp_id = t.pp_id
        where {_site_scope("t.site_id")}
        order by t.site_id, t.pp_id
        """,
        _params(viewer, filters),
    )


def training_topics(viewer: Viewer, filters: Filters) -> pl.DataFrame:
    """Each Parent Partner's core topics with the date each was completed (null: not yet)."""
    _refuse_aggregate_only(viewer)
    return _run(
        viewer,
        f"""
        select pp_id, site_id, topic_code, topic_label, completed_on
        from marts.fct_pp_training_topic
        where {_site_scope()}
        order by site_id, pp_id, topic_code
        """,
        _params(viewer, filters),
    )


STAFF_NAMES_SCHEMA = {"pp_id": pl.String, "site_id": pl.String, "display_name": pl.String}


def staff_names(viewer: Viewer, filters: Filters) -> pl.DataFrame:
    """Each Parent Partner's name by id (pp_id, site_id, display_name), from the staff
    directory, never the published marts: the sites in scope by the roster. No directory
    published yet: no rows, and the pages show the ids alone."""
    _refuse_aggregate_only(viewer)
    params = _params(viewer, filters)
    names = query_staff(
        """
        select pp_id, site_id, display_name
        from staff.parent_partner
        where (cast($scope_site as varchar) is null or site_id = cast($scope_site as varchar))
          and (cast($site as varchar) is null or site_id = cast($site as varchar))
        order by site_id, pp_id
        """,
        {"scope_site": params["scope_site"], "site": params["site"]},
    )
    return pl.DataFrame(schema=STAFF_NAMES_SCHEMA) if names is None else names


def exits_by_area(viewer: Viewer, filters: Filters, level: str) -> pl.DataFrame:
    """Exit fidelity reviews and parent-outcome scores per SFY, by service area or site."""
    columns = _shown(
        viewer, "agg_exit_sfy",
        "level, area_id, exit_sfy, exits, reviews_due, reviews_within_window, "
        "share_reviews_within_window, reviews_scored, mean_fidelity_score, "
        "parent_outcomes_present, mean_parent_outcome_score")
    return _run(
        viewer,
        f"""
        select {columns}
        from marts.agg_exit_sfy
        where level in ('statewide', $level) and {_AREA_SCOPE}
          and (cast($sfy as integer) is null or exit_sfy = cast($sfy as integer))
        order by exit_sfy, level desc, area_id
        """,
        {**_params(viewer, filters), "level": level},
    )


# --- contract ---------------------------------------------------------------------------------


def contract_position(viewer: Viewer, filters: Filters) -> pl.DataFrame:
    """The contract position of the SFY: installments, retainage and its status."""
    columns = _shown(
        viewer, "fct_contract_sfy",
        "contract_id, sfy, annual_value, retainage_pct, installment_amount, "
        "installments_invoiced, installments_paid, retainage_amount, measures_applicable, "
        "measures_met, retainage_status, retainage_earned, retainage_invoiced, retainage_paid")
    return _run(
        viewer,
        f"""
        select {columns}
        from marts.fct_contract_sfy where {_SFY} order by sfy, contract_id
        """,
        _params(viewer, filters),
    )


def performance_measures(viewer: Viewer, filters: Filters) -> pl.DataFrame:
    """Each measure's numerator, denominator and value against its target, per SFY."""
    columns = _shown(viewer, "fct_performance_measure",
                     "sfy, measure_id, measure_name, numerator, denominator, value, target, "
                     "comparator, met, is_final")
    return _run(
        viewer,
        f"""
        select {columns}
        from marts.fct_performance_measure where {_SFY} order by sfy, measure_id
        """,
        _params(viewer, filters),
    )


# Leadership's trajectory shows the values only (the SFY's counts are in the measures
# table); its counts are hidden in the publication wherever two consecutive months would
# give away a month's few cases, and its values with them.
_TRAJECTORY_COUNTS = "numerator, denominator"


def measure_trajectory(viewer: Viewer, filters: Filters) -> pl.DataFrame:
    """Each performance measure's year-to-date value month by month in the SFY, with its
    target (fct_performance_measure_ytd)."""
    if not table_exists(viewer, "fct_performance_measure_ytd"):
        return pl.DataFrame(schema={"sfy": pl.Int32, "service_month": pl.Date,
                                    "measure_id": pl.String, "measure_name": pl.String,
                                    "value": pl.Float64, "target": pl.Float64})
    counts = "" if viewer.suppressed else f"{_TRAJECTORY_COUNTS}, "
    columns = _shown(viewer, "fct_performance_measure_ytd",
                     f"sfy, service_month, measure_id, measure_name, {counts}value, target, "
                     "comparator, met")
    return _run(
        viewer,
        f"""
        select {columns}
        from marts.fct_performance_measure_ytd where {_SFY}
        order by sfy, measure_id, service_month
        """,
        _params(viewer, filters),
    )


def invoice_checks(viewer: Viewer, filters: Filters) -> pl.DataFrame:
    """Every invoice of the SFY with where it disagrees with the schedule or the measures."""
    columns = _shown(viewer, "fct_invoice_check",
                     "invoice_id, contract_id, sfy, invoice_type, service_month, amount, "
                     "expected_amount, submitted_on, paid_on, issue")
    return _run(
        viewer,
        f"""
        select {columns}
        from marts.fct_invoice_check where {_SFY} order by service_month, invoice_id
        """,
        _params(viewer, filters),
    )


# --- outcomes ---------------------------------------------------------------------------------

_COMPARISON_COLUMNS = (
    "outcome, participant_n, participant_value, comparison_n, comparison_value, difference, "
    "ci_low, ci_high, p_value, unit"
)


def outcome_comparison(viewer: Viewer) -> pl.DataFrame:
    """Matched participants against matched non-participants, per outcome."""
    columns = _shown(viewer, "fct_outcome_comparison", _COMPARISON_COLUMNS)
    return _query(viewer, f"select {columns} from marts.fct_outcome_comparison")


def naive_comparison(viewer: Viewer) -> pl.DataFrame:
    """All participants against the whole comparison pool, before matching."""
    columns = _shown(viewer, "fct_outcome_naive_comparison", _COMPARISON_COLUMNS)
    return _query(viewer, f"select {columns} from marts.fct_outcome_naive_comparison")


_SUBGROUP_COLUMNS = f'grouping, "group", {_COMPARISON_COLUMNS}, heterogeneity_p_value'


def outcome_by_subgroup(viewer: Viewer) -> pl.DataFrame:
    """The matched comparison within each group of each grouping, per outcome."""
    if not table_exists(viewer, "fct_outcome_by_subgroup"):
        return pl.DataFrame()
    columns = _shown(viewer, "fct_outcome_by_subgroup", _SUBGROUP_COLUMNS)
    return _query(viewer, f'select {columns} from marts.fct_outcome_by_subgroup '
                          'order by outcome, grouping, "group"')


def time_to_reunification(viewer: Viewer) -> pl.DataFrame | None:
    """Kaplan-Meier curves by arm and origin; None for leadership, whose publication holds
    no curves: each step of a curve and each number at risk is a count of children, and
    small ones cannot be hidden without breaking the curve."""
    if viewer.suppressed:
        return None
    if not table_exists(viewer, "fct_time_to_reunification"):
        return pl.DataFrame()
    return _query(viewer, "select arm, origin, day, survival, ci_low, ci_high, at_risk "
                          "from marts.fct_time_to_reunification order by origin, arm, day")


def outcome_study_status(viewer: Viewer) -> dict | None:
    """The study's status and reason; None in a file published before it was judged."""
    if not table_exists(viewer, "fct_outcome_study_status"):
        return None
    return _query(viewer, "select status, reason from marts.fct_outcome_study_status").row(
        0, named=True)


def matching_balance(viewer: Viewer) -> pl.DataFrame | None:
    """Standardised mean differences of each covariate before and after matching; None for
    leadership, whose publication holds no balance (orchestration/disclosure/definitions.py:
    WITHHELD_TABLES)."""
    if not table_exists(viewer, "fct_matching_balance"):
        return None
    return _query(viewer,
                  "select covariate, smd_before, smd_after from marts.fct_matching_balance")


def sample_flow(viewer: Viewer) -> pl.DataFrame:
    """Participant episodes -> matched -> observable (and not yet) per outcome."""
    columns = _shown(viewer, "agg_outcome_sample_flow", "step_order, step, outcome, episodes")
    return _query(
        viewer,
        f"select {columns} from marts.agg_outcome_sample_flow "
        "order by step_order, outcome nulls first",
    )


def cfsr_indicators(viewer: Viewer, filters: Filters) -> pl.DataFrame:
    """The CFSR statewide indicators per federal fiscal year (observed performance)."""
    columns = _shown(viewer, "fct_cfsr_indicator",
                     "indicator, period_start, period_end, numerator, denominator, "
                     "value as indicator_value")
    return _query(
        viewer,
        f"select {columns} from marts.fct_cfsr_indicator order by indicator, period_start",
    )


# --- reach ------------------------------------------------------------------------------------

# Leadership's publication holds no cohort table: a cohort's measures count the same
# children (and its re-entries count its reunified ones), relations between rows that the
# disclosure definitions do not state, so no suppression of it could be audited.
COHORTS_WITHHELD = (
    "Entry cohorts are not in leadership's publication: a cohort's figures count the same "
    "children in several rows, and their small counts could not be shown protected."
)
_REACH_COLUMNS = 'period, "group", removals, matched, share, disparity_ratio, ci_low, ci_high'


def _refuse_unless_statewide_reader(viewer: Viewer) -> None:
    """Reach is statewide: a site coordinator reads her own site's figures only."""
    if viewer.role == SITE_COORDINATOR:
        raise RecordLevelRefused(f"{viewer.role} does not see statewide reach")


def reach_choices(viewer: Viewer) -> pl.DataFrame:
    """The (area, grouping) pairs of marts.fct_reach_by_group, statewide first."""
    _refuse_unless_statewide_reader(viewer)
    return _query(
        viewer,
        "select distinct area, grouping from marts.fct_reach_by_group where grouping <> 'all' "
        "order by area <> 'statewide', area, grouping",
    )


def reach_by_group(viewer: Viewer, area: str, grouping: str) -> pl.DataFrame:
    """Removals, the share matched and the disparity ratio of each group of `grouping`
    within `area` (statewide or a service area), every period; the statewide row first.
    Leadership's rows come suppressed, with their flags."""
    _refuse_unless_statewide_reader(viewer)
    columns = _shown(viewer, "fct_reach_by_group", _REACH_COLUMNS)
    return _query(
        viewer,
        f"select {columns} from marts.fct_reach_by_group "
        "where (area = $area and grouping = $grouping) "
        "or (area = 'statewide' and grouping = 'all') "
        "order by period desc, grouping <> 'all', group_order",
        {"area": area, "grouping": grouping},
    )


def match_cohorts(viewer: Viewer) -> pl.DataFrame:
    """The entry cohorts by SFY of the match: each measure's cases, children and share,
    or `not yet observable`. The state coordinator's only (COHORTS_WITHHELD)."""
    if viewer.role != STATE_COORDINATOR:
        raise RecordLevelRefused(f"{viewer.role} does not see the entry cohorts")
    return _query(
        viewer,
        "select match_sfy, measure, denominator, numerator, share, status, follow_up_ends "
        "from marts.agg_match_cohort order by match_sfy desc, measure_order",
    )


# --- data quality -----------------------------------------------------------------------------

def _scoped_files(table: str = "marts.dq_ingested_files") -> str:
    """The files of `table` the viewer may see: a file's site (its `site_id`, read from its
    name in dbt) in scope; the statewide extracts only while no site or area is asked for."""
    return f"""
        select * from {table}
        where (cast($scope_site as varchar) is null
               and cast($site as varchar) is null and cast($area as varchar) is null)
           or (site_id is not null and {_site_scope()})
    """


def _selected_files() -> str:
    """The viewer's files (`_scoped_files`) of the months chosen; a file no month owns is in
    every choice of months."""
    return f"select * from ({_scoped_files()}) where service_month is null or ({_MONTHS})"


def _listed(viewer: Viewer, filters: Filters, page: int | None,
            listing: _Listing) -> pl.DataFrame:
    """A record-level listing of the data-quality page: page `page` (from 1) of PAGE_ROWS
    rows, or without `page` all of them."""
    _refuse_aggregate_only(viewer)
    if page is None:
        return _run(viewer, listing.whole, _params(viewer, filters))
    return _run(viewer, listing.one_page, {
        **_params(viewer, filters),
        "page_rows": PAGE_ROWS, "skipped": (max(page, 1) - 1) * PAGE_ROWS})


def _count(viewer: Viewer, counting: str, filters: Filters) -> int:
    return _run(viewer, counting, _params(viewer, filters))["n"][0]


def files_by_kind(viewer: Viewer, filters: Filters) -> pl.DataFrame:
    """Landing files ingested, by kind and status, with their rows read, accepted, rejected.
    Leadership's are statewide only (the publication's dq_files_by_kind): a site or area
    filter selects none of them."""
    if viewer.suppressed:
        columns = _shown(viewer, "dq_files_by_kind",
                         "kind, status, files, rows_read, rows_accepted, rows_rejected, "
                         "last_ingested_at")
        return _run(
            viewer,
            f"select {columns} from marts.dq_files_by_kind "
            "where cast($site as varchar) is null and cast($area as varchar) is null "
            "order by kind, status",
            _params(viewer, filters),
        )
    return _run(
        viewer,
        f"""
        select kind, status, count(*) as files, sum(rows_read) as rows_read,
               sum(rows_accepted) as rows_accepted, sum(rows_rejected) as rows_rejected,
               max(ingested_at) as last_ingested_at
        from ({_scoped_files()})
        group by kind, status order by kind, status
        """,
        _params(viewer, filters),
    )


def file_summary(viewer: Viewer, filters: Filters) -> pl.DataFrame:
    """The files of the months chosen by site and month: files, files rejected whole, files
    with rejected rows, and their rows read, accepted and rejected, newest month first. The
    extracts no site or month owns are one row (statewide viewers only)."""
    _refuse_aggregate_only(viewer)
    return _run(
        viewer,
        f"""
        select site_id, service_month, count(*) as files,
               count(*) filter (where status = 'rejected') as files_rejected,
               count(*) filter (where status = 'loaded_with_rejections')
                   as files_with_rejected_rows,
               cast(sum(rows_read) as bigint) as rows_read,
               cast(sum(rows_accepted) as bigint) as rows_accepted,
               cast(sum(rows_rejected) as bigint) as rows_rejected
        from ({_selected_files()})
        group by site_id, service_month
        order by service_month desc nulls last, site_id nulls first
        """,
        _params(viewer, filters),
    )


_FILES = f"""
    select file, site_id, service_month, kind, status, rows_read, rows_accepted, rows_rejected,
           error, ingested_at
    from ({_selected_files()})
"""
_COUNT_FILES = f"select count(*) as n from ({_FILES})"
_LISTED_FILES = _Listing(
    f"{_FILES} order by ingested_at desc, file, sha256",
    f"{_FILES} order by ingested_at desc, file, sha256 {_PAGE_LIMIT}")


def files(viewer: Viewer, filters: Filters, page: int | None = None) -> pl.DataFrame:
    """Each landing file of the months chosen with its status and error, newest first: one
    page of PAGE_ROWS, or without `page` all of them."""
    return _listed(viewer, filters, page, _LISTED_FILES)


def count_files(viewer: Viewer, filters: Filters) -> int:
    """How many rows `files` holds in all."""
    _refuse_aggregate_only(viewer)
    return _count(viewer, _COUNT_FILES, filters)


def _refuse_unless_statewide(viewer: Viewer) -> None:
    if viewer.role != STATE_COORDINATOR:
        raise RecordLevelRefused(f"{viewer.role} does not see the platform's run records")


def check_results(viewer: Viewer) -> pl.DataFrame:
    """The published data's checks, each as last evaluated (their messages name files and
    sites): statewide only."""
    _refuse_unless_statewide(viewer)
    return _run(
        viewer,
        "select check_name, asset, severity, passed, message, description, evaluated_at "
        "from marts.dq_check_results order by passed, severity, check_name",
        {},
    )


def run_failures(viewer: Viewer) -> pl.DataFrame:
    """Failed runs: when, which job and step, and the error. Statewide only."""
    _refuse_unless_statewide(viewer)
    return _run(
        viewer,
        "select failed_at, job_name, failed_step, error, run_id "
        "from marts.ops_run_failures order by failed_at desc",
        {},
    )


def packet_deliveries(viewer: Viewer) -> pl.DataFrame:
    """Monthly packets e-mailed: when, to whom, which packet, the result. Statewide only."""
    _refuse_unless_statewide(viewer)
    return _run(
        viewer,
        "select attempted_at, service_month, recipient, address, packet, result, attempts, "
        "error from marts.ops_packet_deliveries order by attempted_at desc, recipient",
        {},
    )


def unrecognised_files(viewer: Viewer, filters: Filters) -> pl.DataFrame:
    """Files in the landing zone that no kind claims, with why: moved, not lost."""
    _refuse_aggregate_only(viewer)
    return _run(
        viewer,
        f"""
        select file, reason, size_bytes, modified_at
        from ({_scoped_files("marts.dq_unrecognised_files")}) order by file
        """,
        _params(viewer, filters),
    )


_REJECTED_ROWS = f"""
    select r.file, r.row_number, r.reason_code, r.reason
    from marts.dq_rejected_rows as r
    where r.file in (select file from ({_selected_files()}))
"""
_COUNT_REJECTED_ROWS = f"select count(*) as n from ({_REJECTED_ROWS})"
_LISTED_REJECTED_ROWS = _Listing(
    f"{_REJECTED_ROWS} order by file, row_number, reason_code, reason",
    f"{_REJECTED_ROWS} order by file, row_number, reason_code, reason {_PAGE_LIMIT}")


def rejected_rows(viewer: Viewer, filters: Filters, page: int | None = None) -> pl.DataFrame:
    """Each rejected row of the files of the months chosen: file, row number and the plain
    reason; one page of PAGE_ROWS, or without `page` all of them."""
    return _listed(viewer, filters, page, _LISTED_REJECTED_ROWS)


def count_rejected_rows(viewer: Viewer, filters: Filters) -> int:
    """How many rows `rejected_rows` holds in all."""
    _refuse_aggregate_only(viewer)
    return _count(viewer, _COUNT_REJECTED_ROWS, filters)

