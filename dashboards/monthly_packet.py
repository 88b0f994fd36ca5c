"""The site's monthly packet: one Excel workbook with a cover sheet and every table of the
site page, as shown (coordinators forward it and work in Excel)."""

from __future__ import annotations

import datetime as dt
import io

import polars as pl
import xlsxwriter

from dashboards.downloads import WORKBOOK_OPTIONS
from dashboards.labels import Labels
from dashboards.suppression import for_display


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
