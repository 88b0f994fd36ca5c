"""Disclosure control for leadership on hand-made linked tables, where the attacks of the
issue are reproduced exactly: differencing an area against its sites, consecutive
year-to-date figures, rates that carry their counts, not-met complements, met flags,
and a weakly protected cell; and the attacker's audit, which must catch each of them."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orchestration.disclosure import definitions as d
from orchestration.disclosure.audit import attack
from orchestration.disclosure.publication import (
    DefinitionError,
    build_cells,
    leadership_tables,
)

JULY = dt.date(2024, 7, 1)
FLAG = d.FLAG_SUFFIX
AREA_OF = {"S03": "Eastern", "S08": "Eastern", "S13": "Eastern", "S10": "Western",
           "S11": "Western"}
SITES = pl.DataFrame({"site_id": list(AREA_OF), "site_name": list(AREA_OF),
                      "service_area": list(AREA_OF.values())})


def activity(met: dict[str, int], months: dict[str, int] | None = None, *,
             month: dt.date = JULY, late: dict[str, int] | None = None) -> pl.DataFrame:
    """One month of agg_activity_month: each site's early months meeting the contacts
    target out of its early months (40 unless given); the other counts consistent and
    large (forms all on time unless `late` says how many were late), summed up to the
    service areas and the state."""
    months = months or {}
    late = late or {}
    rows = []
    for site in AREA_OF:
        early = months.get(site, 40)
        rows.append({
            "level": "site", "area_id": site, "active_families": early,
            "active_pps": 20, "pp_months": 20, "pps_over_caseload_limit": 0,
            "initial_intensity_months": early, "initial_intensity_met": met[site],
            "monthly_time_months": early, "monthly_time_met": early,
            "forms_expected": early, "forms_received": early,
            "forms_on_time": early - late.get(site, 0), "forms_late": late.get(site, 0),
            "forms_missing": 0,
        })
    sites = pl.DataFrame(rows)
    counts = [c for c in sites.columns if c not in ("level", "area_id")]
    areas = (sites.with_columns(pl.col("area_id").replace_strict(AREA_OF).alias("area_id"))
             .group_by("area_id").agg(pl.col(counts).sum())
             .with_columns(pl.lit("service_area").alias("level")))
    state = sites.select(pl.col(counts).sum()).with_columns(
        pl.lit("statewide").alias("level"), pl.lit("statewide").alias("area_id"))
    frame = pl.concat([sites, areas.select(sites.columns), state.select(sites.columns)])
    frame = frame.with_columns(pl.col(counts).cast(pl.Int32), service_month=pl.lit(month),
                               sfy=pl.lit(2025, dtype=pl.Int32))
    return frame.with_columns(
        avg_caseload=pl.col("active_families") / pl.col("pp_months"),
        share_meeting_initial_intensity=pl.col("initial_intensity_met")
        / pl.col("initial_intensity_months"),
        share_meeting_monthly_time=pl.col("monthly_time_met") / pl.col("monthly_time_months"),
        share_forms_on_time=pl.col("forms_on_time") / pl.col("forms_expected"),
    )


# The issue's example: Eastern shows 36 early months meeting the target, S03 16 and S08 12
# are shown, S13 is hidden: S13 = 8.
EASTERN = {"S03": 16, "S08": 12, "S13": 8, "S10": 30, "S11": 25}


def row(frame: pl.DataFrame, area: str) -> dict:
    return frame.filter(pl.col("area_id") == area).row(0, named=True)


def test_an_area_minus_its_shown_sites_never_gives_away_a_hidden_site():
    truth = {"agg_activity_month": activity(EASTERN), "dim_site": SITES}
    shown = leadership_tables(truth)["agg_activity_month"]
    s13 = row(shown, "S13")
    assert s13["initial_intensity_met"] is None and s13["initial_intensity_met" + FLAG]
    column = [row(shown, a)["initial_intensity_met"] for a in ("Eastern", "S03", "S08")]
    assert None in column, "the area and both other sites shown give S13 away"
    report = attack(leadership_tables(truth), truth)
    assert report.passed, report.summary()
    cell = "agg_activity_month[site, S13, 2024-07-01].initial_intensity_met"
    assert report.intervals[cell][1] is None or report.intervals[cell][1] >= d.SAFE_FROM


def test_the_audit_catches_the_differencing_of_the_issue():
    """Only the small cell hidden (what the separate page tables did): 36 - 16 - 12 = 8."""
    truth = {"agg_activity_month": activity(EASTERN), "dim_site": SITES}
    primary_only = truth["agg_activity_month"].with_columns(
        (pl.col("area_id") == "S13").alias("initial_intensity_met" + FLAG),
        (pl.col("area_id") == "S13").alias("share_meeting_initial_intensity" + FLAG),
    ).with_columns(pl.when(pl.col("area_id") == "S13").then(None)
                   .otherwise(pl.col("initial_intensity_met")).alias("initial_intensity_met"))
    report = attack({"agg_activity_month": primary_only}, truth)
    pinned = {f.cell: (f.low, f.high) for f in report.findings}
    assert pinned["agg_activity_month[site, S13, 2024-07-01].initial_intensity_met"] == (8, 8)


def test_a_weakly_protected_cell_is_caught_and_not_published():
    """A hidden 1 beside a hidden 2 of the same total: bounded to 0..3, not 0..11+."""
    met = {**EASTERN, "S13": 1, "S08": 2}
    truth = {"agg_activity_month": activity(met), "dim_site": SITES}
    weak = truth["agg_activity_month"].with_columns(
        pl.col("area_id").is_in(["S13", "S08"]).alias("initial_intensity_met" + FLAG),
        pl.col("area_id").is_in(["S13", "S08"]).alias("share_meeting_initial_intensity" + FLAG),
    ).with_columns(pl.when(pl.col("area_id").is_in(["S13", "S08"])).then(None)
                   .otherwise(pl.col("initial_intensity_met")).alias("initial_intensity_met"))
    report = attack({"agg_activity_month": weak}, truth)
    assert ("agg_activity_month[site, S13, 2024-07-01].initial_intensity_met", 0, 3) in {
        (f.cell, f.low, f.high) for f in report.findings}
    assert attack(leadership_tables(truth), truth).passed


def test_not_met_counts_of_1_to_10_are_hidden_with_their_rate():
    """165 - 156 = 9 families not meeting the target: the complement is a small count."""
    truth = {"agg_activity_month": activity({**EASTERN, "S10": 156}, {"S10": 165}),
             "dim_site": SITES}
    shown = leadership_tables(truth)["agg_activity_month"]
    s10 = row(shown, "S10")
    assert None in (s10["initial_intensity_met"], s10["initial_intensity_months"])
    assert s10["share_meeting_initial_intensity"] is None
    assert s10["share_meeting_initial_intensity" + FLAG]
    assert attack(leadership_tables(truth), truth).passed


def test_rates_are_rounded_and_shown_only_with_their_counts():
    truth = {"agg_activity_month": activity(EASTERN, {"S03": 77}), "dim_site": SITES}
    shown = leadership_tables(truth)["agg_activity_month"]
    for rate, spec in d.ACTIVITY.rates.items():
        for r in shown.iter_rows(named=True):
            if r[rate] is None:
                continue
            assert r[spec.numerator] is not None and r[spec.denominator] is not None, rate
            assert round(r[rate], spec.digits) == r[rate]
    s03 = row(shown, "S03")
    assert s03["share_meeting_initial_intensity"] == 0.208  # 16 / 77 = 0.2077922...


def measures(sfy_counts: dict[str, tuple[int, int]], target: float = 0.9) -> pl.DataFrame:
    rows = [{"sfy": 2025, "measure_id": m, "measure_name": m, "numerator": n,
             "denominator": den, "value": n / den if den else None, "target": target,
             "comparator": ">=", "met": (n / den >= target) if den else None,
             "is_final": False} for m, (n, den) in sfy_counts.items()]
    return pl.DataFrame(rows).with_columns(pl.col("sfy", "numerator", "denominator")
                                           .cast(pl.Int32))


def trajectory(measure: str, months: list[tuple[int, int]], target: float = 0.9):
    """Year-to-date rows of one measure from its months' (numerator, denominator)."""
    rows, n, den = [], 0, 0
    for i, (month_n, month_d) in enumerate(months):
        n, den = n + month_n, den + month_d
        rows.append({"sfy": 2025, "service_month": dt.date(2024, 7 + i, 1),
                     "measure_id": measure, "measure_name": measure, "numerator": n,
                     "denominator": den, "value": n / den if den else None,
                     "target": target, "comparator": ">=",
                     "met": (n / den >= target) if den else None})
    return pl.DataFrame(rows).with_columns(pl.col("sfy", "numerator", "denominator")
                                           .cast(pl.Int32))


