"""`ppa template activity-form`: the Activity Form workbook, blank, for a site to fill in.

The layout is the contract's (spec: landing-zone.md; read by ingest/xlsx_form.py):
sheet `Activity Form`, labels in A1..A4 with pp_id, family_id, service month and
submitted_at beside them in B1..B4, the table header `Date | Activity type | Minutes |
Notes` in row 6 and activity rows from row 7. Drop-down lists (Excel data validation)
offer the activity types of seeds/activity_types.csv and, for a site, its Parent
Partners' ids from the newest roster; minutes are limited to the contract's range.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

SHEET = "Activity Form"  # the sheet ingestion reads (ingest/xlsx_form.py)
CODES_SHEET = "Code lists"
LABELS = ("Parent Partner ID", "Family ID", "Service month", "Submitted")
TABLE_HEADER = ("Date", "Activity type", "Minutes", "Notes")
HEADER_ROW = 5  # 0-based: sheet row 6
FORM_ROWS = 200  # activity rows offered with drop-downs and formats
GUIDANCE = (
    "One form per Parent Partner, family and service month.",
    "Family ID: leave empty for activities that concern no family (committee, training...).",
    "Service month: YYYY-MM. Submitted: the date and time you send the form.",
    "Activity rows from row 7, no empty row between them; each date in the service month.",
)


def site_pp_ids(frame, site_id: str, as_of: dt.date) -> list[str]:
    """PP ids of a site on a roster (pp_id, site_id, end_date), sorted: everyone who has
    not left before the previous month (their last forms may still be due)."""
    import polars as pl

    first_of_previous = (as_of.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    rows = frame.filter(
        (pl.col("site_id").str.strip_chars() == site_id)
        & (pl.col("end_date").is_null() | (pl.col("end_date") >= first_of_previous))
    )
    return sorted(set(rows.get_column("pp_id").str.strip_chars().drop_nulls()))


def roster_frame(roster: Path | None, warehouse: Path):
    """The newest roster (pp_id, site_id, end_date): the file given, else the warehouse's
    (read-only). Raises ValueError saying why when neither is available."""
    from orchestration.cli.landing_check import read_snapshot_file, warehouse_snapshot
    from orchestration.ingest.schemas import PARENT_PARTNERS

    if roster is not None:
        return read_snapshot_file(roster, PARENT_PARTNERS).select("pp_id", "site_id", "end_date")
    frame, why = warehouse_snapshot(warehouse, PARENT_PARTNERS, ["pp_id", "site_id", "end_date"])
    if frame is None:
        raise ValueError(
            f"no roster to take the site's Parent Partner ids from ({why}); "
            "give one with --roster reference/parent_partners_YYYY-MM-DD.csv"
        )
    return frame


def write_activity_form(out: Path, pp_ids: list[str] | None = None) -> dict:
    """Write the blank Activity Form workbook to `out`; return what it offers."""
    import xlsxwriter

    from orchestration.reference_data import program_parameter, read_seed

    types = read_seed("activity_types.csv")
    max_minutes = program_parameter("max_activity_minutes")
    last_row = HEADER_ROW + FORM_ROWS  # 0-based, inclusive

    out.parent.mkdir(parents=True, exist_ok=True)
    workbook = xlsxwriter.Workbook(str(out))
    bold = workbook.add_format({"bold": True})
    text = workbook.add_format({"num_format": "@"})
    date = workbook.add_format({"num_format": "yyyy-mm-dd"})
    stamp = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    whole = workbook.add_format({"num_format": "0"})
    note = workbook.add_format({"italic": True, "font_color": "#595959"})

    form = workbook.add_worksheet(SHEET)
    codes = workbook.add_worksheet(CODES_SHEET)

    # The code lists the drop-downs point at, with their labels beside them.
    codes.write_row(0, 0, ("Activity type", "Label", "Family level"), bold)
    for r, row in enumerate(types, start=1):
        codes.write_row(r, 0, (row["activity_type"], row["label"], row["family_level"]))
    codes.write_string(0, 4, "Parent Partner ID", bold)
    for r, pp_id in enumerate(pp_ids or (), start=1):
        codes.write_string(r, 4, pp_id)
    codes.set_column(0, 1, 24)
    codes.set_column(4, 4, 20)

    for r, label in enumerate(LABELS):
        form.write_string(r, 0, label, bold)
    for r, line in enumerate(GUIDANCE):
        form.write_string(r, 3, line, note)
    form.write_blank(0, 1, None, text)
    form.write_blank(1, 1, None, text)
    form.write_blank(2, 1, None, text)
    form.write_blank(3, 1, None, stamp)
    form.write_row(HEADER_ROW, 0, TABLE_HEADER, bold)
    form.set_column(0, 0, 18, date)
    form.set_column(1, 1, 24)
    form.set_column(2, 2, 10, whole)
    form.set_column(3, 3, 60)
    form.freeze_panes(HEADER_ROW + 1, 0)

    type_range = f"='{CODES_SHEET}'!$A$2:$A${len(types) + 1}"
    form.data_validation(HEADER_ROW + 1, 1, last_row, 1, {
        "validate": "list", "source": type_range,
        "input_title": "Activity type", "input_message": "Pick from the list.",
        "error_title": "Activity type", "error_message": "Pick an activity type from the list.",
    })
    form.data_validation(HEADER_ROW + 1, 2, last_row, 2, {
        "validate": "integer", "criteria": "between", "minimum": 1, "maximum": max_minutes,
        "error_title": "Minutes", "error_message": f"Whole minutes, 1 to {max_minutes}.",
    })
    form.data_validation(HEADER_ROW + 1, 0, last_row, 0, {
        "validate": "date", "criteria": "between",
        "minimum": dt.date(2000, 1, 1), "maximum": dt.date(2099, 12, 31),
        "error_title": "Date", "error_message": "The date of the activity (YYYY-MM-DD).",
    })
    form.data_validation(3, 1, 3, 1, {
        "validate": "date", "criteria": "between",
        "minimum": dt.date(2000, 1, 1), "maximum": dt.date(2099, 12, 31),
        "error_title": "Submitted", "error_message": "When the form is sent (YYYY-MM-DD hh:mm).",
    })
    if pp_ids:
        form.data_validation(0, 1, 0, 1, {
            "validate": "list", "source": f"='{CODES_SHEET}'!$E$2:$E${len(pp_ids) + 1}",
            "input_title": "Parent Partner ID", "input_message": "Pick from the list.",
            "error_title": "Parent Partner ID",
            "error_message": "Pick a Parent Partner of the site from the list.",
        })
    form.activate()
    workbook.close()
    return {"file": str(out), "activity_types": len(types), "pp_ids": len(pp_ids or ()),
            "form_rows": FORM_ROWS}


@click.group("template")
def template_group() -> None:
    """Blank files in the contract's layout, for the sources to fill in."""


