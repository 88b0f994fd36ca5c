"""Downloads open in a spreadsheet as data: a CSV's text cells that a spreadsheet would run
as a formula are escaped with a leading `'` (numbers are not), and the monthly packet's
workbook holds text as text, never as a formula or a link."""

from __future__ import annotations

import csv
import io
import zipfile

import polars as pl
import pytest
from python_calamine import CalamineWorkbook

from dashboards.labels import Labels
from dashboards.monthly_packet import packet_bytes
from dashboards.suppression import FLAG_SUFFIX, SUPPRESSED_LABEL
from dashboards.tables import table_csv
from orchestration.ingest.discovery import discover_unrecognised

FORMULA = '=HYPERLINK("http://x","y")'
RUNNABLE = [FORMULA, "=1+1", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]
PLAIN = ["F0000191", "a = b", "http://example.org", "2024-03"]


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("value", RUNNABLE)
def test_a_text_cell_a_spreadsheet_would_run_is_written_as_text(value):
    [row] = csv_rows(table_csv(pl.DataFrame({"family_id": [value]}), Labels()))
    assert row["family_id"] == "'" + value


def test_other_text_is_written_as_it_is():
    rows = csv_rows(table_csv(pl.DataFrame({"family_id": PLAIN}), Labels()))
    assert [r["family_id"] for r in rows] == PLAIN


def test_numbers_stay_numbers_even_below_zero():
    """A number column, shown or turned to text by suppression, is never escaped."""
    frame = pl.DataFrame({
        "label": ["-x", "y"], "change": [-5, 3], "families": [-2, 4],
        "families" + FLAG_SUFFIX: [False, True],
    })
    labels = Labels({"change": ("Change", "integer"), "families": ("Families", "integer")})
    rows = csv_rows(table_csv(frame, labels))
    assert [(r["label"], r["Change"], r["Families"]) for r in rows] == [
        ("'-x", "-5", "-2"), ("y", "3", SUPPRESSED_LABEL)]


def test_a_landing_file_named_as_a_formula_reaches_the_data_quality_csv_as_text(tmp_path):
    """The data-quality page lists the files no kind claims by name."""
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "=1+1 site_S01_x.csv").write_text("pp_id\nPP01\n")
    listed = pl.DataFrame(discover_unrecognised(landing), schema=["file", "reason"],
                          orient="row")
    [row] = csv_rows(table_csv(listed, Labels()))
    assert row["file"] == "'=1+1 site_S01_x.csv"


def test_the_packet_holds_text_as_text_not_as_a_formula_or_a_link():
    values = [*RUNNABLE, "http://evil.example/x", "mailto:a@b.example"]
    tables = {"Exits": pl.DataFrame({"family_id": values, "families": range(-1, len(values) - 1)})}
    packet = packet_bytes({"site": "=1+1"}, tables)
    with zipfile.ZipFile(io.BytesIO(packet)) as archive:
        sheets = [archive.read(n).decode() for n in archive.namelist()
                  if n.startswith("xl/worksheets/sheet")]
    assert len(sheets) == 2
    assert not any("<f>" in sheet or "<hyperlink " in sheet for sheet in sheets)
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(packet))
    exits = workbook.get_sheet_by_name("Exits").to_python()
    assert [row[0] for row in exits[1:]] == values
    assert [row[1] for row in exits[1:]] == [float(n) for n in range(-1, len(values) - 1)]
    cover = dict(row[:2] for row in workbook.get_sheet_by_name("Cover").to_python()[1:])
    assert cover["site"] == "=1+1"
