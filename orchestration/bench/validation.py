"""Does the matched estimate find the truth? Coverage and bias over generated data sets.

For each seed: generate a landing zone whose true effects are known (the generator's
truth file holds the ATT from both potential outcomes of every participant episode),
leaving out the activity forms, which no outcome reads; run the outcome lineage on it
in its own process (`python -m orchestration.bench.lineage_run <truth as_of>`, paths
pointing into the data set's folder: ingestion of the extracts, the dbt models, the
matching and the comparisons - dbt tests and asset checks included); read
marts.fct_outcome_comparison, the naive comparison and the balance from the warehouse;
and compare each outcome's difference and 95% interval with the truth: the expected
ATT on the treated (the estimand of the interval) and the sample ATT of the draws.
"""

from __future__ import annotations

import json
import math
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
from scipy import stats

from orchestration.config import REPO_ROOT
from orchestration.outcomes.comparison import CONFIDENCE, OUTCOMES, Z

DEFAULT_START = "2019-07"  # the first contract year

Generator = Callable[..., object]
PipelineRunner = Callable[[Mapping[str, str], str], None]


def run_outcome_lineage_subprocess(env: Mapping[str, str], as_of: str) -> None:
    """The outcome lineage in a fresh interpreter (orchestration.bench.lineage_run says why),
    its paths from `env`."""
    completed = subprocess.run(
        [sys.executable, "-m", "orchestration.bench.lineage_run", as_of],
        cwd=REPO_ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,  # the exit code is turned into an error with the stderr tail below
    )
    if completed.returncode != 0:
        tail = "\n".join(completed.stderr.strip().splitlines()[-20:])
        raise RuntimeError(f"outcome lineage failed (exit {completed.returncode}):\n{tail}")


def _comparison(con, table: str) -> dict[str, dict]:
    rows = con.sql(
        f"select outcome, participant_n, difference, ci_low, ci_high, p_value from {table}"
    ).fetchall()
    return {
        outcome: {"pairs": n, "difference": d, "ci_low": lo, "ci_high": hi, "p_value": p}
        for outcome, n, d, lo, hi, p in rows
    }


