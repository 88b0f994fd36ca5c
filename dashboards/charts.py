"""Altair charts in the Okabe-Ito colour-blind-safe palette; targets are passed in from data.

`labelled` turns a chart into the specification a page draws: every axis, legend and
tooltip titled by the published labels, numbers in their published format, and tick labels
kept inside the drawing.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import polars as pl

from dashboards.labels import Labels

# Okabe & Ito (2008): distinguishable under the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
           "#000000"]
# More areas than Okabe-Ito has colours (the fifteen sites): Vega's twenty-colour scheme,
# so no two lines share a colour.
MANY_AREAS_SCHEME = "tableau20"
# One area drawn against the rest: the chosen one in the palette's first colour.
HIGHLIGHT_COLOUR, REST_COLOUR = PALETTE[0], "#BBBBBB"
TARGET_COLOUR = "#D55E00"
# Tooltip formats of the published number formats (d3-format).
_TOOLTIP_FORMATS = {"integer": ",.0f", "decimal1": ".1f", "decimal2": ".2f", "decimal3": ".3f",
                    "percent": ".1%", "dollars": "$,.2f", "pvalue": ".3f"}
# A chart stretched to its column's width: only the width is fitted, so `height` is the
# plot's own and the title, axes and legend come on top of it. (Streamlit's default, "fit",
# squeezes all of them into `height`: the plot is squashed, and the title is pushed out of
# the drawing when an axis title is longer than the plot is tall.)
FIT_WIDTH = alt.AutoSizeParams(type="fit-x", contains="padding")
# Room for a category's name beside its row (the theme cuts labels at 100 pixels).
LABEL_LIMIT = 260
# A legend beside a plot 260 pixels tall shows this many entries to a column; more areas
# (the fifteen sites) take more columns rather than run past the bottom of the drawing.
LEGEND_ROWS = 8


def _scale() -> alt.Scale:
    return alt.Scale(range=PALETTE)


def area_scale(areas: list[str], highlight: str | None = None) -> alt.Scale:
    """Colours for `areas`: `highlight` against the rest in grey, else one colour each."""
    if highlight is not None and highlight in areas:
        return alt.Scale(domain=areas, range=[HIGHLIGHT_COLOUR if a == highlight
                                              else REST_COLOUR for a in areas])
    if len(areas) > len(PALETTE):
        return alt.Scale(domain=areas, scheme=MANY_AREAS_SCHEME)
    return alt.Scale(domain=areas, range=PALETTE[:len(areas)])


def _title(field: str, labels: Labels) -> str:
    label = labels.label(field)
    return label.replace("_", " ").capitalize() if label == field else label


def _label_channel(channel: str, definition: dict[str, Any], labels: Labels) -> None:
    field = definition.get("field")
    if not isinstance(field, str):
        return
    definition.setdefault("title", _title(field, labels))
    number_format = _TOOLTIP_FORMATS.get(labels.format(field) or "")
    if definition.get("type") != "quantitative" or not number_format \
            or "aggregate" in definition:
        return
    if channel in ("tooltip", "text"):
        definition.setdefault("format", number_format)
    elif isinstance(definition.get("axis"), dict):
        definition["axis"].setdefault("format", number_format)


def _titled_channels(layers: list[Any]) -> set[str]:
    return {channel for layer in layers if isinstance(layer, dict)
            for channel, definition in (layer.get("encoding") or {}).items()
            if isinstance(definition, dict) and "title" in definition}


def _label_fields(node: Any, labels: Labels, titled: frozenset[str] = frozenset()) -> None:
    """Give every field drawn (axis, legend, tooltip) its published label and format. In a
    layered chart a channel one layer titles keeps that title alone: the others add none
    (Vega-Lite joins the titles of layers sharing an axis)."""
    if isinstance(node, list):
        for item in node:
            _label_fields(item, labels, titled)
        return
    if not isinstance(node, dict):
        return
    for channel, definition in (node.get("encoding") or {}).items():
        for one in definition if isinstance(definition, list) else [definition]:
            if isinstance(one, dict) and not (channel in titled and "title" not in one):
                _label_channel(channel, one, labels)
    if isinstance(node.get("layer"), list):
        inner = titled | _titled_channels(node["layer"])
        _label_fields(node["layer"], labels, frozenset(inner))
    for key in ("facet", "row", "column"):
        if isinstance(node.get(key), dict):
            _label_channel(key, node[key], labels)
    for key, value in node.items():
        if key not in ("data", "datasets", "encoding", "layer"):
            _label_fields(value, labels, titled)


def _word_values(spec: dict[str, Any], labels: Labels) -> None:
    """Codes drawn as categories (a legend entry, a panel's name) read as the tables
    show them."""
    for rows in spec.get("datasets", {}).values():
        for row in rows:
            for field, value in row.items():
                if isinstance(value, str) and labels.format(field) in ("code", "worded"):
                    row[field] = labels.worded(value, every_code=True)


def labelled(chart: alt.TopLevelMixin, labels: Labels) -> dict[str, Any]:
    """`chart` as the page draws it: its fields titled and formatted from the published
    labels, codes in words; axis labels that never run past the drawing's edge (the first
    and last flush with the axis, overlapping ones dropped, long ones cut with an
    ellipsis)."""
    spec = chart.to_dict()
    _label_fields(spec, labels)
    _word_values(spec, labels)
    config = spec.setdefault("config", {})
    config.setdefault("axis", {}).update(labelOverlap=True, labelLimit=LABEL_LIMIT)
    config.setdefault("axisX", {}).update(labelFlush=True)
    config.setdefault("legend", {}).setdefault("labelLimit", LABEL_LIMIT)
    spec.setdefault("padding", {"left": 5, "right": 15, "top": 5, "bottom": 5})
    return spec


def _p_text(field: str) -> str:
    """A p-value as the pages write it."""
    return (f"isValid(datum.{field}) ? (datum.{field} < 0.001 ? '< 0.001' : "
            f"format(datum.{field}, '.3f')) : ''")


def _with_target(chart: alt.Chart, target: float | None, label: str) -> alt.LayerChart | alt.Chart:
    if target is None:
        return chart
    rule = alt.Chart(pl.DataFrame({"target": [target], "label": [label]})).mark_rule(
        color=TARGET_COLOUR, strokeDash=[6, 4], size=2
    ).encode(y="target:Q", tooltip=["label:N", "target:Q"])
    return chart + rule


def trend(frame: pl.DataFrame, y: str, title: str, *, target: float | None = None,
          target_label: str = "target", tooltip: tuple[str, ...] = (),
          percent: bool = False, highlight: str | None = None) -> alt.Chart:
    """One line per area over the service months, the target as a dashed rule; with
    `highlight`, that area in colour and the others grey."""
    axis = alt.Axis(format=".0%") if percent else alt.Axis()
    # A suppressed cell is null: it is left out, not drawn as zero.
    chart = alt.Chart(frame.drop_nulls(y)).mark_line(point=True).encode(
        x=alt.X("yearmonth(service_month):T", title="Month"),
        y=alt.Y(f"{y}:Q", title=title, axis=axis),
        color=alt.Color("area_id:N", title="Area",
                        scale=area_scale(sorted(frame["area_id"].drop_nulls().unique()),
                                         highlight),
                        legend=alt.Legend(columns=max(1, -(-frame["area_id"].n_unique() // LEGEND_ROWS)))),
        tooltip=["area_id:N", "yearmonth(service_month):T", f"{y}:Q",
                 *(f"{c}:Q" for c in tooltip)],
    )
    return _with_target(chart, target, target_label).properties(
        title=title, height=260, description=f"{title} by month", autosize=FIT_WIDTH,
    )


def bars(frame: pl.DataFrame, x: str, y: str, title: str, *, target: float | None = None,
         target_label: str = "target", tooltip: tuple[str, ...] = (),
         percent: bool = False) -> alt.Chart:
    """One bar per category, the target as a dashed rule."""
    axis = alt.Axis(format=".0%") if percent else alt.Axis()
    chart = alt.Chart(frame.drop_nulls(y)).mark_bar(color=PALETTE[0]).encode(
        x=alt.X(f"{x}:N", title=None, sort=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y(f"{y}:Q", title=title, axis=axis),
        tooltip=[f"{x}:N", f"{y}:Q", *(f"{c}:Q" for c in tooltip)],
    )
    return _with_target(chart, target, target_label).properties(
        title=title, height=260, description=f"{title} by {x}", autosize=FIT_WIDTH,
    )


def histogram(frame: pl.DataFrame, x: str, title: str, *, limit: float | None = None,
              limit_label: str = "limit") -> alt.Chart:
    """How many rows have each value of `x`, the limit as a dashed vertical rule."""
    chart = alt.Chart(frame).mark_bar(color=PALETTE[0]).encode(
        x=alt.X(f"{x}:O", title=title, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("count():Q", title="Parent Partner months"),
    )
    if limit is not None:
        rule = alt.Chart(pl.DataFrame({x: [limit], "label": [limit_label]})).mark_rule(
            color=TARGET_COLOUR, strokeDash=[6, 4], size=2
        ).encode(x=f"{x}:O", tooltip=["label:N", f"{x}:Q"])
        chart = chart + rule
    return chart.properties(title=title, height=260, autosize=FIT_WIDTH)


# A forest plot's axis per unit of fct_outcome_comparison: proportions and days are never
# drawn on one axis (the days' interval would flatten every proportion's to a point).
# Its keys are the units models/marts/fct_outcome_comparison.yml accepts.
FOREST_AXES = {
    "proportion": ("Difference in share, participants - matched comparisons (95% CI)", ".0%"),
    "days": ("Difference in days, participants - matched comparisons (95% CI)", ",.0f"),
}
# A difference and its interval in a tooltip: the unit's own format (the published label's
# format is `by_unit`, one column holding shares and days), one decimal finer than the axis.
TOOLTIP_DIFFERENCE_FORMATS = {"proportion": "+.1%", "days": "+,.0f"}


def _difference_tooltips(unit: str) -> list[alt.Tooltip]:
    number_format = TOOLTIP_DIFFERENCE_FORMATS[unit]
    return [alt.Tooltip(f"{field}:Q", format=number_format)
            for field in ("difference", "ci_low", "ci_high")]


def forest(frame: pl.DataFrame, unit: str) -> alt.LayerChart:
    """Each outcome's difference (participants - comparisons) with its 95% interval, for
    the outcomes measured in `unit`."""
    title, number_format = FOREST_AXES[unit]
    base = alt.Chart(frame).encode(
        y=alt.Y("outcome:N", title=None, sort=None, axis=alt.Axis(labelLimit=LABEL_LIMIT)))
    interval = base.mark_rule(color=PALETTE[0], size=2).encode(
        x=alt.X("ci_low:Q", title=title, axis=alt.Axis(format=number_format)),
        x2="ci_high:Q",
    )
    point = base.mark_point(filled=True, size=80, color=PALETTE[0]).transform_calculate(
        p_text=_p_text("p_value"),
    ).encode(
        x="difference:Q",
        tooltip=["outcome:N", *_difference_tooltips(unit),
                 alt.Tooltip("p_text:N", title="p-value"), "participant_n:Q", "comparison_n:Q"],
    )
    zero = alt.Chart(pl.DataFrame({"x": [0.0]})).mark_rule(color="#555555").encode(x="x:Q")
    return (interval + point + zero).properties(
        height=max(60, 44 * frame.height), autosize=FIT_WIDTH,
        description=f"Differences in {unit} with 95% confidence intervals")


def love(frame: pl.DataFrame) -> alt.LayerChart:
    """Standardised mean differences before and after matching, one row per covariate."""
    long = frame.unpivot(
        index="covariate", on=["smd_before", "smd_after"], variable_name="when",
        value_name="smd",
    ).with_columns(pl.col("when").replace({"smd_before": "before", "smd_after": "after"}))
    points = alt.Chart(long).mark_point(filled=True, size=60).encode(
        x=alt.X("smd:Q", title="Standardised mean difference"),
        y=alt.Y("covariate:N", title=None, sort=None, axis=alt.Axis(labelLimit=LABEL_LIMIT)),
        color=alt.Color("when:N", title="Matching", scale=_scale()),
        shape=alt.Shape("when:N", title="Matching"),
        tooltip=["covariate:N", "when:N", "smd:Q"],
    )
    zero = alt.Chart(pl.DataFrame({"x": [0.0]})).mark_rule(color="#555555").encode(x="x:Q")
    return (points + zero).properties(height=max(200, 16 * frame.height), autosize=FIT_WIDTH)


def trajectory(frame: pl.DataFrame, tooltip: tuple[str, ...] = ()) -> alt.FacetChart:
    """One small chart per measure: its year-to-date value month by month (line) against
    its target (dashed), both from the data."""
    base = alt.Chart(frame).encode(
        x=alt.X("yearmonth(service_month):T", title=None, axis=alt.Axis(format="%b")),
    )
    value = base.mark_line(point=True, color=PALETTE[0]).encode(
        # Ticks at least a tenth of a point apart, labelled to a tenth where needed: a
        # measure that moves little never shows the same label on several ticks.
        y=alt.Y("value:Q", title="Year to date",
                axis=alt.Axis(format=".1~%", tickMinStep=0.001),
                scale=alt.Scale(zero=False)),
        tooltip=["measure_id:N", "measure_name:N", "yearmonth(service_month):T",
                 alt.Tooltip("value:Q", format=".1%"), alt.Tooltip("target:Q", format=".0%"),
                 *(f"{c}:Q" for c in tooltip)],
    )
    target = base.mark_line(color=TARGET_COLOUR, strokeDash=[6, 4]).encode(y="target:Q")
    return alt.layer(value, target, data=frame).properties(width=215, height=150).facet(
        facet=alt.Facet("measure_name:N", title=None, sort=None), columns=3,
    ).resolve_scale(y="independent").properties(
        description="Each performance measure's year-to-date value by month against its target"
    )


def measures(frame: pl.DataFrame) -> alt.LayerChart:
    """Each performance measure's value (bar) against its target (tick), one row each."""
    base = alt.Chart(frame).encode(
        y=alt.Y("measure_name:N", title=None, sort=None, axis=alt.Axis(labelLimit=LABEL_LIMIT)))
    bar = base.mark_bar(color=PALETTE[0]).encode(
        x=alt.X("value:Q", title="Value", axis=alt.Axis(format=".0%")),
        tooltip=["measure_id:N", "measure_name:N", "numerator:Q", "denominator:Q", "value:Q",
                 "target:Q"],
    )
    target = base.mark_tick(color=TARGET_COLOUR, thickness=3, size=24).encode(x="target:Q")
    return (bar + target).properties(
        height=260, autosize=FIT_WIDTH,
        description="Each performance measure's value against its target",
    )


