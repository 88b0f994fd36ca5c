"""Kaplan-Meier curves of time to reunification against a small example worked by hand."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from orchestration.outcomes.survival import TICK_DAYS, kaplan_meier, reunification_curves

# Six spells: reunified on days 2, 3, 5 and 8; followed without reunification to 3 and 7.
DAYS = np.array([2, 3, 3, 5, 7, 8])
REUNIFIED = np.array([1, 1, 0, 1, 0, 1])


def _at(curve: pl.DataFrame, day: int) -> dict:
    return curve.filter(pl.col("day") == day).row(0, named=True)


def test_product_limit_steps_and_numbers_at_risk():
    curve = kaplan_meier(DAYS, REUNIFIED)
    # (day, survival, at risk just before the day): 6 followed, 1 reunified on day 2 ->
    # 5/6; 5 left, 1 reunified and 1 censored on day 3 -> 5/6 * 4/5; 3 left, 1 on day 5 ->
    # * 2/3; day 7 censors one (no step); the last one reunifies on day 8 -> 0.
    expected = [(0, 1.0, 6), (2, 5 / 6, 6), (3, 2 / 3, 5), (5, 4 / 9, 3), (7, 4 / 9, 2),
                (8, 0.0, 1)]
    assert curve["day"].to_list() == [day for day, _, _ in expected]
    for day, survival, at_risk in expected:
        row = _at(curve, day)
        assert row["survival"] == pytest.approx(survival), day
        assert row["at_risk"] == at_risk, day


def test_band_is_greenwood_on_the_log_minus_log_scale():
    curve = kaplan_meier(DAYS, REUNIFIED)
    # Day 3: Greenwood's sum 1/(6*5) + 1/(5*4), S = 2/3; the band is
    # exp(-exp(log(-log S) +- z * sqrt(sum) / |log S|)).
    s, greenwood = 2 / 3, 1 / 30 + 1 / 20
    z = 1.959964
    spread = z * math.sqrt(greenwood) / abs(math.log(s))
    centre = math.log(-math.log(s))
    row = _at(curve, 3)
    assert row["ci_low"] == pytest.approx(math.exp(-math.exp(centre + spread)), abs=1e-5)
    assert row["ci_high"] == pytest.approx(math.exp(-math.exp(centre - spread)), abs=1e-5)
    assert row["ci_low"] < row["survival"] < row["ci_high"]
    assert _at(curve, 0)["ci_low"] == _at(curve, 0)["ci_high"] == 1.0


def test_tick_days_are_rows_with_their_numbers_at_risk():
    days = np.array([10, 100, 200, 400])
    curve = kaplan_meier(days, np.array([1, 0, 1, 1]))
    for tick, at_risk, survival in ((TICK_DAYS, 3, 3 / 4), (2 * TICK_DAYS, 2, 3 / 4),
                                    (4 * TICK_DAYS, 1, 3 / 4 * 1 / 2)):
        row = _at(curve, tick)
        assert row["at_risk"] == at_risk, tick
        assert row["survival"] == pytest.approx(survival), tick


def test_one_curve_per_arm_and_origin():
    spells = pl.DataFrame({
        "arm": ["participant"] * 6 + ["comparison"] * 3,
        "origin": ["removal"] * 6 + ["removal"] * 3,
        "days": [*DAYS.tolist(), 4, 6, 9],
        "reunified": [*(REUNIFIED == 1).tolist(), True, False, False],
    })
    curves = reunification_curves(spells)
    assert curves.columns == ["arm", "origin", "day", "survival", "ci_low", "ci_high",
                              "at_risk"]
    comparison = curves.filter(pl.col("arm") == "comparison")
    assert comparison["survival"].to_list() == pytest.approx([1.0, 2 / 3, 2 / 3, 2 / 3])
    assert _at(curves.filter(pl.col("arm") == "participant"), 5)["survival"] == \
        pytest.approx(4 / 9)


def test_no_spells_no_curves():
    empty = pl.DataFrame(schema={"arm": pl.String, "origin": pl.String, "days": pl.Int64,
                                 "reunified": pl.Boolean})
    assert reunification_curves(empty).is_empty()
