"""The site's monthly packet: one Excel workbook with a cover sheet and every table of the
site page, as shown (coordinators forward it and work in Excel). The site page offers it
for download; the monthly delivery (orchestration/delivery) e-mails it."""

from __future__ import annotations

import datetime as dt
import io

import polars as pl
import xlsxwriter

from dashboards import data_access
from dashboards.downloads import WORKBOOK_OPTIONS
from dashboards.filters import Filters
from dashboards.labels import Labels
from dashboards.partner_names import beside_ids
from dashboards.suppression import for_display
from dashboards.viewer import Viewer

PARTNERS, OVERDUE, GRID, FAMILY_MONTHS, EXITS = (
    "Parent Partners", "Overdue forms", "Families by month", "Family months", "Exits")


def family_grid(family_months: pl.DataFrame) -> pl.DataFrame:
    """One row per family, one column per month: face-to-face contacts / minutes, with a
    missing or late form marked (a layout of fct_family_month, nothing recomputed)."""
    if family_months.is_empty():
        return pl.DataFrame(schema={"family_id": pl.String, "pp_id": pl.String})
    cells = family_months.with_columns(
        month=pl.col("service_month").dt.strftime("%Y-%m"),
        cell=pl.format("{} f2f / {} min", "face_to_face_contacts", "total_minutes")
        + pl.when(pl.col("form_expected") & ~pl.col("form_received")).then(pl.lit(" MISSING"))
        .when(pl.col("form_expected") & ~pl.col("form_on_time")).then(pl.lit(" LATE"))
        .otherwise(pl.lit("")),
    )
    return cells.pivot(on="month", index=["family_id", "pp_id"], values="cell",
                       aggregate_function="first", sort_columns=True).sort("family_id")


def site_tables(viewer: Viewer, filters: Filters) -> dict[str, pl.DataFrame]:
    """The site page's tables by sheet name, for the sites in the viewer's scope: her own
    site for a site coordinator, the chosen one (or every site) for the state coordinator;
    each Parent Partner's name beside her id."""
    months = data_access.family_months(viewer, filters)
    tables = {
        PARTNERS: data_access.parent_partners(viewer, filters),
        OVERDUE: data_access.overdue_forms(viewer, filters),
        GRID: family_grid(months),
        FAMILY_MONTHS: months,
        EXITS: data_access.exits(viewer, filters),
    }
    names = data_access.staff_names(viewer, filters)
    return {sheet: beside_ids(frame, names) for sheet, frame in tables.items()}


def packet_bytes(cover: dict[str, object], tables: dict[str, pl.DataFrame],
                 labels: Labels | None = None) -> bytes:
    """`cover` rows on a sheet named Cover, then one sheet per table (names cut to Excel's 31),
    each as the page shows it: labelled headers, suppressed cells marked."""
    labels = labels or Labels()
    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer, {"remove_timezone": True, **WORKBOOK_OPTIONS}) as workbook:
        cover_rows = {**cover, "made at": dt.datetime.now().replace(microsecond=0)}
        pl.DataFrame(
            {"item": list(cover_rows), "value": [str(v) for v in cover_rows.values()]}
        ).write_excel(workbook=workbook, worksheet="Cover", autofit=True)
        for name, frame in tables.items():
            # Numbers stay numbers (a coordinator sums them in Excel); headers are labelled.
            shown = for_display(frame, labels.text)
            shown.rename({c: labels.label(c) for c in shown.columns}).write_excel(
                workbook=workbook, worksheet=name[:31], autofit=True)
    return buffer.getvalue()