def test_consecutive_year_to_date_figures_never_give_away_a_small_month():
    """73/77 after July and 76/80 after August: August's 3 of 3 is a small count."""
    ytd = trajectory("PM01", [(73, 77), (3, 3), (40, 45), (30, 31)])
    truth = {"fct_performance_measure_ytd": ytd,
             "fct_performance_measure": measures({"PM01": (146, 156)})}
    shown = leadership_tables(truth)
    months = shown["fct_performance_measure_ytd"].sort("service_month")
    july, august = months.row(0, named=True), months.row(1, named=True)
    assert july["denominator"] is None or august["denominator"] is None
    report = attack(shown, truth)
    assert report.passed, report.summary()
    # And the audit catches the month when every figure is shown.
    bare = {name: frame.drop([c for c in frame.columns if c.endswith(FLAG)])
            for name, frame in truth.items()}
    assert "fct_performance_measure_ytd[2025, PM01, 2024-08-01].denominator in the month" in {
        f.cell for f in attack(bare, truth).findings}


CONTRACT_2025 = pl.DataFrame({"contract_id": ["C1"], "sfy": [2025], "measures_met": [1],
                              "retainage_status": ["at_risk"], "retainage_earned": [None]})
INVOICES_2025 = pl.DataFrame({
    "invoice_id": ["I1", "I2"], "sfy": [2025, 2025], "invoice_type": ["installment", "retainage"],
    "issue": [None, "retainage invoiced before the SFY's measures are final"]})


