"""The `ppa` command: generate, run, serve, validate-outcomes, users, bench, template, check.

Every failure exits non-zero with a one-line reason on stderr.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import click

from orchestration.check_cli import check_command
from orchestration.config import DBT_PROJECT_DIR, REPO_ROOT, Paths, parse_as_of
from orchestration.config_cli import config_command
from orchestration.template import template_group
from orchestration.users_cli import users_group

DAGSTER_YAML = """\
# Written by `ppa` when missing. Runs that write the warehouse share one pool slot:
# DuckDB allows a single writer.
concurrency:
  pools:
    default_limit: 1
# The daemon of `ppa serve` fails runs whose worker died and frees their slots.
run_monitoring:
  enabled: true
  free_slots_after_run_end_seconds: 30
telemetry:
  enabled: false
"""


def parse_month_range(text: str) -> tuple[str, str]:
    """`YYYY-MM..YYYY-MM` -> (first, last), both service-month partitions, first <= last."""
    from orchestration.partitions import service_month_partitions

    first, sep, last = text.partition("..")
    keys = service_month_partitions.get_partition_keys()
    if not sep:
        first = last = text
    for month in (first, last):
        if month not in keys:
            raise ValueError(
                f"--months {text!r}: {month!r} is not a service month "
                f"({keys[0]}..{keys[-1]}, written YYYY-MM)"
            )
    if first > last:
        raise ValueError(f"--months {text!r}: {first} is after {last}")
    return first, last


def fail(message: str) -> None:
    click.echo(f"ppa: error: {message}", err=True)
    sys.exit(1)


def prepare_dagster_home(paths: Paths) -> None:
    paths.dagster_home.mkdir(parents=True, exist_ok=True)
    config = paths.dagster_home / "dagster.yaml"
    if not config.exists():
        config.write_text(DAGSTER_YAML)
    os.environ["DAGSTER_HOME"] = str(paths.dagster_home)


def ensure_dbt_manifest() -> None:
    """Parse the dbt project once when no manifest exists (`make` parses it up front)."""
    if (DBT_PROJECT_DIR / "target" / "manifest.json").exists():
        return
    dbt = Path(sys.executable).parent / "dbt"
    result = subprocess.run(
        [str(dbt if dbt.exists() else "dbt"), "parse", "--quiet",
         "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)],
        capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        fail(f"dbt parse failed: {(result.stdout + result.stderr).strip().splitlines()[-1:]}")


def free_slots_of_dead_runs() -> None:
    """Runs killed while the platform was down would hold the warehouse slot forever."""
    import dagster as dg

    from orchestration.run_liveness import reap_dead_runs

    with dg.DagsterInstance.get() as instance:
        for run in reap_dead_runs(instance):
            click.echo(f"ppa: {run.describe()} is gone: marked failed, its slot freed", err=True)


def default_months(start: str, today: dt.date) -> int:
    """Months from `start` through the month before last: the newest extract (the end of
    the month after the last service month) is then dated before today."""
    try:
        year, month = (int(part) for part in start.split("-"))
    except ValueError as exc:
        raise click.BadParameter(f"{start!r} is not YYYY-MM", param_hint="--start") from exc
    return max(1, (today.year - year) * 12 + today.month - month - 1)


def stop_on_termination() -> None:
    """SIGTERM (service managers, CI, `timeout`) stops a run as Ctrl-C does. A process
    started in the background by a shell inherits SIGINT ignored: restore it too."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Parent Partner Analytics: landing zone -> DuckDB -> dbt metrics -> dashboards."""


@main.command()
@click.option("--out", "out", required=True, type=click.Path(path_type=Path),
              help="Folder to write the landing zone into (created if missing).")
@click.option("--start", default="2019-07", show_default=True, help="First service month, YYYY-MM.")
@click.option("--months", default=None, type=click.IntRange(1, 600),
              help="Number of service months [default: through the month before last, so "
                   "every extract is dated before today].")
@click.option("--scale", default=1.0, show_default=True, type=click.FloatRange(min=0.01),
              help="1 = Iowa's volume (~150 Parent Partners, ~1,800 matches a year).")
@click.option("--seed", default=0, show_default=True, type=int, help="Random seed: same seed, same files.")
@click.option("--truth", type=click.Path(path_type=Path), default=None,
              help="Also write the planted effects (JSON) here - outside the landing zone.")
def generate(out: Path, start: str, months: int | None, scale: float, seed: int, truth: Path | None) -> None:
    """Write a synthetic Iowa landing zone."""
    from orchestration.synthetic import generate_landing_zone

    if months is None:
        months = default_months(start, dt.date.today())
    try:
        summary = generate_landing_zone(
            out=out, start=start, months=months, scale=scale, seed=seed, truth=truth, progress=True
        )
    except (ValueError, OSError) as exc:
        fail(str(exc))
    click.echo(json.dumps(summary, indent=2, default=str))


@main.command()
@click.option("--as-of", "as_of", default=None, help="As-of date YYYY-MM-DD (default: PPA_AS_OF or today).")
@click.option("--months", "months", default=None, metavar="FIRST..LAST",
              help="Backfill just these service months (YYYY-MM..YYYY-MM) instead of every month.")
