"""Does the matched estimate find the truth? Coverage and bias over generated data sets.

For each seed: generate a landing zone whose true effects are known (the generator's
truth file holds the ATT from both potential outcomes of every participant episode),
run the whole pipeline on it in a subprocess (`ppa run --as-of <truth as_of>`, paths
pointing into the work folder), read marts.fct_outcome_comparison from the published
file, and compare each outcome's difference and 95% interval with the true ATT.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import duckdb

from orchestration.config import REPO_ROOT
from orchestration.outcomes.comparison import OUTCOMES

DEFAULT_START = "2019-07"  # the first contract year

Generator = Callable[..., object]
PipelineRunner = Callable[[Mapping[str, str], str], None]


def run_pipeline_subprocess(env: Mapping[str, str], as_of: str) -> None:
    """`ppa run --as-of` in a fresh interpreter, so each data set gets its own process state."""
    completed = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "run", "--as-of", as_of],
        cwd=REPO_ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )
    if completed.returncode != 0:
        tail = "\n".join(completed.stderr.strip().splitlines()[-20:])
        raise RuntimeError(f"ppa run failed (exit {completed.returncode}):\n{tail}")


def read_published_comparison(published: Path) -> dict[str, dict]:
    with duckdb.connect(str(published), read_only=True) as con:
        rows = con.sql(
            "select outcome, participant_n, difference, ci_low, ci_high, p_value "
            "from marts.fct_outcome_comparison"
        ).fetchall()
    return {
        outcome: {"pairs": n, "difference": d, "ci_low": lo, "ci_high": hi, "p_value": p}
        for outcome, n, d, lo, hi, p in rows
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
    run_pipeline: PipelineRunner = run_pipeline_subprocess,
) -> dict:
    """Generate `seeds` data sets (seeds 0..seeds-1), run the pipeline on each, and report.

    `generate` defaults to orchestration.synthetic.generate_landing_zone; `run_pipeline`
    receives the environment (PPA_LANDING_DIR, PPA_WAREHOUSE, PPA_PUBLISHED,
    DAGSTER_HOME) and the as-of date. Returns a JSON-serialisable dict.
    """
    generate = generate or _default_generator()
    workdir = Path(workdir)
    datasets = []
    for seed in range(seeds):
        folder = workdir / f"seed_{seed:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        landing, truth_file = folder / "landing", folder / "truth.json"
        generate(
            out=landing, start=DEFAULT_START, months=months, scale=scale, seed=seed,
            truth=truth_file,
        )
        truth = json.loads(truth_file.read_text())
        env = {
            "PPA_LANDING_DIR": str(landing),
            "PPA_WAREHOUSE": str(folder / "warehouse.duckdb"),
            "PPA_PUBLISHED": str(folder / "published.duckdb"),
            "DAGSTER_HOME": str(folder / "dagster_home"),
        }
        run_pipeline(env, truth["as_of"])
        estimates = read_published_comparison(Path(env["PPA_PUBLISHED"]))
        datasets.append(
            {"seed": seed, "as_of": truth["as_of"], "truth": truth["att"], "estimates": estimates}
        )
        if progress:
            line = ", ".join(
                f"{o} {estimates.get(o, {}).get('difference')!s:.8} (true {truth['att'].get(o)!s:.8})"
                for o in OUTCOMES
            )
            print(f"seed {seed}: {line}", file=sys.stderr, flush=True)
    return {
        "seeds": seeds,
        "scale": scale,
        "months": months,
        "outcomes": summarise_validation(datasets),
        "datasets": datasets,
    }