def read_outcome_results(warehouse: Path) -> dict:
    """The matched and naive comparisons and the worst balance after matching."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        worst = con.sql(
            "select max(abs(smd_after)) from marts.fct_matching_balance"
        ).fetchall()[0][0]
        return {
            "estimates": _comparison(con, "marts.fct_outcome_comparison"),
            "naive": _comparison(con, "marts.fct_outcome_naive_comparison"),
            "max_abs_smd_after": worst,
        }


TRUTH_NOTE = (
    "coverage, mean_bias and mean_truth are against att_expected, the expected ATT on "
    "the treated (mean over the participant episodes of the model's treated-minus-"
    "untreated outcome probability): the estimand the matched 95% interval is built for. "
    "coverage_sample_att, mean_bias_sample_att and mean_sample_att are against att, the "
    "sample ATT of the simulated draws of both potential outcomes of the same "
    "participants; it shares the participants' own outcome noise with the estimate, so "
    "the interval covers it more often than 95%."
)


def _against(usable: list[tuple[dict, float]]
             ) -> tuple[int, float | None, float | None, float | None]:
    """Data sets covered, coverage, mean bias and mean truth of (estimate, truth) pairs."""
    n = len(usable)
    if not n:
        return 0, None, None, None
    covered = sum(e["ci_low"] <= t <= e["ci_high"] for e, t in usable)
    return (covered, covered / n, sum(e["difference"] - t for e, t in usable) / n,
            sum(t for _, t in usable) / n)


def coverage_interval(covered: int, n: int) -> list[float] | None:
    """Exact (Clopper-Pearson) 95% interval of the coverage itself: with 20 data sets a
    true 95% shows as anything from 18/20 to 20/20 by chance, and this says how sure
    a measured coverage is."""
    if not n:
        return None
    interval = stats.binomtest(covered, n).proportion_ci(CONFIDENCE, method="exact")
    return [round(float(interval.low), 4), round(float(interval.high), 4)]


def _spread(usable: list[tuple[dict, float]]) -> dict[str, float | None]:
    """How far the errors (estimate - truth) scatter against what the intervals claim.

    `error_sd` is their standard deviation over the data sets, `mean_standard_error`
    the mean of each interval's half-width / z; their ratio is about 1 when the
    interval is honest, below 1 when it over-covers. From n data sets the ratio is
    itself uncertain: under an honest interval, (n-1) ratio^2 is about chi-square with
    n-1 degrees of freedom, which `ratio_interval` inverts (95%)."""
    n = len(usable)
    if n < 2:
        return {"error_sd": None, "mean_standard_error": None,
                "error_sd_per_standard_error": None, "ratio_interval": None}
    error_sd = statistics.stdev(e["difference"] - t for e, t in usable)
    mean_se = statistics.fmean((e["ci_high"] - e["ci_low"]) / (2 * Z) for e, _ in usable)
    ratio = error_sd / mean_se if mean_se else None
    interval = None
    if ratio is not None:
        dof = n - 1
        tail = (1 - CONFIDENCE) / 2
        interval = [round(ratio * math.sqrt(dof / float(stats.chi2.ppf(1 - tail, dof))), 4),
                    round(ratio * math.sqrt(dof / float(stats.chi2.ppf(tail, dof))), 4)]
    return {"error_sd": round(error_sd, 6), "mean_standard_error": round(mean_se, 6),
            "error_sd_per_standard_error": round(ratio, 4) if ratio is not None else None,
            "ratio_interval": interval}


def summarise_validation(datasets: list[dict]) -> dict[str, dict]:
    """Per outcome over the data sets where both an interval and a truth exist: coverage
    by the interval, mean bias and mean truth against the expected ATT (`truth_expected`,
    the primary figures) and against the sample ATT (`truth`), mean estimate, n; the
    exact 95% interval of the coverage against the expected ATT; and the spread of the
    errors against the intervals' standard errors (`_spread`).

    Data sets without an expected truth (truth files from before it existed) count
    only towards the sample-ATT figures."""
    summary: dict[str, dict] = {}
    for outcome in OUTCOMES:
        sample, expected, estimates = [], [], []
        for data in datasets:
            estimate = data["estimates"].get(outcome) or {}
            if None in (
                estimate.get("difference"), estimate.get("ci_low"), estimate.get("ci_high")
            ):
                continue
            truth = data["truth"].get(outcome)
            truth_expected = (data.get("truth_expected") or {}).get(outcome)
            if truth is None and truth_expected is None:
                continue
            estimates.append(estimate["difference"])
            if truth is not None:
                sample.append((estimate, float(truth)))
            if truth_expected is not None:
                expected.append((estimate, float(truth_expected)))
        covered, coverage, bias, mean_truth = _against(expected)
        _, coverage_sample, bias_sample, mean_sample = _against(sample)
        summary[outcome] = {
            "n_datasets": len(estimates),
            "coverage": coverage,
            "coverage_interval": coverage_interval(covered, len(expected)),
            "mean_bias": bias,
            "mean_estimate": sum(estimates) / len(estimates) if estimates else None,
            "mean_truth": mean_truth,
            "coverage_sample_att": coverage_sample,
            "mean_bias_sample_att": bias_sample,
            "mean_sample_att": mean_sample,
            **_spread(expected),
        }
    return summary


def _default_generator() -> Generator:
    from orchestration.synthetic import generate_landing_zone

    return generate_landing_zone


def _one_data_set(seed: int, scale: float, months: int, workdir: Path, progress: bool,
                  generate: Generator, run_pipeline: PipelineRunner) -> dict:
    started = time.perf_counter()
    folder = workdir / f"seed_{seed:03d}"
    folder.mkdir(parents=True, exist_ok=True)
    landing, truth_file = folder / "landing", folder / "truth.json"
    generate(
        out=landing, start=DEFAULT_START, months=months, scale=scale, seed=seed,
        truth=truth_file, progress=False, activity_forms=False,
    )
    truth = json.loads(truth_file.read_text())
    env = {
        "PPA_LANDING_DIR": str(landing),
        "PPA_WAREHOUSE": str(folder / "warehouse.duckdb"),
        "PPA_PUBLISHED": str(folder / "published.duckdb"),
        "DAGSTER_HOME": str(folder / "dagster_home"),
    }
    run_pipeline(env, truth["as_of"])
    results = read_outcome_results(Path(env["PPA_WAREHOUSE"]))
    if progress:
        estimates = results["estimates"]
        line = ", ".join(
            f"{o} {estimates.get(o, {}).get('difference')!s:.8}"
            f" (expected {(truth.get('att_expected') or {}).get(o)!s:.8},"
            f" sample {truth['att'].get(o)!s:.8})"
            for o in OUTCOMES
        )
        print(f"seed {seed}: {line}", file=sys.stderr, flush=True)
    return {
        "seed": seed, "as_of": truth["as_of"], "truth": truth["att"],
        "truth_expected": truth.get("att_expected"), **results,
        "seconds": round(time.perf_counter() - started, 1),
    }


def validate_outcomes(
    seeds: int,
    scale: float,
    months: int,
    workdir: Path,
    progress: bool,
    *,
    jobs: int = 1,
    generate: Generator | None = None,
    run_pipeline: PipelineRunner = run_outcome_lineage_subprocess,
) -> dict:
    """Generate `seeds` data sets (seeds 0..seeds-1), run the outcome lineage on each, and report.

    `generate` defaults to orchestration.synthetic.generate_landing_zone (called with
    activity_forms=False); `run_pipeline` receives the environment (PPA_LANDING_DIR,
    PPA_WAREHOUSE, PPA_PUBLISHED, DAGSTER_HOME) and the as-of date and must leave the
    outcome marts in PPA_WAREHOUSE. `jobs` data sets are worked on at once (each has
    its own folder, warehouse and Dagster home; the lineage runs in its own process).
    The report lists the data sets by seed whatever order they finish in, so it does
    not depend on `jobs`. Returns a JSON-serialisable dict.
    """
    generate = generate or _default_generator()
    workdir = Path(workdir)
    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = [
            pool.submit(_one_data_set, seed, scale, months, workdir, progress, generate,
                        run_pipeline)
            for seed in range(seeds)
        ]
        try:
            datasets = [future.result() for future in futures]
        except BaseException:
            # One failed data set fails the validation: start no more of them.
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    return {
        "seeds": seeds,
        "scale": scale,
        "months": months,
        "seconds": round(time.perf_counter() - began, 1),
        "truths": TRUTH_NOTE,
        "outcomes": summarise_validation(datasets),
        "datasets": datasets,
    }
