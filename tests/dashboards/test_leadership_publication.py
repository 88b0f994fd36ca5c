"""Leadership reads the leadership publication, suppressed once at publish: the attacks of
the issue on what its pages offer (one page differenced, filtered views against the whole
table, rates that carry their counts) find nothing, and the attacker's audit passes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from conftest import leadership_beside, marts
from scipy.optimize import linprog

from dashboards import data_access
from dashboards.filters import Filters
from dashboards.viewer import Viewer
from orchestration.defs.assets.leadership import read_publication, read_truth
from orchestration.disclosure import definitions as d
from orchestration.disclosure.audit import attack

LEADERSHIP = Viewer("lead", "leadership")
FLAG = d.FLAG_SUFFIX
ACTIVITY_COUNTS = d.ACTIVITY.counts

pytestmark = pytest.mark.usefixtures("dashboard_env")


def _months(published: Path) -> list[dt.date]:
    return marts(published, "select distinct service_month from marts.agg_activity_month "
                            "order by 1")["service_month"].to_list()


def _largest(cell: str, shown: dict[str, int | None], sums: list[tuple[str, list[str]]]) -> float:
    """The attacker's largest value of the hidden `cell` from `shown` (None: hidden) and
    the sums total = parts, over non-negative values."""
    hidden = sorted(name for name, value in shown.items() if value is None)
    column = {name: i for i, name in enumerate(hidden)}
    a_eq, b_eq = [], []
    for total, parts in sums:
        row, rhs = np.zeros(len(hidden)), 0.0
        for name, sign in ((total, -1.0), *((p, 1.0) for p in parts)):
            if shown[name] is None:
                row[column[name]] += sign
            else:
                rhs -= sign * shown[name]
        a_eq.append(row)
        b_eq.append(rhs)
    objective = np.zeros(len(hidden))
    objective[column[cell]] = -1
    result = linprog(objective, A_eq=np.array(a_eq), b_eq=b_eq, bounds=(0, None),
                     method="highs")
    return np.inf if result.status == 3 else -result.fun


def test_differencing_one_page_never_pins_a_hidden_site(published):
    """The overview's "By service area" and "By site" tables of one month, downloaded and
    solved together (the state is its areas, an area its sites): every small site is
    hidden, and none is pinned below 11 (Eastern 36 = S03 16 + S08 12 + S13 hidden)."""
    area_of = dict(marts(published, "select site_id, service_area from marts.dim_site")
                   .iter_rows())
    pinned = []
    for month in _months(published):
        chosen = Filters(month_from=month, month_to=month)
        page = pl.concat([data_access.activity_by_level(LEADERSHIP, chosen, "service_area"),
                          data_access.activity_by_level(LEADERSHIP, chosen, "site")]).unique(
            ["level", "area_id"], maintain_order=True)
        truth = marts(published, "select * from marts.agg_activity_month "
                                 "where service_month = ? and level = 'site'", [month])
        areas = page.filter(pl.col("level") == "service_area")["area_id"].to_list()
        sites = page.filter(pl.col("level") == "site")["area_id"].to_list()
        sums = [("statewide", areas)] + [
            (area, [s for s in sites if area_of.get(s) == area]) for area in areas]
        for column in ACTIVITY_COUNTS:
            shown = dict(zip(page["area_id"], page[column], strict=True))
            for site in truth.filter(pl.col(column).is_between(1, 10))["area_id"]:
                assert shown[site] is None, f"{month} {site}.{column} is shown"
                high = _largest(site, shown, sums)
                if high < d.SAFE_FROM:
                    pinned.append((str(month), site, column, high))
    assert not pinned, pinned[:5]


def test_filtered_views_show_only_cells_the_whole_table_shows(published):
    """?site=, ?area= and the trend table select rows of the suppressed table: each cell is
    hidden exactly where the unfiltered table hides it."""
    every = data_access.activity_by_level(LEADERSHIP, Filters(), "site")
    every = pl.concat([every, data_access.activity_by_level(LEADERSHIP, Filters(),
                                                            "service_area")]).unique()
    key = ["level", "area_id", "service_month"]
    sites = marts(published, "select distinct site_id, service_area from marts.dim_site "
                             "join marts.agg_activity_month on area_id = site_id")
    views = []
    for site, area in sites.iter_rows():
        views += [data_access.activity_by_level(LEADERSHIP, Filters(site_id=site), "site"),
                  data_access.activity_by_level(LEADERSHIP, Filters(service_area=area), "site"),
                  data_access.activity_trend(LEADERSHIP, Filters(site_id=site)),
                  data_access.activity_trend(LEADERSHIP, Filters(service_area=area))]
    views.append(data_access.activity_trend(LEADERSHIP, Filters()))
    for view in views:
        assert not view.is_empty()
        joined = view.join(every, on=key, how="left", suffix=":whole")
        for column in [*ACTIVITY_COUNTS, *d.ACTIVITY.rates]:
            assert joined[column + FLAG].equals(joined[f"{column}{FLAG}:whole"]), column
            assert joined[column].equals(joined[f"{column}:whole"]), column


def _rates_of(frame: pl.DataFrame, table: d.Table):
    for rate, spec in table.rates.items():
        if rate in frame.columns:
            yield rate, spec


def test_rates_never_carry_their_counts(published):
    """No rate finer than 0.1 percentage point; none shown beside a hidden numerator or
    denominator or over a not-met count of 1..10; a met flag hidden with its value."""
    frames = {
        d.ACTIVITY.name: data_access.activity_by_level(LEADERSHIP, Filters(), "site"),
        d.EXITS.name: data_access.exits_by_area(LEADERSHIP, Filters(), "site"),
        d.MEASURES.name: data_access.performance_measures(LEADERSHIP, Filters()),
        d.MEASURES_YTD.name: data_access.measure_trajectory(LEADERSHIP, Filters()),
        d.CFSR.name: data_access.cfsr_indicators(LEADERSHIP, Filters()).rename(
            {"indicator_value": "value", "indicator_value" + FLAG: "value" + FLAG}),
        d.REACH.name: data_access.reach_by_group(LEADERSHIP, "statewide", "race_ethnicity"),
    }
    for name, frame in frames.items():
        table = d.BY_NAME[name]
        assert not frame.is_empty(), table.name
        for rate, spec in _rates_of(frame, table):
            shown = frame.filter(pl.col(rate).is_not_null())
            scaled = shown[rate] * 10 ** spec.digits
            assert ((scaled - scaled.round()).abs() < 1e-6).all(), (table.name, rate)
            for part in (spec.numerator, spec.denominator):
                if part in frame.columns:
                    assert shown[part].is_not_null().all(), (table.name, rate, part)
            if spec.share is True and spec.numerator in frame.columns:
                not_met = shown[spec.denominator] - shown[spec.numerator]
                assert not not_met.is_between(1, 10).any(), (table.name, rate)
        for column, rate in table.flag.items():
            assert frame.filter(pl.col(rate + FLAG))[column].is_null().all()
            assert (frame[column + FLAG] == frame[rate + FLAG]).all()
    # The year-to-date values: their counts, which the page does not show, are in the file.
    ytd = marts(leadership_beside(published),
                "select * from marts.fct_performance_measure_ytd where value is not null")
    assert ytd["numerator"].is_not_null().all() and ytd["denominator"].is_not_null().all()
    assert not (ytd["denominator"] - ytd["numerator"]).is_between(1, 10).any()
    # Every not-met count of 1..10 of the true tables is out of reach: never both counts shown.
    truth = marts(published, "select level, area_id, service_month, initial_intensity_met, "
                             "initial_intensity_months from marts.agg_activity_month")
    small = truth.filter((pl.col("initial_intensity_months") - pl.col("initial_intensity_met"))
                         .is_between(1, 10))
    shown = frames[d.ACTIVITY.name].join(small.select("level", "area_id", "service_month"),
                                    on=["level", "area_id", "service_month"])
    assert shown.filter(pl.col("initial_intensity_met").is_not_null()
                        & pl.col("initial_intensity_months").is_not_null()).is_empty()


def test_the_attackers_audit_passes_on_the_demo_runs_leadership_publication(published):
    leadership = leadership_beside(published)
    report = attack(read_publication(leadership), read_truth(published))
    assert report.small_cells > 0
    assert report.passed, report.summary()