def run(as_of: str | None, months: str | None) -> None:
    """Materialize the whole graph in-process: ingest, dbt build + tests, outcomes, publish."""
    try:
        as_of_date = parse_as_of(as_of)
        month_range = parse_month_range(months) if months else None
    except ValueError as exc:
        fail(str(exc))
    paths = Paths.from_env()
    if not paths.landing_dir.is_dir():
        fail(f"landing zone {paths.landing_dir} does not exist (set PPA_LANDING_DIR)")
    prepare_dagster_home(paths)
    ensure_dbt_manifest()
    stop_on_termination()

    from orchestration.pipeline import run_everything

    try:
        failure = run_everything(as_of_date, months=month_range)
    except KeyboardInterrupt:
        fail("interrupted before the run started; nothing was written")
    if failure:
        fail(failure)
    click.echo(f"published {paths.published} (as of {as_of_date})", err=True)


@main.command()
@click.option("--dagster-port", default=3000, show_default=True, type=int)
@click.option("--streamlit-port", default=8501, show_default=True, type=int)
def serve(dagster_port: int, streamlit_port: int) -> None:
    """Serve the Dagster UI and the dashboards on 127.0.0.1 until Ctrl-C."""
    # Started in the background by a script, the process inherits SIGINT ignored: restore
    # Ctrl-C so it reaches the handler below.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    paths = Paths.from_env()
    prepare_dagster_home(paths)
    ensure_dbt_manifest()
    free_slots_of_dead_runs()
    bin_dir = Path(sys.executable).parent
    # `env --default-signal` undoes the SIGINT-ignore a backgrounded shell hands down.
    wrapper = ["env", "--default-signal=INT,TERM,HUP"] if shutil.which("env") else []
    commands = {
        "dagster": [*wrapper, str(bin_dir / "dagster"), "dev", "-m", "orchestration.definitions",
                    "-h", "127.0.0.1", "-p", str(dagster_port)],
        "streamlit": [*wrapper, str(bin_dir / "streamlit"), "run",
                      str(REPO_ROOT / "dashboards" / "app.py"),
                      "--server.address", "127.0.0.1", "--server.port", str(streamlit_port),
                      "--server.headless", "true", "--browser.gatherUsageStats", "false"],
    }
    # dagster-dbt and the dbt parse of `dagster dev` look for `dbt` on PATH.
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    children = {
        name: subprocess.Popen(cmd, cwd=REPO_ROOT, env=env) for name, cmd in commands.items()
    }
    click.echo(
        f"Dagster UI: http://127.0.0.1:{dagster_port}  dashboards: http://127.0.0.1:{streamlit_port}"
        "  (Ctrl-C stops both)", err=True,
    )

    def stop(*_):
        for child in children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGINT)
        deadline = time.monotonic() + 20
        for child in children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()

    signal.signal(signal.SIGTERM, lambda *_: (stop(), sys.exit(0)))
    try:
        while True:
            for name, child in children.items():
                if child.poll() is not None:
                    stop()
                    fail(f"{name} exited with code {child.returncode}")
            time.sleep(1)
    except KeyboardInterrupt:
        stop()


@main.command("validate-outcomes")
@click.option("--seeds", default=20, show_default=True, type=click.IntRange(1, 1000),
              help="Number of generated data sets (seeds 0..N-1).")
@click.option("--scale", default=1.0, show_default=True, type=click.FloatRange(min=0.01),
              help="Generator scale. 1 gives about 3,350-3,800 participant episodes discharged "
                   "by the as-of date over 60 months, nearly all matched (balance is judged "
                   "from 800 pairs).")
@click.option("--months", default=60, show_default=True, type=click.IntRange(12, 600),
              help="Service months from 2019-07.")
@click.option("--workdir", type=click.Path(path_type=Path), default=None,
              help="Where the data sets go, kept (default: a temporary folder, removed).")
@click.option("--out", "out", type=click.Path(path_type=Path), default=None, help="Write the JSON here too.")
@click.option("--jobs", default=1, show_default=True, type=click.IntRange(1, 16),
              help="Data sets worked on at once (each in its own folder and process); "
                   "the report is the same whatever the number.")
def validate_outcomes_command(seeds: int, scale: float, months: int, workdir: Path | None,
                              out: Path | None, jobs: int) -> None:
    """Measure the outcome estimator against the generator's true effects (JSON out).

    Each data set is generated without activity forms, and only the outcome lineage
    runs on it (ingestion of the extracts, dbt models and tests, matching,
    comparisons): about 1 minute a data set at the defaults on 2 cores, about 30 s
    with --jobs 2. Reports per outcome how often the 95% interval covers the expected
    effect on the treated (the estimand) and the sample effect of the simulated draws,
    with the exact 95% interval of that coverage; the mean bias against each; and how
    widely the errors scatter against the intervals' standard errors (about 1 when the
    interval is honest). 20 data sets pin a coverage only to within about 15 points;
    100 to about 4.
    """
    import tempfile

    from orchestration.outcomes.validation import validate_outcomes

    ensure_dbt_manifest()
    with tempfile.TemporaryDirectory(prefix="ppa-validate-") as tmp:
        try:
            report = validate_outcomes(
                seeds=seeds, scale=scale, months=months, workdir=workdir or Path(tmp),
                progress=True, jobs=jobs,
            )
        except (RuntimeError, ValueError, OSError) as exc:
            fail(str(exc))
    text = json.dumps(report, indent=2, default=str)
    if out:
        out.write_text(text + "\n")
    click.echo(text)


@main.command()
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

    ensure_dbt_manifest()
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


main.add_command(users_group)
main.add_command(config_command)
main.add_command(template_group)
main.add_command(check_command)

if __name__ == "__main__":
    main()