@template_group.command("activity-form")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="The workbook to write (.xlsx).")
@click.option("--site", "site_id", default=None,
              help="Offer this site's Parent Partner ids in a drop-down (from the newest "
                   "roster: --roster, else the warehouse's).")
@click.option("--roster", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              default=None, help="A roster file (reference/parent_partners_YYYY-MM-DD.csv).")
def activity_form_command(out: Path, site_id: str | None, roster: Path | None) -> None:
    """The Activity Form workbook with drop-down lists of activity types (and PP ids)."""
    from orchestration.config import Paths, parse_as_of

    if out.suffix.lower() != ".xlsx":
        raise click.BadParameter(f"{out} must end in .xlsx", param_hint="--out")
    pp_ids = None
    if site_id is not None:
        site_id = site_id.strip()
        try:
            frame = roster_frame(roster, Paths.from_env().warehouse)
        except ValueError as exc:
            click.echo(f"ppa: error: {exc}", err=True)
            raise SystemExit(1) from exc
        pp_ids = site_pp_ids(frame, site_id, parse_as_of(None))
        if not pp_ids:
            sites = sorted(set(frame.get_column("site_id").drop_nulls()))
            click.echo(f"ppa: error: site {site_id!r} has no current Parent Partner on the "
                       f"roster (its sites: {', '.join(sites)})", err=True)
            raise SystemExit(1)
    elif roster is not None:
        click.echo("ppa: --roster is used only with --site", err=True)
    summary = write_activity_form(out, pp_ids)
    click.echo(f"wrote {out}: {summary['activity_types']} activity types"
               + (f", {len(pp_ids)} Parent Partner ids of site {site_id}" if pp_ids else "")
               + f", {summary['form_rows']} activity rows", err=True)
