"""`ppa validate-outcomes` for real: the generator, the outcome lineage in its own
process per data set (two at once with --jobs 2, so two dbt builds run side by side),
and the JSON report. Small data sets (scale 0.3, 36 months: about 450 pairs each), so
the figures are too noisy to judge the estimator; the 100-data-set run in
docs/synthetic-data.md does that. This checks that the command works end to end and
that --jobs changes nothing.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import warm_ppa

from orchestration.outcomes.comparison import OUTCOMES

pytestmark = pytest.mark.slow

SMALL = ["--scale", "0.3", "--months", "36"]


def _validate(tmp_path: Path, name: str, *args: str) -> dict:
    out = tmp_path / f"{name}.json"
    result = warm_ppa.run(["validate-outcomes", *SMALL, *args, "--workdir",
                           str(tmp_path / name), "--out", str(out)], env=dict(os.environ))
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout)
    assert json.loads(out.read_text()) == report
    return report


@pytest.fixture(scope="module")
def two_at_once(tmp_path_factory):
    return _validate(tmp_path_factory.mktemp("validate"), "jobs2", "--seeds", "2", "--jobs", "2")


def test_every_data_set_has_an_estimate_and_a_truth_per_outcome(two_at_once):
    assert [d["seed"] for d in two_at_once["datasets"]] == [0, 1]
    for data in two_at_once["datasets"]:
        assert data["max_abs_smd_after"] is not None
        for outcome in OUTCOMES:
            estimate = data["estimates"][outcome]
            assert estimate["pairs"] > 0
            assert estimate["ci_low"] <= estimate["difference"] <= estimate["ci_high"]
            assert data["truth_expected"][outcome] is not None
        # The planted reunification gain is about +0.10; two data sets this small
        # can miss it, but not by the whole width of the scale.
        assert -0.1 < data["estimates"]["reunified"]["difference"] < 0.3


def test_summary_carries_coverage_with_its_interval_and_the_error_spread(two_at_once):
    for outcome in OUTCOMES:
        summary = two_at_once["outcomes"][outcome]
        assert summary["n_datasets"] == 2
        low, high = summary["coverage_interval"]
        assert 0 <= low <= summary["coverage"] <= high <= 1
        assert summary["mean_standard_error"] > 0 and summary["error_sd"] >= 0
        low, high = summary["ratio_interval"]
        assert low <= summary["error_sd_per_standard_error"] <= high


def test_one_job_gives_the_same_estimates_for_the_same_seed(two_at_once, tmp_path):
    alone = _validate(tmp_path, "jobs1", "--seeds", "1")
    assert alone["datasets"][0]["estimates"] == two_at_once["datasets"][0]["estimates"]
    assert alone["datasets"][0]["truth_expected"] == two_at_once["datasets"][0]["truth_expected"]