def test_a_measures_met_flag_is_hidden_with_its_value():
    """3 of 1,820 is readable as 3: its value, its met flag and the count of measures met go."""
    truth = {"fct_performance_measure": measures({"PM01": (3, 1820), "PM02": (900, 1000)}),
             "fct_contract_sfy": CONTRACT_2025}
    shown = leadership_tables(truth)
    pm = shown["fct_performance_measure"].sort("measure_id")
    assert pm["numerator"].to_list() == [None, 900]
    assert pm["denominator"].to_list() == [1820, 1000]
    assert pm["value"].to_list() == [None, 0.9]
    assert pm["met"].to_list() == [None, True] and pm["met" + FLAG].to_list() == [True, False]
    assert shown["fct_contract_sfy"]["measures_met"].to_list() == [None]
    assert attack(shown, truth).passed
    leaked = shown["fct_performance_measure"].with_columns(
        pl.lit(False).alias("met" + FLAG), pl.col("met").fill_null(False))
    assert "shown while value is hidden" in {
        f.reason for f in attack({**shown, "fct_performance_measure": leaked}, truth).findings}


def test_what_follows_from_a_hidden_met_flag_is_hidden_with_it():
    """With every other measure met, 'at risk' says the hidden one was not met, and so does
    a retainage invoice's check against the status: both go where a met flag is hidden."""
    truth = {"fct_performance_measure": measures({"PM01": (3, 1820), "PM02": (900, 1000)}),
             "fct_contract_sfy": CONTRACT_2025, "fct_invoice_check": INVOICES_2025}
    shown = leadership_tables(truth)
    contract = shown["fct_contract_sfy"]
    assert contract["retainage_status"].to_list() == [None]
    assert contract["retainage_status" + FLAG].to_list() == [True]
    invoices = shown["fct_invoice_check"].sort("invoice_id")
    assert invoices["issue" + FLAG].to_list() == [False, True]
    assert invoices["issue"].to_list() == [None, None]
    assert attack(shown, truth).passed
    leaked_status = contract.with_columns(pl.lit("at_risk").alias("retainage_status"))
    leaked_check = invoices.with_columns(pl.lit("retainage invoiced").alias("issue"))
    for table, leaked in (("fct_contract_sfy", leaked_status),
                          ("fct_invoice_check", leaked_check)):
        findings = attack({**shown, table: leaked}, truth).findings
        assert {f.reason for f in findings} == {"shown while a met flag of its SFY is hidden"}


