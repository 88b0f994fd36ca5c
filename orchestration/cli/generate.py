"""`ppa generate`: a synthetic Iowa landing zone."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from orchestration.cli.shared import fail


def default_months(start: str, today: dt.date) -> int:
    """Months from `start` through the month before last: the newest extract (the end of
    the month after the last service month) is then dated before today."""
    try:
        year, month = (int(part) for part in start.split("-"))
    except ValueError as exc:
        raise click.BadParameter(f"{start!r} is not YYYY-MM", param_hint="--start") from exc
    return max(1, (today.year - year) * 12 + today.month - month - 1)


@click.command("generate")
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
