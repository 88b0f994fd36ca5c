"""An outcome study that is not reliable: the outcomes page says why above the results, and
leadership's publication carries the reason with the results withheld."""

from __future__ import annotations

import shutil

import duckdb
import pytest
from conftest import leadership_beside
from test_dashboard_pages import page_as

from orchestration.defs.assets.leadership import read_publication, read_truth, write_candidate
from orchestration.disclosure.audit import attack

REASON = ("Covariates age_band=1-5 and removal_reason=neglect remain unbalanced after matching "
          "(SMD 0.140, -0.120); the comparison is shown for information only.")
# The reason as the page words it: each covariate under its column's label.
SHOWN = ("Covariates Age band at removal=1-5 and Removal reason=neglect remain unbalanced after "
         "matching (SMD 0.140, -0.120); the comparison is shown for information only.")


def judge(published, tmp_path, monkeypatch, status: str, reason: str | None):
    """A copy of the demo's published file whose study is judged `status`, with the
    leadership publication built from it beside it."""
    copy = tmp_path / "published.duckdb"
    shutil.copyfile(published, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute("update marts.fct_outcome_study_status set status = ?, reason = ?",
                    [status, reason])
    write_candidate(copy, leadership_beside(copy))
    monkeypatch.setenv("PPA_PUBLISHED", str(copy))
    return copy


@pytest.fixture
def judged(published, tmp_path, monkeypatch):
    return judge(published, tmp_path, monkeypatch, "not_reliable", REASON)


def test_coordinators_see_the_reason_above_the_results(judged, monkeypatch):
    app = page_as(monkeypatch, "state_coordinator", "outcomes")
    assert not app.exception
    assert [w.value for w in app.warning if "unbalanced" in w.value] == [SHOWN]
    # The results stay, for information.
    assert any("difference" in frame.value.columns for frame in app.dataframe)


def test_leadership_sees_the_results_withheld_with_the_reason(judged, monkeypatch):
    app = page_as(monkeypatch, "leadership", "outcomes")
    assert not app.exception
    [warning] = [w.value for w in app.warning if "unbalanced" in w.value]
    assert warning.startswith(SHOWN) and "withholds the results" in warning
    publication = read_publication(leadership_beside(judged))
    assert publication["fct_outcome_comparison"].is_empty()
    assert publication["fct_outcome_naive_comparison"].is_empty()
    assert publication["fct_outcome_study_status"].rows() == [("not_reliable", REASON)]
    assert attack(publication, read_truth(judged)).passed


def test_a_reliable_study_shows_no_warning_and_reaches_leadership(published, tmp_path,
                                                                  monkeypatch):
    reliable = judge(published, tmp_path, monkeypatch, "reliable", None)
    app = page_as(monkeypatch, "leadership", "outcomes")
    assert not app.exception
    assert not [w.value for w in app.warning if "information only" in w.value]
    publication = read_publication(leadership_beside(reliable))
    assert publication["fct_outcome_study_status"].rows() == [("reliable", None)]
    assert not publication["fct_outcome_comparison"].is_empty()
