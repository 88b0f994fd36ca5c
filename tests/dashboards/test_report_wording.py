"""Pages that read like a report: p-values, codes and column names in the readers' words,
charts titled from the published labels with colours that tell fifteen sites apart, and
the scan that finds a raw column name on a page."""

from __future__ import annotations

import datetime as dt

import altair as alt
import polars as pl
from streamlit.testing.v1 import AppTest
from visible_text import raw_names_shown

from dashboards import charts
from dashboards.labels import Labels

LABELS = Labels({
    "area_id": ("Area", "text"), "service_month": ("Month", "month"),
    "share_forms_on_time": ("Forms on time (share)", "percent"),
    "forms_on_time": ("Forms on time", "integer"), "p_value": ("p-value", "pvalue"),
    "level": ("Level", "code"), "covariate": ("Covariate", "worded"),
    "service_area": ("Service area", "text"), "avg_caseload": ("Families per Parent Partner",
                                                               "decimal1"),
})


def test_a_p_value_below_a_thousandth_reads_less_than_0_001():
    frame = pl.DataFrame({"p_value": [0.0000004, 0.0123, None]})
    assert LABELS.as_text(frame)["p-value"].to_list() == ["< 0.001", "0.012", None]
    assert LABELS.screen(frame)["p_value"].to_list() == ["< 0.001", "0.012", None]


def test_an_outcomes_values_read_in_its_unit_proportions_as_percentages():
    labels = Labels({**LABELS.columns, "participant_value": ("Participants", "by_unit"),
                     "unit": ("Unit", "text")})
    frame = pl.DataFrame({"participant_value": [0.644, 312.46, None],
                          "unit": ["proportion", "days", "proportion"]})
    assert labels.as_text(frame)["Participants"].to_list() == ["64.40%", "312.5", None]
    assert labels.screen(frame)["participant_value"].to_list() == ["64.40%", "312.5", None]
    # Without a unit beside it (a disparity ratio's interval), to three places.
    alone = pl.DataFrame({"participant_value": [0.644]})
    assert labels.as_text(alone)["Participants"].to_list() == ["0.644"]


def test_codes_and_names_built_of_column_names_read_as_words():
    frame = pl.DataFrame({"level": ["service_area", "site"],
                          "covariate": ["service_area=Eastern", "age_at_removal_years"]})
    shown = LABELS.as_text(frame)
    assert shown["Level"].to_list() == ["service area", "site"]
    assert shown["Covariate"].to_list() == ["Service area=Eastern", "age at removal years"]
    assert LABELS.worded("numerator: forms_on_time") == "numerator: Forms on time"


def test_a_scorecard_value_reads_in_its_measures_format():
    assert LABELS.in_format_of("share_forms_on_time", 0.875) == "87.50%"
    assert LABELS.in_format_of("share_forms_on_time", -0.05, change=True) == "-5.0 points"
    assert LABELS.in_format_of("avg_caseload", 12.25) == "12.2"
    assert LABELS.in_format_of("avg_caseload", 3.0, change=True) == "+3.0"


def _trend(areas: int) -> pl.DataFrame:
    return pl.DataFrame({
        "area_id": [f"S{i:02d}" for i in range(1, areas + 1)],
        "service_month": [dt.date(2024, 6, 1)] * areas,
        "share_forms_on_time": [0.5] * areas, "forms_on_time": [5] * areas,
    })


def _channels(spec):
    if isinstance(spec, dict):
        for channel, definition in (spec.get("encoding") or {}).items():
            for one in definition if isinstance(definition, list) else [definition]:
                yield channel, one
        for key, value in spec.items():
            if key not in ("encoding", "datasets"):
                yield from _channels(value)
    elif isinstance(spec, list):
        for item in spec:
            yield from _channels(item)


