"""`ppa run`: the whole graph in-process, over every service month or a range of them."""

from __future__ import annotations

import signal

import click

from orchestration.cli.shared import fail, require_dbt_manifest
from orchestration.config import Paths, parse_as_of
from orchestration.runner.dagster_home import prepare_dagster_home


def parse_month_range(text: str) -> tuple[str, str]:
    """`YYYY-MM..YYYY-MM` -> (first, last), both service-month partitions, first <= last."""
    from orchestration.defs.partitions import service_month_partitions

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


def stop_on_termination() -> None:
    """SIGTERM (service managers, CI, `timeout`) stops a run as Ctrl-C does. A process
    started in the background by a shell inherits SIGINT ignored: restore it too."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)


@click.command("run")
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
    require_dbt_manifest()
    stop_on_termination()

    from orchestration.runner.pipeline import run_everything

    try:
        failure = run_everything(as_of_date, months=month_range)
    except KeyboardInterrupt:
        fail("interrupted before the run started; nothing was written")
    if failure:
        fail(failure)
    click.echo(f"published {paths.published} (as of {as_of_date})", err=True)
