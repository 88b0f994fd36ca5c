"""`ppa bench`: ingestion, runs, freshness, dashboard queries and memory, measured."""

from __future__ import annotations

from pathlib import Path

import click

from orchestration.cli.shared import fail, require_dbt_manifest
from orchestration.config import REPO_ROOT


@click.command("bench")
@click.option("--scale", required=True, type=click.FloatRange(min=0.01),
              help="Generator scale (1 = Iowa).")
@click.option("--months", default=24, show_default=True, type=click.IntRange(2, 600),
              help="Service months of the full run; one more is generated and held back "
                   "as the incremental month.")
@click.option("--out", "out", type=click.Path(path_type=Path), default=None,
              help="Write the JSON here too.")
@click.option("--workdir", type=click.Path(path_type=Path), default=None,
              help="Where landing zones are generated (and reused) and the runs write "
                   "[default: data/bench in the repository].")
@click.option("--repeat", default=None, type=click.IntRange(1, 20),
              help="Repetitions per figure [default: 3 up to scale 1, 2 up to 5, then 1].")
@click.option("--run-repeat", default=None, type=click.IntRange(1, 20),
              help="Repetitions of the full and incremental runs [default: --repeat].")
@click.option("--freshness/--no-freshness", default=True, show_default=True,
              help="Measure the freshness latency under `ppa serve`.")
@click.option("--ingest/--no-ingest", default=True, show_default=True,
              help="Measure the ingest against its floor and the pandas peer (the peer "
                   "alone takes about 30 minutes at scale 50).")
def bench(scale: float, months: int, out: Path | None, workdir: Path | None, repeat: int | None,
          run_repeat: int | None, freshness: bool, ingest: bool) -> None:
    """Measure ingestion, runs, freshness, dashboard queries and memory (JSON out)."""
    from orchestration.bench.benchmark import main_json, run_benchmark

    def write(report: dict) -> None:
        if out:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(main_json(report) + "\n")

    require_dbt_manifest()
    try:
        report = run_benchmark(
            scale=scale, months=months, workdir=workdir or REPO_ROOT / "data" / "bench",
            repeat=repeat, run_repeat=run_repeat,
            freshness=freshness, ingest=ingest,
            say=lambda message: click.echo(f"ppa bench: {message}", err=True), checkpoint=write,
        )
    except (RuntimeError, ValueError, OSError) as exc:
        fail(f"{exc}{f' (figures so far in {out})' if out else ''}")
    write(report)
    click.echo(main_json(report))
