"""validate_outcomes with a fake generator and a fake pipeline: the bookkeeping only."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from orchestration.bench.validation import summarise_validation, validate_outcomes
from orchestration.outcomes.comparison import OUTCOMES

EXPECTED_ATT = {"reunified": 0.10, "reentry_12m": -0.05, "reentry_24m": 0.0,
                "maltreatment_12m": -0.02, "days_in_care": 0.0}
# The sample ATT of the draws sits 0.015 above the expected one in both fake data sets.
SAMPLE_ATT = {outcome: truth + 0.015 for outcome, truth in EXPECTED_ATT.items()}


def fake_generate(out: Path, start: str, months: int, scale: float, seed: int, truth: Path,
                  progress: bool, activity_forms: bool):
    assert activity_forms is False and progress is False  # outcomes read no activity forms
    out.mkdir(parents=True)
    truth.write_text(json.dumps({
        "seed": seed, "scale": scale, "as_of": f"2025-0{seed + 1}-30", "att": SAMPLE_ATT,
        "att_expected": EXPECTED_ATT,
        "planted": {},
    }))


def fake_pipeline(runs: list):
    """Leaves estimates off the expected ATT by +0.01 (seed 0) and +0.03 (seed 1) in
    the warehouse; the interval is +-0.02, so seed 0 covers the expected ATT and seed 1
    does not, while both cover the sample ATT (0.015 above the expected one).
    The naive estimate is 0.1 above the matched one; the worst SMD after is 0.05."""
    def run(env, as_of):
        runs.append((dict(env), as_of))
        offset = 0.01 if as_of.startswith("2025-01") else 0.03
        with duckdb.connect(env["PPA_WAREHOUSE"]) as con:
            con.execute("create schema marts")
            for table, shift in (("fct_outcome_comparison", 0.0),
                                 ("fct_outcome_naive_comparison", 0.1)):
                con.execute(
                    f"create table marts.{table} (outcome varchar, participant_n bigint, "
                    "participant_value double, comparison_n bigint, comparison_value double, "
                    "difference double, ci_low double, ci_high double, p_value double)"
                )
                for outcome, truth in EXPECTED_ATT.items():
                    d = truth + offset + shift
                    con.execute(
                        f"insert into marts.{table} values (?, 100, null, 100, null, ?, ?, ?, 0.5)",
                        [outcome, d, d - 0.02, d + 0.02],
                    )
            con.execute("create table marts.fct_matching_balance "
                        "(covariate varchar, smd_before double, smd_after double)")
            con.execute("insert into marts.fct_matching_balance values "
                        "('age', 0.4, -0.05), ('sex=male', 0.1, 0.01)")
    return run


def test_validation_reports_coverage_and_bias(tmp_path):
    runs: list = []
    report = validate_outcomes(
        seeds=2, scale=0.1, months=24, workdir=tmp_path, progress=False,
        generate=fake_generate, run_pipeline=fake_pipeline(runs),
    )
    json.dumps(report)  # serialisable as promised
    assert [as_of for _, as_of in runs] == ["2025-01-30", "2025-02-30"]
    env = runs[1][0]
    assert env["PPA_LANDING_DIR"] == str(tmp_path / "seed_001" / "landing")
    assert {Path(env[k]).parent for k in ("PPA_WAREHOUSE", "PPA_PUBLISHED", "DAGSTER_HOME")} == {
        tmp_path / "seed_001"
    }
    for outcome in OUTCOMES:
        summary = report["outcomes"][outcome]
        assert summary["n_datasets"] == 2
        assert summary["coverage"] == 0.5
        assert summary["mean_bias"] == pytest.approx(0.02)
        assert summary["mean_truth"] == pytest.approx(EXPECTED_ATT[outcome])
        assert summary["mean_estimate"] == pytest.approx(EXPECTED_ATT[outcome] + 0.02)
        assert summary["coverage_sample_att"] == 1.0
        assert summary["mean_bias_sample_att"] == pytest.approx(0.005)
        assert summary["mean_sample_att"] == pytest.approx(SAMPLE_ATT[outcome])
    assert "att_expected" in report["truths"] and "sample ATT" in report["truths"]
    first = report["datasets"][0]
    assert first["max_abs_smd_after"] == pytest.approx(0.05)
    assert first["naive"]["reunified"]["difference"] == pytest.approx(
        first["estimates"]["reunified"]["difference"] + 0.1)


def test_summary_skips_data_sets_without_an_interval():
    datasets = [
        {"truth": {"reunified": 0.1}, "truth_expected": {"reunified": 0.25},
         "estimates": {"reunified": {"difference": 0.1, "ci_low": 0.0, "ci_high": 0.2}}},
        {"truth": {"reunified": 0.1}, "truth_expected": {"reunified": 0.1},
         "estimates": {"reunified": {"difference": None, "ci_low": None, "ci_high": None}}},
    ]
    summary = summarise_validation(datasets)
    assert summary["reunified"]["n_datasets"] == 1
    assert summary["reunified"]["coverage"] == 0.0
    assert summary["reunified"]["coverage_sample_att"] == 1.0
    assert summary["days_in_care"] == {
        "n_datasets": 0, "coverage": None, "coverage_interval": None, "mean_bias": None,
        "mean_estimate": None, "mean_truth": None, "coverage_sample_att": None,
        "mean_bias_sample_att": None, "mean_sample_att": None, "error_sd": None,
        "mean_standard_error": None, "error_sd_per_standard_error": None,
        "ratio_interval": None,
    }


def test_summary_of_truth_files_without_an_expected_att_keeps_the_sample_figures():
    datasets = [{"truth": {"reunified": 0.1},
                 "estimates": {"reunified": {"difference": 0.12, "ci_low": 0.05, "ci_high": 0.19}}}]
    summary = summarise_validation(datasets)["reunified"]
    assert summary["n_datasets"] == 1 and summary["coverage"] is None
    assert summary["coverage_sample_att"] == 1.0
    assert summary["mean_bias_sample_att"] == pytest.approx(0.02)


def test_report_lists_data_sets_by_seed_whatever_the_number_of_jobs(tmp_path):
    one = validate_outcomes(seeds=2, scale=0.1, months=24, workdir=tmp_path / "one",
                            progress=False, generate=fake_generate,
                            run_pipeline=fake_pipeline([]))
    runs: list = []
    two = validate_outcomes(seeds=2, scale=0.1, months=24, workdir=tmp_path / "two",
                            progress=False, jobs=2, generate=fake_generate,
                            run_pipeline=fake_pipeline(runs))
    assert sorted(as_of for _, as_of in runs) == ["2025-01-30", "2025-02-30"]
    assert [d["seed"] for d in two["datasets"]] == [0, 1]
    assert two["outcomes"] == one["outcomes"]
    assert [d["estimates"] for d in two["datasets"]] == [d["estimates"] for d in one["datasets"]]


def test_a_failed_data_set_fails_the_validation_with_its_reason(tmp_path):
    def failing(env, as_of):
        raise RuntimeError(f"outcome lineage failed for {as_of}")

    with pytest.raises(RuntimeError, match="2025-01-30"):
        validate_outcomes(seeds=1, scale=0.1, months=24, workdir=tmp_path, progress=False,
                          jobs=2, generate=fake_generate, run_pipeline=failing)


def _data_sets(errors: list[float], standard_error: float, truth: float = -0.05) -> list[dict]:
    half = standard_error * 1.959964
    return [{"truth": {"reentry_12m": truth}, "truth_expected": {"reentry_12m": truth},
             "estimates": {"reentry_12m": {"difference": truth + e, "ci_low": truth + e - half,
                                           "ci_high": truth + e + half}}}
            for e in errors]


def test_coverage_comes_with_its_exact_interval():
    # 19 of 20 covered: errors 0 except one of 3 standard errors.
    summary = summarise_validation(_data_sets([0.0] * 19 + [0.03], 0.01))["reentry_12m"]
    assert summary["coverage"] == 0.95
    low, high = summary["coverage_interval"]
    # Clopper-Pearson for 19/20, as tabulated: 0.7513 to 0.9987.
    assert low == pytest.approx(0.7513, abs=1e-4) and high == pytest.approx(0.9987, abs=1e-4)
    every = summarise_validation(_data_sets([0.0] * 20, 0.01))["reentry_12m"]
    assert every["coverage"] == 1.0 and every["coverage_interval"][1] == 1.0
    assert every["coverage_interval"][0] == pytest.approx(0.8316, abs=1e-4)


def test_spread_of_errors_against_the_standard_errors():
    # Errors of exactly +-1 standard error, alternating: SD over 20 is 1.026 SE.
    errors = [0.01 if i % 2 else -0.01 for i in range(20)]
    summary = summarise_validation(_data_sets(errors, 0.01))["reentry_12m"]
    assert summary["error_sd"] == pytest.approx(0.0102598, abs=1e-6)
    assert summary["mean_standard_error"] == pytest.approx(0.01, abs=1e-6)
    ratio = summary["error_sd_per_standard_error"]
    assert ratio == pytest.approx(1.026, abs=1e-3)
    low, high = summary["ratio_interval"]
    # chi-square 19 dof: 8.907 and 32.852 are its 2.5% and 97.5% points.
    assert low == pytest.approx(ratio * (19 / 32.852) ** 0.5, abs=1e-3)
    assert high == pytest.approx(ratio * (19 / 8.907) ** 0.5, abs=1e-3)
    # Over-covering intervals (errors a third of the standard error) read well below 1.
    tight = summarise_validation(_data_sets([e / 3 for e in errors], 0.01))["reentry_12m"]
    assert tight["ratio_interval"][1] < 1