def test_a_shown_met_flag_leaves_the_contract_as_it_is():
    truth = {"fct_performance_measure": measures({"PM01": (300, 1820), "PM02": (900, 1000)}),
             "fct_contract_sfy": CONTRACT_2025, "fct_invoice_check": INVOICES_2025}
    shown = leadership_tables(truth)
    assert shown["fct_contract_sfy"]["retainage_status"].to_list() == ["at_risk"]
    assert shown["fct_invoice_check"].sort("invoice_id")["issue"].to_list() == \
        INVOICES_2025["issue"].to_list()


def test_unhiding_one_complementary_cell_fails_the_audit():
    truth = {"agg_activity_month": activity(EASTERN), "dim_site": SITES}
    shown = leadership_tables(truth)["agg_activity_month"]
    flag = "initial_intensity_met" + FLAG
    complements = shown.filter(pl.col(flag) & ~pl.col("area_id").eq("S13"))
    assert not complements.is_empty()
    area = complements["area_id"][0]
    weakened = shown.with_columns(
        pl.when(pl.col("area_id") == area).then(False).otherwise(pl.col(flag)).alias(flag),
        pl.when(pl.col("area_id") == area)
        .then(pl.lit(row(truth["agg_activity_month"], area)["initial_intensity_met"]))
        .otherwise(pl.col("initial_intensity_met")).alias("initial_intensity_met"),
    )
    report = attack({"agg_activity_month": weakened}, truth)
    assert not report.passed
    assert any("S13" in f.cell for f in report.findings), report.summary()


def test_the_same_tables_always_get_the_same_pattern():
    truth = {"agg_activity_month": pl.concat([
        activity(EASTERN), activity({**EASTERN, "S03": 4, "S10": 9}, month=dt.date(2024, 8, 1))]),
        "dim_site": SITES}
    first = leadership_tables(truth)["agg_activity_month"]
    assert first.equals(leadership_tables(truth)["agg_activity_month"])
    shuffled = {**truth, "agg_activity_month": truth["agg_activity_month"].sample(
        fraction=1.0, shuffle=True, seed=1)}
    assert first.equals(leadership_tables(shuffled)["agg_activity_month"])


def test_tables_that_break_a_stated_relation_are_refused():
    frame = activity(EASTERN).with_columns(
        pl.when(pl.col("area_id") == "Eastern").then(37).otherwise(pl.col("initial_intensity_met"))
        .alias("initial_intensity_met"))
    with pytest.raises(DefinitionError, match=r"statewide.*initial_intensity_met = 91 is not"):
        build_cells({"agg_activity_month": frame, "dim_site": SITES})


# Zeros are frequent, and a hidden cell beside zeros is the one that sums pin down.
cell_values = st.one_of(st.just(0), st.just(0), st.integers(1, 10), st.integers(11, 40))


@pytest.mark.slow  # 60 examples, each a suppression and an audit
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.fixed_dictionaries({site: cell_values for site in AREA_OF}),
       st.fixed_dictionaries({site: cell_values for site in AREA_OF}))
def test_no_small_count_is_shown_or_derivable_on_any_table(met, late):
    """Random sites' counts of early months meeting the target and of late forms, out of
    40: whatever they are, the audit finds nothing in the publication."""
    truth = {"agg_activity_month": activity(met, late=late), "dim_site": SITES}
    report = attack(leadership_tables(truth), truth)
    assert report.passed, report.summary()


