"""Altair charts in the Okabe-Ito colour-blind-safe palette; targets are passed in from data."""

from __future__ import annotations

import altair as alt
import polars as pl

# Okabe & Ito (2008): distinguishable under the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
           "#000000"]
TARGET_COLOUR = "#D55E00"


def _scale() -> alt.Scale:
    return alt.Scale(range=PALETTE)


def _with_target(chart: alt.Chart, target: float | None, label: str) -> alt.LayerChart | alt.Chart:
    if target is None:
        return chart
    rule = alt.Chart(pl.DataFrame({"target": [target], "label": [label]})).mark_rule(
        color=TARGET_COLOUR, strokeDash=[6, 4], size=2
    ).encode(y="target:Q", tooltip=["label:N", "target:Q"])
    return chart + rule


def trend(frame: pl.DataFrame, y: str, title: str, *, target: float | None = None,
          target_label: str = "target", tooltip: tuple[str, ...] = (),
          percent: bool = False) -> alt.Chart:
    """One line per area over the service months, the target as a dashed rule."""
    axis = alt.Axis(format=".0%") if percent else alt.Axis()
    # A suppressed cell is null: it is left out, not drawn as zero.
    chart = alt.Chart(frame.drop_nulls(y)).mark_line(point=True).encode(
        x=alt.X("yearmonth(service_month):T", title="Month"),
        y=alt.Y(f"{y}:Q", title=title, axis=axis),
        color=alt.Color("area_id:N", title="Area", scale=_scale()),
        tooltip=["area_id:N", "yearmonth(service_month):T", f"{y}:Q",
                 *(f"{c}:Q" for c in tooltip)],
    )
    return _with_target(chart, target, target_label).properties(
        title=title, height=260, description=f"{title} by month"
    )


def bars(frame: pl.DataFrame, x: str, y: str, title: str, *, target: float | None = None,
         target_label: str = "target", tooltip: tuple[str, ...] = (),
         percent: bool = False) -> alt.Chart:
    """One bar per category, the target as a dashed rule."""
    axis = alt.Axis(format=".0%") if percent else alt.Axis()
    chart = alt.Chart(frame.drop_nulls(y)).mark_bar(color=PALETTE[0]).encode(
        x=alt.X(f"{x}:N", title=None, sort=None),
        y=alt.Y(f"{y}:Q", title=title, axis=axis),
        tooltip=[f"{x}:N", f"{y}:Q", *(f"{c}:Q" for c in tooltip)],
    )
    return _with_target(chart, target, target_label).properties(
        title=title, height=260, description=f"{title} by {x}"
    )


def histogram(frame: pl.DataFrame, x: str, title: str, *, limit: float | None = None,
              limit_label: str = "limit") -> alt.Chart:
    """How many rows have each value of `x`, the limit as a dashed vertical rule."""
    chart = alt.Chart(frame).mark_bar(color=PALETTE[0]).encode(
        x=alt.X(f"{x}:O", title=title), y=alt.Y("count():Q", title="Parent Partner months"),
    )
    if limit is not None:
        rule = alt.Chart(pl.DataFrame({x: [limit], "label": [limit_label]})).mark_rule(
            color=TARGET_COLOUR, strokeDash=[6, 4], size=2
        ).encode(x=f"{x}:O", tooltip=["label:N", f"{x}:Q"])
        chart = chart + rule
    return chart.properties(title=title, height=260)


def forest(frame: pl.DataFrame) -> alt.LayerChart:
    """Each outcome's difference (participants - comparisons) with its 95% interval."""
    base = alt.Chart(frame).encode(y=alt.Y("outcome:N", title=None, sort=None))
    interval = base.mark_rule(color=PALETTE[0], size=2).encode(
        x=alt.X("ci_low:Q", title="Difference, participants - matched comparisons (95% CI)"),
        x2="ci_high:Q",
    )
    point = base.mark_point(filled=True, size=80, color=PALETTE[0]).encode(
        x="difference:Q",
        tooltip=["outcome:N", "difference:Q", "ci_low:Q", "ci_high:Q", "p_value:Q",
                 "participant_n:Q", "comparison_n:Q"],
    )
    zero = alt.Chart(pl.DataFrame({"x": [0.0]})).mark_rule(color="#555555").encode(x="x:Q")
    return (interval + point + zero).properties(height=220)


def love(frame: pl.DataFrame) -> alt.LayerChart:
    """Standardised mean differences before and after matching, one row per covariate."""
    long = frame.unpivot(
        index="covariate", on=["smd_before", "smd_after"], variable_name="when",
        value_name="smd",
    ).with_columns(pl.col("when").replace({"smd_before": "before", "smd_after": "after"}))
    points = alt.Chart(long).mark_point(filled=True, size=60).encode(
        x=alt.X("smd:Q", title="Standardised mean difference"),
        y=alt.Y("covariate:N", title=None, sort=None),
        color=alt.Color("when:N", title="Matching", scale=_scale()),
        shape=alt.Shape("when:N", title="Matching"),
        tooltip=["covariate:N", "when:N", "smd:Q"],
    )
    zero = alt.Chart(pl.DataFrame({"x": [0.0]})).mark_rule(color="#555555").encode(x="x:Q")
    return (points + zero).properties(height=max(200, 16 * frame.height))


def trajectory(frame: pl.DataFrame, tooltip: tuple[str, ...] = ()) -> alt.FacetChart:
    """One small chart per measure: its year-to-date value month by month (line) against
    its target (dashed), both from the data."""
    base = alt.Chart(frame).encode(
        x=alt.X("yearmonth(service_month):T", title=None, axis=alt.Axis(format="%b")),
    )
    value = base.mark_line(point=True, color=PALETTE[0]).encode(
        y=alt.Y("value:Q", title="Year to date", axis=alt.Axis(format=".0%"),
                scale=alt.Scale(zero=False)),
        tooltip=["measure_id:N", "measure_name:N", "yearmonth(service_month):T",
                 alt.Tooltip("value:Q", format=".1%"), alt.Tooltip("target:Q", format=".0%"),
                 *(f"{c}:Q" for c in tooltip)],
    )
    target = base.mark_line(color=TARGET_COLOUR, strokeDash=[6, 4]).encode(y="target:Q")
    return alt.layer(value, target, data=frame).properties(width=230, height=150).facet(
        facet=alt.Facet("measure_name:N", title=None, sort=None), columns=3,
    ).resolve_scale(y="independent").properties(
        description="Each performance measure's year-to-date value by month against its target"
    )
