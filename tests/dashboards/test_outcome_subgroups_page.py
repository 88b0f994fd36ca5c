"""The outcomes page's effect by group and time to reunification, for each role within its
rights: coordinators see the forest plot and the curves with their tables and CSVs;
leadership sees the suppressed subgroup table and, instead of the curves, why they are
withheld."""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest
from conftest import leadership_beside
from test_dashboard_pages import page_as
from test_dashboard_presentation import AS_SHARES, difference_tooltip_formats

from dashboards.views.outcomes import CURVES_WITHHELD
from orchestration.defs.assets.leadership import read_publication, read_truth, write_candidate
from orchestration.disclosure.audit import attack


@pytest.fixture
def reliable(published, tmp_path, monkeypatch):
    """A copy of the demo's published file with a reliable study, and estimates for girls
    and boys (the demo is too small to reach the minimum of pairs; no child of either went
    home, so the groups stay within the study's counts)."""
    copy = tmp_path / "published.duckdb"
    shutil.copyfile(published, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute("update marts.fct_outcome_study_status set status = 'reliable', "
                    "reason = null")
        con.execute("""
            update marts.fct_outcome_by_subgroup set participant_value = 0,
                comparison_value = 0, difference = 0, ci_low = -0.1, ci_high = 0.1,
                p_value = 1, heterogeneity_p_value = 0.9
            where grouping = 'child_sex' and outcome = 'reunified'""")
    write_candidate(copy, leadership_beside(copy))
    monkeypatch.setenv("PPA_PUBLISHED", str(copy))
    return copy


def _specs(app) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in app.get("vega_lite_chart")]


def test_coordinators_see_the_forest_plot_and_the_curves(reliable, monkeypatch):
    app = page_as(monkeypatch, "state_coordinator", "outcomes", subgroup_outcome="reunified")
    assert not app.exception
    headings = [h.value for h in app.subheader]
    assert "Effect by group (exploratory)" in headings and "Time to reunification" in headings
    descriptions = [spec.get("description", "") for spec in _specs(app)]
    assert any("by subgroup" in d for d in descriptions)
    assert any("Kaplan-Meier" in d for d in descriptions)
    columns = [set(frame.value.columns) for frame in app.dataframe]
    assert {"grouping", "group", "heterogeneity_p_value"} <= set.union(*columns)
    assert {"arm", "origin", "day", "survival", "at_risk"} <= set.union(*columns)
    assert not any(CURVES_WITHHELD == i.value for i in app.info)
    # The groups' differences read as signed percentages, as the overall plot's do.
    assert difference_tooltip_formats(app)[("proportion", True)] == AS_SHARES
    # A CSV under each table (show_table keys its button by the table's name).
    downloads = " ".join(b.proto.id for b in app.get("download_button"))
    assert "csv_effect_by_group" in downloads
    assert "csv_time_to_reunification_removal" in downloads


def test_leadership_sees_suppressed_groups_and_no_curves(reliable, monkeypatch):
    app = page_as(monkeypatch, "leadership", "outcomes", subgroup_outcome="reunified")
    assert not app.exception
    assert CURVES_WITHHELD in [i.value for i in app.info]
    assert not any("Kaplan-Meier" in spec.get("description", "") for spec in _specs(app))
    publication = read_publication(leadership_beside(reliable))
    assert "fct_time_to_reunification" not in publication
    groups = publication["fct_outcome_by_subgroup"]
    assert not groups.is_empty()
    shown = groups.drop_nulls("participant_n")["participant_n"]
    assert not shown.is_between(1, 10).any()
    assert attack(publication, read_truth(reliable)).passed
