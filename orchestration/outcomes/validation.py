"""Does the matched estimate find the truth? Coverage and bias over generated data sets.

For each seed: generate a landing zone whose true effects are known (the generator's
truth file holds the ATT from both potential outcomes of every participant episode),
leaving out the activity forms, which no outcome reads; run the outcome lineage on it
in its own process (`python -m orchestration.outcomes.lineage_run <truth as_of>`, paths
pointing into the data set's folder: ingestion of the extracts, the dbt models, the
matching and the comparisons - dbt tests and asset checks included); read
marts.fct_outcome_comparison, the naive comparison and the balance from the warehouse;
and compare each outcome's difference and 95% interval with the true ATT.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import duckdb

from orchestration.config import REPO_ROOT
from orchestration.outcomes.comparison import OUTCOMES

DEFAULT_START = "2019-07"  # the first contract year

Generator = Callable[..., object]
PipelineRunner = Callable[[Mapping[str, str], str], None]


def run_outcome_lineage_subprocess(env: Mapping[str, str], as_of: str) -> None:
    """The outcome lineage in a fresh interpreter: the Dagster definitions take their
    paths from the environment when imported, so each data set needs its own process."""
    completed = subprocess.run(
        [sys.executable, "-m", "orchestration.outcomes.lineage_run", as_of],
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


def summarise_validation(datasets: list[dict]) -> dict[str, dict]:
    """Per outcome over the data sets where both an interval and a truth exist:
    coverage of the true ATT by the interval, mean bias, mean estimate, mean truth, n."""
    summary: dict[str, dict] = {}
    for outcome in OUTCOMES:
        usable = []
        for data in datasets:
            estimate = data["estimates"].get(outcome) or {}
            truth = data["truth"].get(outcome)
            if truth is None or None in (
                estimate.get("difference"), estimate.get("ci_low"), estimate.get("ci_high")
            ):
                continue
            usable.append((estimate, float(truth)))
        n = len(usable)
        summary[outcome] = {
            "n_datasets": n,
            "coverage": (
                sum(e["ci_low"] <= t <= e["ci_high"] for e, t in usable) / n if n else None
            ),
            "mean_bias": sum(e["difference"] - t for e, t in usable) / n if n else None,
            "mean_estimate": sum(e["difference"] for e, _ in usable) / n if n else None,
            "mean_truth": sum(t for _, t in usable) / n if n else None,
        }
    return summary


def _default_generator() -> Generator:
    from orchestration.synthetic import generate_landing_zone

    return generate_landing_zone


def validate_outcomes(
    seeds: int,
    scale: float,
    months: int,
    workdir: Path,
    progress: bool,
    *,
    generate: Generator | None = None,
    run_pipeline: PipelineRunner = run_outcome_lineage_subprocess,
) -> dict:
    """Generate `seeds` data sets (seeds 0..seeds-1), run the outcome lineage on each, and report.

    `generate` defaults to orchestration.synthetic.generate_landing_zone (called with
    activity_forms=False); `run_pipeline` receives the environment (PPA_LANDING_DIR,
    PPA_WAREHOUSE, PPA_PUBLISHED, DAGSTER_HOME) and the as-of date and must leave the
    outcome marts in PPA_WAREHOUSE. Returns a JSON-serialisable dict.
    """
    generate = generate or _default_generator()
    workdir = Path(workdir)
    began = time.perf_counter()
    datasets = []
    for seed in range(seeds):
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
        datasets.append({
            "seed": seed, "as_of": truth["as_of"], "truth": truth["att"], **results,
            "seconds": round(time.perf_counter() - started, 1),
        })
        if progress:
            estimates = results["estimates"]
            line = ", ".join(
                f"{o} {estimates.get(o, {}).get('difference')!s:.8} (true {truth['att'].get(o)!s:.8})"
                for o in OUTCOMES
            )
            print(f"seed {seed}: {line}", file=sys.stderr, flush=True)
    return {
        "seeds": seeds,
        "scale": scale,
        "months": months,
        "seconds": round(time.perf_counter() - began, 1),
        "outcomes": summarise_validation(datasets),
        "datasets": datasets,
    }
