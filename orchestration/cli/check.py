"""`ppa check FILE...`: what ingestion would make of files, before they are dropped."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--roster", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              default=None,
              help="A roster file (reference/parent_partners_YYYY-MM-DD.csv) to check "
                   "activity rows against, instead of the warehouse's newest roster.")
@click.option("--referrals", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              default=None,
              help="A referrals file (referrals/referrals_YYYY-MM-DD.csv) to check activity "
                   "rows against, instead of the warehouse's newest referrals.")
@click.option("--as-of", "as_of", default=None,
              help="As-of date YYYY-MM-DD: an activity after it is rejected "
                   "(default: PPA_AS_OF or today).")
def check_command(files: tuple[Path, ...], roster: Path | None, referrals: Path | None,
                  as_of: str | None) -> None:
    """Validate landing files against the contract without touching the warehouse.

    Each FILE is classified by the folders it sits in, as in the landing zone
    (activity_forms/YYYY-MM/export.csv, referrals/referrals_2024-07-31.csv, ...); a
    folder stands for every file under it. Prints each row ingestion would reject
    (file, row, reason) and a summary line per file on stdout; exits 1 when any row or
    file would be rejected, 0 otherwise. Activity rows are checked against the roster
    and referrals of --roster/--referrals, else of the warehouse (PPA_WAREHOUSE, opened
    read-only); without either, the rules that need them are skipped, as stated on stderr.
    """
    from orchestration.cli.landing_check import (
        REFERENCE_RULES,
        activity_reference,
        check_file,
        classify_path,
        expand,
    )
    from orchestration.config import Paths, parse_as_of
    from orchestration.ingest.schemas import ACTIVITY_ROWS

    try:
        as_of_date = parse_as_of(as_of)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--as-of") from exc
    paths = list(expand(files))
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise click.BadParameter(f"no such file: {', '.join(missing)}", param_hint="FILES")
    if not paths:
        raise click.BadParameter("the folders given hold no files", param_hint="FILES")

    reference = None
    if any((found := classify_path(p)[0]) is not None and found.kind is ACTIVITY_ROWS
           for p in paths):
        try:
            ref = activity_reference(roster, referrals, Paths.from_env().warehouse, as_of_date)
        except ValueError as exc:
            click.echo(f"ppa: error: {exc}", err=True)
            raise SystemExit(1) from exc
        reference = ref.activity
        if reference is None:
            click.echo(
                f"ppa: no roster and referrals to check activity rows against ({ref.source}); "
                f"skipped: {'; '.join(REFERENCE_RULES)}. Give --roster and --referrals.",
                err=True,
            )
        else:
            click.echo(f"ppa: activity rows checked against {ref.source} "
                       f"(as of {as_of_date})", err=True)

    reports = [check_file(p, reference) for p in paths]
    for report in reports:
        for line in report.lines:
            click.echo(line)
        click.echo(report.summary)
    bad = sum(r.rejected for r in reports)
    if len(reports) > 1:
        click.echo(f"{len(reports)} files checked, {bad} with rejections")
    raise SystemExit(1 if bad else 0)