def indicators(frame: pl.DataFrame) -> alt.Chart:
    """One line per CFSR indicator over the federal fiscal years, a point at each year's end.
    The axis is ticked at those ends and labelled with month and year: ticks chosen by the
    axis itself fall between them, and a month-only label repeats from year to year."""
    ends = sorted(frame["period_end"].drop_nulls().unique())
    return alt.Chart(frame).mark_line(point=True).encode(
        x=alt.X("period_end:T", title="Federal fiscal year ending",
                axis=alt.Axis(values=[alt.DateTime(year=d.year, month=d.month, date=d.day)
                                      for d in ends],
                              format="%b %Y", labelAngle=0)),
        y=alt.Y("indicator_value:Q", title="Observed value"),
        color=alt.Color("indicator:N", title="Indicator", scale=_scale(),
                        legend=alt.Legend(labelLimit=LABEL_LIMIT)),
        tooltip=["indicator:N", "period_start:T", "period_end:T", "numerator:Q",
                 "denominator:Q", "indicator_value:Q"],
    ).properties(height=260, autosize=FIT_WIDTH,
                 description="The CFSR statewide indicators by federal fiscal year")


def disparity(frame: pl.DataFrame, group_label: str) -> alt.LayerChart:
    """Each group's disparity ratio (its share matched over the statewide share) with its
    95% interval; the rule at 1 is the statewide share."""
    base = alt.Chart(frame).encode(
        y=alt.Y("group:N", title=group_label, sort=None, axis=alt.Axis(labelLimit=LABEL_LIMIT)))
    interval = base.mark_rule(color=PALETTE[0], size=2).encode(
        x=alt.X("ci_low:Q", title="Disparity ratio: the group's share over the statewide "
                "share (95% CI)"),
        x2="ci_high:Q",
    )
    point = base.mark_point(filled=True, size=80, color=PALETTE[0]).encode(
        x="disparity_ratio:Q",
        tooltip=["group:N", "removals:Q", "matched:Q", alt.Tooltip("share:Q", format=".1%"),
                 "disparity_ratio:Q", "ci_low:Q", "ci_high:Q"],
    )
    one = alt.Chart(pl.DataFrame({"x": [1.0]})).mark_rule(
        color=TARGET_COLOUR, strokeDash=[6, 4], size=2).encode(x="x:Q")
    return (interval + point + one).properties(
        height=max(60, 30 * frame.height), autosize=FIT_WIDTH,
        description=f"Disparity ratios by {group_label} with 95% confidence intervals")