def test_the_audit_knows_counts_are_whole_numbers():
    """t = 2u and t + s = 11 shown: the linear program reaches t = 11 (u = 5.5), but no
    whole count does; a reader who knows counts are whole pins t to at most 10."""
    from orchestration.disclosure.audit import AuditReport, _Attack, _solve

    known = _Attack()
    known.count("t", 4, None)
    known.count("u", 2, None, protected=False)
    known.count("s", 7, None, protected=False)
    known.count("eleven", 11, 11, protected=False)
    known.equation([("t", 1.0), ("u", -2.0)])
    known.equation([("t", 1.0), ("s", 1.0), ("eleven", -1.0)])
    report = AuditReport()
    _solve(known, report)
    assert report.integer_programs == 1
    assert [(f.cell, f.high) for f in report.findings] == [("t", 10.0)]


def test_components_attacked_before_are_judged_by_their_bounds_and_leaks_still_caught():
    """The audit reads back the bounds of a component whose equations it attacked before:
    the same intervals and verdict; a weakened component has other equations, so it is
    attacked again and its leak found, whatever was kept."""
    from orchestration.disclosure.solved import Solved

    truth = {"agg_activity_month": activity(EASTERN), "dim_site": SITES}
    shown = leadership_tables(truth)
    kept = Solved()
    first = attack(shown, truth, kept)
    assert first.passed and first.components_reused == 0 and first.programs > 0
    again = attack(shown, truth, Solved(known=kept.used))
    assert again.passed and again.programs == 0
    assert again.components_reused == again.components == first.components
    assert again.intervals == first.intervals
    # The same figures read in another order (a table's rows come in no set order).
    shuffled = attack({name: frame.reverse() for name, frame in shown.items()},
                      {name: frame.reverse() for name, frame in truth.items()},
                      Solved(known=kept.used))
    assert shuffled.programs == 0 and shuffled.intervals == first.intervals

    weakened = _unhide_first_complement(shown["agg_activity_month"], truth)
    report = attack({**shown, "agg_activity_month": weakened}, truth,
                    Solved(known=kept.used))
    assert not report.passed and report.programs > 0
    assert report.findings == attack({**shown, "agg_activity_month": weakened}, truth).findings


def _unhide_first_complement(shown: pl.DataFrame, truth: dict) -> pl.DataFrame:
    """The shown activity table with the first hidden count above 10 that protects a small
    one shown again."""
    true = truth["agg_activity_month"]
    for column in d.ACTIVITY.counts:
        for i, flagged in enumerate(shown[column + FLAG].to_list()):
            value = true.filter(pl.col("area_id") == shown["area_id"][i])[column][0]
            if not flagged or value <= d.SMALL_MAX:
                continue
            weakened = shown.with_columns(
                pl.when(pl.int_range(pl.len()) == i).then(pl.lit(value))
                .otherwise(pl.col(column)).alias(column),
                pl.when(pl.int_range(pl.len()) == i).then(False)
                .otherwise(pl.col(column + FLAG)).alias(column + FLAG))
            if not attack({"agg_activity_month": weakened}, truth).passed:
                return weakened
    raise AssertionError("no complementary cell protects a small one")


def test_an_areas_month_holds_a_family_or_a_parent_partner_and_the_programs_know_it():
    """A row of the activity summary exists only for a family-month or a PP-month: its
    families and PPs are not both 0. Both programs state it, as a latent sum of at least 1
    tied to the two counts; a table that breaks it is refused."""
    truth = {d.ACTIVITY.name: activity(EASTERN), "dim_site": SITES}
    cells, _ = build_cells(truth)
    key = (d.ACTIVITY.name, ("site", "S13", JULY), "active_families+active_pps")
    i = cells.index[key]
    assert (cells.values[i], cells.floors[i], cells.published[i]) == (40 + 20, 1, False)
    assert any(total == i for total, _ in cells.relations)
    empty = truth[d.ACTIVITY.name].with_columns(
        pl.when(pl.col("area_id") == "S13").then(0).otherwise(pl.col(c)).alias(c)
        for c in ("active_families", "active_pps"))
    with pytest.raises(DefinitionError, match="never below 1"):
        build_cells({d.ACTIVITY.name: empty, "dim_site": SITES})
