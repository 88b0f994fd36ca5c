"""What readers see: published labels and formats, empty cells, zero against suppressed,
the contract's year-to-date trajectories and the code version on the methodology page."""

from __future__ import annotations

import io
import json

import polars as pl
import pytest
from conftest import marts
from test_dashboard_pages import page_as

from dashboards import charts, data_access
from dashboards.filters import Filters
from dashboards.labels import EMPTY, Labels
from dashboards.suppression import SUPPRESSED_LABEL, for_display
from dashboards.viewer import Viewer
from orchestration.disclosure.publication import leadership_tables

STATE = Viewer("state", "state_coordinator")
LEADERSHIP = Viewer("lead", "leadership")

pytestmark = pytest.mark.usefixtures("dashboard_env")


def test_a_count_of_zero_is_shown_and_a_rate_over_no_cases_is_empty():
    """Zero is not a small cell: it is shown, and a rate over zero cases has no value to
    hide - it stays empty instead of reading as suppressed."""
    frame = pl.DataFrame({
        "outcome": ["reunified", "re-entry 24 months", "re-abuse"],
        "participant_n": [400, 0, 7],
        "participant_value": [0.6, None, 2 / 7],
        "comparison_n": [400, 0, 7],
        "comparison_value": [0.5, None, 3 / 7],
        "difference": [0.1, None, -1 / 7],
        "ci_low": [0.03, None, -0.6],
        "ci_high": [0.17, None, 0.3],
        "p_value": [0.004, None, 0.6],
        "unit": ["proportion"] * 3,
    })
    published = leadership_tables({"fct_outcome_comparison": frame})["fct_outcome_comparison"]
    shown = for_display(frame.select("outcome").join(published, on="outcome", maintain_order="left").select(
        [*frame.columns, "participant_n__suppressed", "participant_value__suppressed"]))
    assert shown["participant_n"].to_list() == ["400", "0", SUPPRESSED_LABEL]
    assert shown["participant_value"].to_list() == ["0.6", None, SUPPRESSED_LABEL]


def test_zero_participants_read_zero_for_leadership_on_the_published_data():
    """The same on the published tables: every displayed count of 0 reads "0", and no
    empty value sits beside a count of 0 marked as suppressed."""
    for frame in (data_access.outcome_comparison(LEADERSHIP),
                  data_access.sample_flow(LEADERSHIP),
                  data_access.performance_measures(LEADERSHIP, Filters())):
        flags = [c for c in frame.columns if c.endswith("__suppressed")]
        for flag in flags:
            column = flag.removesuffix("__suppressed")
            zeros = frame.filter(pl.col(column) == 0)
            assert not zeros[flag].any(), column
        if "denominator" in frame.columns:
            empty = frame.filter(pl.col("denominator") == 0)
            assert not empty["value__suppressed"].any()


def _labels(published) -> Labels:
    return Labels.from_frame(marts(published, "select * from marts.dim_column_label"))


def test_every_column_a_page_shows_has_a_published_label(monkeypatch, published):
    """Table headers are the published labels, never raw column names; numbers carry the
    published format; an empty cell shows an en dash."""
    labels = _labels(published)
    topics = _topic_labels(published)
    for role, page in (("state_coordinator", "overview"), ("state_coordinator", "site"),
                       ("state_coordinator", "contract"), ("state_coordinator", "outcomes"),
                       ("state_coordinator", "reach"), ("leadership", "reach"),
                       ("leadership", "fidelity"), ("state_coordinator", "data-quality")):
        app = page_as(monkeypatch, role, page,
                      site="S01" if role == "state_coordinator" else None)
        assert not app.exception
        for table in app.dataframe:
            config = json.loads(table.proto.columns)
            assert table.proto.placeholder == EMPTY
            for column in table.value.columns:
                if column[:4].isdigit() or column in topics:
                    continue  # a month of the family grid, a topic of the training grid
                assert column in labels.columns, (page, column)
                assert config[column]["label"] == labels.label(column)
                if labels.format(column) == "percent" and table.value[column].dtype.kind == "f":
                    assert config[column]["type_config"]["format"] == "percent"


def _topic_labels(published) -> set[str]:
    return set(marts(published, "select distinct topic_label from marts.fct_pp_training_topic")
               ["topic_label"])


def test_csv_cells_read_as_on_screen(published):
    """The CSV holds the table under its labels, shares as percentages, counts whole."""
    labels = _labels(published)
    frame = data_access.activity_trend(STATE, Filters(sfy=2024))
    csv = pl.read_csv(io.StringIO(labels.as_text(for_display(frame, labels.text)).write_csv()),
                      infer_schema=False)
    assert "Forms on time (share)" in csv.columns and "share_forms_on_time" not in csv.columns
    first = frame.row(0, named=True)
    shown = csv.row(0, named=True)
    assert shown["Forms on time (share)"] == f"{first['share_forms_on_time']:.2%}"
    assert shown["Active families"] == str(first["active_families"])
    assert shown["Month"] == first["service_month"].strftime("%Y-%m")


def test_the_trajectory_is_the_published_year_to_date_and_ends_at_the_sfy_figure(published):
    trajectory = data_access.measure_trajectory(STATE, Filters(sfy=2024))
    expected = marts(published, "select * from marts.fct_performance_measure_ytd "
                     "where sfy = 2024 order by measure_id, service_month")
    assert trajectory.height == expected.height > 0
    assert trajectory["value"].to_list() == expected["value"].to_list()
    last = trajectory.filter(pl.col("service_month") == pl.col("service_month").max())
    sfy = marts(published, "select measure_id, numerator, denominator "
                "from marts.fct_performance_measure where sfy = 2024 order by measure_id")
    assert last.sort("measure_id").select("measure_id", "numerator", "denominator").equals(
        sfy, null_equal=True)