def test_every_field_a_chart_draws_is_titled_and_formatted_from_the_labels():
    spec = charts.labelled(charts.trend(_trend(3), "share_forms_on_time", "Forms on time",
                                        tooltip=("forms_on_time",), target=0.9), LABELS)
    fields = [(c, d) for c, d in _channels(spec) if "field" in d]
    assert fields and all("title" in d for c, d in fields if c != "y")
    # The axis shared with the target's rule reads the measure alone (layers' titles join).
    assert [d["title"] for c, d in fields if c == "y" and "title" in d] == ["Forms on time"]
    tooltips = {d["field"]: d for c, d in fields if c == "tooltip"}
    assert tooltips["share_forms_on_time"]["title"] == "Forms on time (share)"
    assert tooltips["share_forms_on_time"]["format"] == ".1%"
    assert tooltips["forms_on_time"]["format"] == ",.0f"
    assert tooltips["service_month"]["title"] == "Month"
    # Tick labels stay inside the drawing.
    assert spec["config"]["axisX"]["labelFlush"] is True
    assert spec["config"]["axis"]["labelOverlap"] is True


def test_codes_drawn_as_categories_read_as_words():
    frame = pl.DataFrame({"covariate": ["service_area=Eastern"], "smd": [0.2]})
    chart = alt.Chart(frame).mark_point().encode(y="covariate:N", x="smd:Q")
    spec = charts.labelled(chart, LABELS)
    rows = next(iter(spec["datasets"].values()))
    assert rows[0]["covariate"] == "Service area=Eastern"


def test_fifteen_sites_get_fifteen_colours_and_one_site_stands_out_in_grey():
    areas = [f"S{i:02d}" for i in range(1, 16)]
    many = charts.area_scale(areas).to_dict()
    assert many["scheme"] == charts.MANY_AREAS_SCHEME == "tableau20"  # twenty colours
    assert charts.area_scale(areas[:5]).to_dict()["range"] == charts.PALETTE[:5]
    one = charts.area_scale(areas, highlight="S07").to_dict()["range"]
    assert one[6] == charts.HIGHLIGHT_COLOUR
    assert set(one[:6] + one[7:]) == {charts.REST_COLOUR}


def _page_with_raw_names():
    import altair as alt
    import polars as pl
    import streamlit as st

    st.caption("Share of forms: forms_on_time over the expected")
    st.dataframe(pl.DataFrame({"share_forms_on_time": [0.5]}))
    st.vega_lite_chart(alt.Chart(pl.DataFrame({"avg_caseload": [1.0]})).mark_bar().encode(
        y="avg_caseload:Q").to_dict())


def test_the_scan_finds_a_raw_column_name_in_a_caption_a_header_and_a_chart():
    app = AppTest.from_function(_page_with_raw_names, default_timeout=60).run()
    found = raw_names_shown(app, {"forms_on_time", "share_forms_on_time", "avg_caseload"})
    assert found == [("caption", "forms_on_time"), ("chart", "avg_caseload"),
                     ("table header", "share_forms_on_time")]


def test_the_methodology_page_is_organised_by_the_measures(monkeypatch, dashboard_env):
    from test_dashboard_pages import page_as

    app = page_as(monkeypatch, "leadership", "methodology")
    assert not app.exception
    blocks = [m.value for m in app.markdown]
    headings = [b.removeprefix("#### ") for b in blocks if b.startswith("#### ")]
    assert {"Timely documentation", "Families per Parent Partner"} <= set(headings)
    assert not [h for h in headings if "_" in h]  # a model is no heading
    for name in ("Timely documentation", "Families per Parent Partner"):
        parts = blocks[blocks.index(f"#### {name}") + 1]
        for part in ("Definition", "Numerator", "Denominator", "Exclusions", "Target",
                     "Source"):
            assert f"**{part}:**" in parts, (name, part)
    references = [c.value for c in app.caption if c.value.startswith("Technical reference")]
    assert "Technical reference: agg_activity_month, agg_activity_sfy" in references
    assert "Technical reference: fct_performance_measure (measure PM05)" in references