def cohorts(frame: pl.DataFrame) -> alt.Chart:
    """One line per cohort measure over the match years; a cohort not yet observable for a
    measure has no point (never a zero)."""
    return alt.Chart(frame.drop_nulls("share")).mark_line(point=True).encode(
        x=alt.X("match_sfy:O", title="SFY of the match", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("share:Q", title="Share of the cohort", axis=alt.Axis(format=".0%")),
        color=alt.Color("measure:N", title="Measure", scale=_scale(), sort=None,
                        legend=alt.Legend(labelLimit=LABEL_LIMIT)),
        tooltip=["match_sfy:O", "measure:N", "numerator:Q", "denominator:Q",
                 alt.Tooltip("share:Q", format=".1%")],
    ).properties(height=260, autosize=FIT_WIDTH,
                 description="Each entry cohort's outcomes by the SFY of the match")


def subgroup_forest(frame: pl.DataFrame, unit: str, overall: float | None) -> alt.FacetChart:
    """One outcome's difference within each group, with its 95% interval, one panel per
    grouping; the dashed line is the overall matched difference, the grey one zero."""
    title, number_format = FOREST_AXES[unit]
    base = alt.Chart().encode(
        y=alt.Y("group:N", title=None, sort=None, axis=alt.Axis(labelLimit=LABEL_LIMIT)))
    interval = base.mark_rule(color=PALETTE[0], size=2).encode(
        x=alt.X("ci_low:Q", title=title, axis=alt.Axis(format=number_format)),
        x2=alt.X2("ci_high:Q", title=None))
    point = base.mark_point(filled=True, size=70, color=PALETTE[0]).transform_calculate(
        p_text=_p_text("p_value"), heterogeneity_p_text=_p_text("heterogeneity_p_value"),
    ).encode(
        x=alt.X("difference:Q", title=None),
        tooltip=["grouping:N", "group:N", *_difference_tooltips(unit),
                 alt.Tooltip("p_text:N", title="p-value"), "participant_n:Q",
                 alt.Tooltip("heterogeneity_p_text:N", title="Differs between groups (p)")],
    )
    # The reference lines are drawn for the eye; the description says what they are.
    layers = [interval, point,
              alt.Chart().mark_rule(color="#555555", aria=False).encode(x=alt.datum(0.0))]
    if overall is not None:
        layers.append(alt.Chart().mark_rule(color=TARGET_COLOUR, strokeDash=[6, 4],
                                            aria=False).encode(x=alt.datum(overall)))
    return alt.layer(*layers, data=frame).properties(width=520, height=120).facet(
        row=alt.Row("grouping:N", title=None, header=alt.Header(labelAngle=0,
                                                                labelAlign="left")),
    ).resolve_scale(y="independent").properties(
        description=f"Differences in {unit} by subgroup with 95% confidence intervals; "
                    "dashed: the overall difference")


def _days_axis(last_day: int) -> alt.X:
    return alt.X("day:Q", title="Days since the origin",
                 scale=alt.Scale(domain=[0, int(last_day)], nice=False))


# The curves and the numbers at risk under them are two charts: the same width of y axis
# puts their days at the same place.
Y_AXIS_EXTENT = 90


def survival_curves(frame: pl.DataFrame) -> alt.LayerChart:
    """Kaplan-Meier curves of the share not yet reunified by day, one line per arm with its
    95% band."""
    colour = alt.Color("arm:N", title="Arm", scale=_scale())
    base = alt.Chart(frame).encode(x=_days_axis(frame["day"].max()), color=colour)
    band = base.mark_area(opacity=0.2, interpolate="step-after").encode(
        y=alt.Y("ci_low:Q", title="Share not yet reunified", scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format=".0%", minExtent=Y_AXIS_EXTENT, maxExtent=Y_AXIS_EXTENT)),
        y2=alt.Y2("ci_high:Q", title=None))
    line = base.mark_line(interpolate="step-after").encode(
        y=alt.Y("survival:Q", title=None),
        tooltip=["arm:N", "day:Q", alt.Tooltip("survival:Q", format=".3f"),
                 alt.Tooltip("ci_low:Q", format=".3f"), alt.Tooltip("ci_high:Q", format=".3f"),
                 "at_risk:Q"])
    return (band + line).properties(
        height=280, autosize=FIT_WIDTH,
        description="Kaplan-Meier curves of time to reunification with 95% bands")


def at_risk(frame: pl.DataFrame, last_day: int) -> alt.Chart:
    """The children still followed on the days of `frame`, one row per arm, on the days
    axis of `survival_curves` (which runs to `last_day`)."""
    return alt.Chart(frame).mark_text().encode(
        x=_days_axis(last_day),
        y=alt.Y("arm:N", title="At risk",
                axis=alt.Axis(minExtent=Y_AXIS_EXTENT, maxExtent=Y_AXIS_EXTENT)),
        text="at_risk:Q", color=alt.Color("arm:N", title="Arm", scale=_scale()),
    ).properties(height=60, autosize=FIT_WIDTH,
                 description="Children still followed, by arm, every few months")