def test_leadership_gets_the_trajectory_values_without_its_running_counts(published):
    trajectory = data_access.measure_trajectory(LEADERSHIP, Filters(sfy=2024))
    assert trajectory.height > 0
    assert not {"numerator", "denominator"} & set(trajectory.columns)
    small = marts(published, "select service_month, measure_id from "
                  "marts.fct_performance_measure_ytd "
                  "where sfy = 2024 and denominator between 1 and 10")
    hidden = trajectory.join(small, on=["service_month", "measure_id"])
    assert hidden.height == small.height
    assert hidden["value__suppressed"].all() and hidden["value"].is_null().all()
    # More are hidden where two months in a row would give a month's few cases away.
    assert trajectory["value__suppressed"].sum() >= small.height


def test_the_contract_page_draws_the_trajectories(monkeypatch):
    app = page_as(monkeypatch, "state_coordinator", "contract")
    assert not app.exception
    assert any(s.value == "Year to date, month by month" for s in app.subheader)
    tables = [t.value for t in app.dataframe if "service_month" in t.value.columns
              and "measure_id" in t.value.columns]
    assert tables and set(tables[0]["measure_id"]) == {f"PM0{i}" for i in range(1, 8)}


def test_the_methodology_page_names_the_code_and_the_run(monkeypatch, published):
    refresh = marts(published, "select * from marts.meta_refresh").row(0, named=True)
    assert refresh["code_commit"] and refresh["package_version"] and refresh["dbt_version"]
    app = page_as(monkeypatch, "leadership", "methodology")
    text = "\n".join(m.value for m in app.markdown)
    assert refresh["code_commit"][:12] in text
    assert refresh["run_id"] in text
    assert f"package version {refresh['package_version']}" in text
    assert str(refresh["run_started_at"]) in text


def test_every_published_format_is_one_the_pages_render(published):
    from dashboards import labels as labels_module

    known = {"text", "boolean", *labels_module._SCREEN_FORMATS, *labels_module._DATE_FORMATS}
    published_formats = {fmt for _, fmt in _labels(published).columns.values()}
    assert published_formats <= known, published_formats - known


def test_the_forest_plot_never_draws_days_on_a_proportions_axis(monkeypatch, published):
    """One forest plot per published unit of the comparison, each on its own axis."""
    app = page_as(monkeypatch, "state_coordinator", "outcomes")
    assert not app.exception
    specs = [json.loads(chart.proto.spec) for chart in app.get("vega_lite_chart")]
    forests = {}
    for spec in specs:
        if spec.get("description", "").startswith("Differences in "):
            interval = spec["layer"][0]["encoding"]["x"]
            forests[spec["description"]] = (interval["title"], interval["axis"]["format"])
    units = marts(published, "select distinct unit from marts.fct_outcome_comparison "
                             "where difference is not null")["unit"].to_list()
    assert set(units) == {"proportion", "days"}
    assert forests == {
        "Differences in proportion with 95% confidence intervals":
            ("Difference in share, participants - matched comparisons (95% CI)", ".0%"),
        "Differences in days with 95% confidence intervals":
            ("Difference in days, participants - matched comparisons (95% CI)", ",.0f"),
    }


AS_SHARES = dict.fromkeys(("difference", "ci_low", "ci_high"), "+.1%")
AS_DAYS = dict.fromkeys(("difference", "ci_low", "ci_high"), "+,.0f")


def difference_tooltip_formats(app) -> dict[tuple[str, bool], dict[str, str | None]]:
    """(unit, by subgroup) -> the tooltip format of the difference and its interval, for
    each forest plot on the page."""
    formats = {}
    for chart in app.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        description = spec.get("description", "")
        if description.startswith("Differences in "):
            # The overall plot is layered; the subgroups' is a facet of the same layers.
            point = (spec.get("spec") or spec)["layer"][1]
            formats[(description.split()[2], "by subgroup" in description)] = {
                entry["field"]: entry.get("format") for entry in point["encoding"]["tooltip"]
                if entry["field"] in ("difference", "ci_low", "ci_high")}
    return formats


def test_the_forest_plots_tooltips_read_in_the_unit_of_their_outcomes(monkeypatch):
    """A difference and its interval read as signed percentages on the proportions' plot and
    as whole days on the days' plot, never as raw decimals (their published format is
    `by_unit`, which no single number format fits)."""
    app = page_as(monkeypatch, "state_coordinator", "outcomes")
    assert not app.exception
    formats = difference_tooltip_formats(app)
    assert formats[("proportion", False)] == AS_SHARES
    assert formats[("days", False)] == AS_DAYS


def test_the_entry_cohorts_name_their_measures_in_words(monkeypatch, published):
    """The cohort measures (`reunified_6m`, `still_in_care`, ...) read as words in the
    table and in the chart's legend, not as the mart's codes."""
    app = page_as(monkeypatch, "state_coordinator", "reach")
    assert not app.exception
    shown = [frame.value for frame in app.dataframe if "measure" in frame.value.columns]
    assert shown, "no cohort table on the reach page"
    measures = set(shown[0]["measure"].to_list())
    assert "still in care" in measures
    assert not any("_" in measure for measure in measures), measures
    # The chart as the page draws it (Streamlit sends its rows apart from the spec).
    cohorts = marts(published, "select match_sfy, measure, denominator, numerator, share, "
                               "status, follow_up_ends from marts.agg_match_cohort")
    spec = charts.labelled(charts.cohorts(cohorts), _labels(published))
    drawn = {row["measure"] for rows in spec["datasets"].values() for row in rows
             if "measure" in row}
    assert "still in care" in drawn
    assert not any("_" in measure for measure in drawn), drawn
