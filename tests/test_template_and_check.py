"""`ppa template activity-form` and `ppa check`, on copies of the demo landing zone.

The template is filled in as a person fills it in Excel - values typed into its own
cells, keeping the cell formats, the drop-downs and the code-list sheet - by editing the
workbook's sheet XML in place, then ingested by ingestion's own path into a scratch
warehouse. `ppa check` must print exactly the rejections ingestion records.
"""

import csv
import datetime as dt
import hashlib
import shutil
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import duckdb
import fastexcel
import pytest
from click.testing import CliRunner

from orchestration.cli import main
from orchestration.config import DEMO_LANDING_DIR
from orchestration.defs.assets.raw import activity_reference, ingest_files
from orchestration.ingest.discovery import discover
from orchestration.reference_data import seed_column

ROSTER = "reference/parent_partners_2024-07-31.csv"
REFERRALS = "referrals/referrals_2024-07-31.csv"
AS_OF = dt.date(2024, 8, 1)
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
ET.register_namespace("", MAIN)
ET.register_namespace("r", "http://schemas.openxmlformats.org/officeDocument/2006/relationships")


@pytest.fixture
def landing(tmp_path):
    """The demo's newest roster and referrals in a fresh landing zone, no activity files."""
    root = tmp_path / "landing"
    for rel in (ROSTER, REFERRALS):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(DEMO_LANDING_DIR / rel, root / rel)
    return root


def invoke(*args, env=None):
    return CliRunner().invoke(main, [str(a) for a in args], env=env or {})


def matched_family(site: str) -> tuple[str, str]:
    """(family_id, pp_id) of a family of `site` matched before 2024-05 and still active."""
    with open(DEMO_LANDING_DIR / REFERRALS, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if (row["site_id"] == site and row["pp_id"] and not row["exit_date"]
                    and row["match_date"] < "2024-04-01"):
                return row["family_id"], row["pp_id"]
    raise AssertionError(f"the demo referrals have no active match of {site}")


# --- filling the workbook in as Excel would save it ---------------------------------

def _column_styles(sheet: ET.Element) -> dict[int, str]:
    styles = {}
    for col in sheet.iter(f"{{{MAIN}}}col"):
        if "style" in col.attrib:
            for c in range(int(col.get("min")), int(col.get("max")) + 1):
                styles[c] = col.get("style")
    return styles


def _serial(value: dt.date | dt.datetime) -> float:
    start = dt.datetime(1899, 12, 30)
    moment = value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())
    return (moment - start) / dt.timedelta(days=1)


def _cell_ref(ref: str) -> tuple[int, int]:
    letters = "".join(ch for ch in ref if ch.isalpha())
    column = 0
    for ch in letters:
        column = column * 26 + ord(ch) - 64
    return int(ref[len(letters):]), column


def fill_in(template: Path, out: Path, values: dict[str, object]) -> None:
    """Type `values` ({'B1': 'PP0001', 'A7': date, 'C7': 90, ...}) into the sheet
    'Activity Form' of `template`: a cell keeps its own format, or takes its column's."""
    with zipfile.ZipFile(template) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    workbook = ET.fromstring(parts["xl/workbook.xml"])
    names = [s.get("name") for s in workbook.iter(f"{{{MAIN}}}sheet")]
    sheet_part = f"xl/worksheets/sheet{names.index('Activity Form') + 1}.xml"
    sheet = ET.fromstring(parts[sheet_part])
    data = sheet.find(f"{{{MAIN}}}sheetData")
    column_styles = _column_styles(sheet)
    rows = {int(r.get("r")): r for r in data}
    for ref, value in values.items():
        row_number, column = _cell_ref(ref)
        if row_number not in rows:
            rows[row_number] = ET.Element(f"{{{MAIN}}}row", {"r": str(row_number)})
        row = rows[row_number]
        cell = next((c for c in row if c.get("r") == ref), None)
        if cell is None:
            cell = ET.SubElement(row, f"{{{MAIN}}}c", {"r": ref})
            if column in column_styles:
                cell.set("s", column_styles[column])
        for child in list(cell):
            cell.remove(child)
        cell.attrib.pop("t", None)
        if isinstance(value, str):
            cell.set("t", "inlineStr")
            ET.SubElement(ET.SubElement(cell, f"{{{MAIN}}}is"), f"{{{MAIN}}}t").text = value
        else:
            number = _serial(value) if isinstance(value, dt.date) else value
            ET.SubElement(cell, f"{{{MAIN}}}v").text = repr(number)
    for row in rows.values():
        row[:] = sorted(row, key=lambda c: _cell_ref(c.get("r"))[1])
        row.attrib.pop("spans", None)
    data[:] = [rows[n] for n in sorted(rows)]
    parts[sheet_part] = ET.tostring(sheet, xml_declaration=True, encoding="UTF-8")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, content in parts.items():
            target.writestr(name, content)


def form_values(pp_id: str, family_id: str | None, month: str, submitted: dt.datetime,
                rows: list[tuple]) -> dict[str, object]:
    values: dict[str, object] = {"B1": pp_id, "B3": month, "B4": submitted}
    if family_id:
        values["B2"] = family_id
    for r, (day, activity_type, minutes, notes) in enumerate(rows, start=7):
        values |= {f"A{r}": day, f"B{r}": activity_type, f"C{r}": minutes}
        if notes:
            values[f"D{r}"] = notes
    return values


def ingest(landing: Path, warehouse: Path) -> duckdb.DuckDBPyConnection:
    """Ingestion's whole path (no Dagster): snapshots first, then activity forms checked
    against them, as a run does."""
    con = duckdb.connect(str(warehouse))
    files = discover(landing)
    ingest_files(con, [f for f in files if f.partition_key is None], run_id="test")
    ingest_files(con, [f for f in files if f.partition_key is not None], run_id="test",
                 reference=activity_reference(con, AS_OF))
    return con


# --- the template --------------------------------------------------------------------

def test_the_template_has_the_contract_layout_and_drop_downs(tmp_path, landing):
    out = tmp_path / "form.xlsx"
    result = invoke("template", "activity-form", "--out", out, "--site", "S02",
                    "--roster", landing / ROSTER)
    assert result.exit_code == 0, result.output
    reader = fastexcel.read_excel(str(out))
    assert reader.sheet_names[0] == "Activity Form"
    grid = reader.load_sheet("Activity Form", header_row=None, dtypes="string").to_polars()
    rows = [list(r) for r in grid.rows()]
    assert [rows[r][0] for r in range(4)] == ["Parent Partner ID", "Family ID",
                                              "Service month", "Submitted"]
    assert rows[5][:4] == ["Date", "Activity type", "Minutes", "Notes"]
    codes = reader.load_sheet("Code lists", dtypes="string").to_polars()
    assert codes["Activity type"].to_list() == list(seed_column("activity_types.csv",
                                                                "activity_type"))
    with open(landing / ROSTER, newline="", encoding="utf-8") as handle:
        site_pps = sorted(r["pp_id"] for r in csv.DictReader(handle)
                          if r["site_id"] == "S02" and not r["end_date"])
    offered = codes["Parent Partner ID"].drop_nulls().to_list()
    assert set(site_pps) <= set(offered) and all(p.startswith("PP") for p in offered)
    sheet_xml = zipfile.ZipFile(out).read("xl/worksheets/sheet1.xml").decode()
    n_types = len(seed_column("activity_types.csv", "activity_type"))
    assert f"sqref=\"B7:B206\"><formula1>'Code lists'!$A$2:$A${n_types + 1}" in sheet_xml
    assert f"sqref=\"B1\"><formula1>'Code lists'!$E$2:$E${len(offered) + 1}" in sheet_xml
    assert 'type="whole"' in sheet_xml and "<formula2>720</formula2>" in sheet_xml


def test_a_filled_in_template_ingests_without_a_rejected_row(tmp_path, landing):
    template = tmp_path / "form.xlsx"
    assert invoke("template", "activity-form", "--out", template, "--site", "S02",
                  "--roster", landing / ROSTER).exit_code == 0
    family, pp = matched_family("S02")
    month_dir = landing / "activity_forms" / "2024-05"
    month_dir.mkdir(parents=True)
    family_form = month_dir / f"{pp}_{family}.xlsx"
    fill_in(template, family_form, form_values(pp, family, "2024-05", dt.datetime(2024, 6, 4, 9, 30), [
        (dt.date(2024, 5, 2), "home_visit", 120, "Met at home; talked about the visit plan."),
        (dt.date(2024, 5, 9), "phone_call", 20, None),
        (dt.date(2024, 5, 16), "court_hearing", 180, "Came along to the review hearing."),
        (dt.date(2024, 5, 23), "visitation_support", 90, None),
    ]))
    pp_level = month_dir / f"{pp}_pp-level.xlsx"
    fill_in(template, pp_level, form_values(pp, None, "2024-05", dt.datetime(2024, 6, 4, 9, 40), [
        (dt.date(2024, 5, 14), "committee_meeting", 60, None),
        (dt.date(2024, 5, 28), "training_attended", 240, None),
    ]))

    checked = invoke("check", "--roster", landing / ROSTER, "--referrals", landing / REFERRALS,
                     "--as-of", AS_OF, family_form, pp_level)
    assert checked.exit_code == 0, checked.output
    assert "4 rows read, 4 accepted, 0 rejected" in checked.output

    con = ingest(landing, tmp_path / "warehouse.duckdb")
    assert con.execute("select count(*) from raw.rejected_rows").fetchall() == [(0,)]
    assert con.execute(
        "select file, rows_read, rows_accepted, rows_rejected, status from raw.ingested_files "
        "where file like 'activity_forms/%' order by file"
    ).fetchall() == [
        (f"activity_forms/2024-05/{pp}_{family}.xlsx", 4, 4, 0, "loaded"),
        (f"activity_forms/2024-05/{pp}_pp-level.xlsx", 2, 2, 0, "loaded"),
    ]
    assert con.execute(
        "select family_id, service_month, activity_date, activity_type, duration_minutes "
        "from raw.activity_rows order by submitted_at, _row_number"
    ).fetchall() == [
        (family, dt.date(2024, 5, 1), dt.date(2024, 5, 2), "home_visit", 120),
        (family, dt.date(2024, 5, 1), dt.date(2024, 5, 9), "phone_call", 20),
        (family, dt.date(2024, 5, 1), dt.date(2024, 5, 16), "court_hearing", 180),
        (family, dt.date(2024, 5, 1), dt.date(2024, 5, 23), "visitation_support", 90),
        (None, dt.date(2024, 5, 1), dt.date(2024, 5, 14), "committee_meeting", 60),
        (None, dt.date(2024, 5, 1), dt.date(2024, 5, 28), "training_attended", 240),
    ]


def test_a_template_for_a_site_takes_the_warehouses_newest_roster(tmp_path, landing):
    warehouse = tmp_path / "warehouse.duckdb"
    ingest(landing, warehouse).close()
    out = tmp_path / "form.xlsx"
    result = invoke("template", "activity-form", "--out", out, "--site", "S02",
                    env={"PPA_WAREHOUSE": str(warehouse), "PPA_AS_OF": "2024-08-01"})
    assert result.exit_code == 0, result.output
    with open(landing / ROSTER, newline="", encoding="utf-8") as handle:
        current = sorted(r["pp_id"] for r in csv.DictReader(handle)
                         if r["site_id"] == "S02" and (not r["end_date"] or r["end_date"] >= "2024-07-01"))
    codes = fastexcel.read_excel(str(out)).load_sheet("Code lists", dtypes="string").to_polars()
    assert codes["Parent Partner ID"].drop_nulls().to_list() == current
    assert f"{len(current)} Parent Partner ids of site S02" in result.output


def test_a_template_for_a_site_needs_a_roster(tmp_path):
    result = invoke("template", "activity-form", "--out", tmp_path / "f.xlsx", "--site", "S02",
                    env={"PPA_WAREHOUSE": str(tmp_path / "none.duckdb")})
    assert result.exit_code == 1
    assert "no roster" in result.output and "--roster" in result.output
    assert not (tmp_path / "f.xlsx").exists()


def test_a_site_not_on_the_roster_is_named(tmp_path, landing):
    result = invoke("template", "activity-form", "--out", tmp_path / "f.xlsx", "--site", "S77",
                    "--roster", landing / ROSTER)
    assert result.exit_code == 1
    assert "'S77'" in result.output and "S02" in result.output


# --- ppa check -----------------------------------------------------------------------

HEADER = ["pp_id", "family_id", "service_month", "submitted_at", "activity_date",
          "activity_type", "duration_minutes", "notes"]


def write_export(path: Path, rows: list[list[str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def clean_rows(pp: str, family: str) -> list[list[str]]:
    return [
        [pp, family, "2024-05", "2024-06-03T10:00:00", f"2024-05-{d:02d}", t, m, ""]
        for d, t, m in ((2, "home_visit", "90"), (8, "phone_call", "15"),
                        (15, "community_visit", "60"), (22, "home_visit", "75"))
    ] + [[pp, "", "2024-05", "2024-06-03T10:00:00", "2024-05-20", "committee_meeting", "45", ""]]


def planted(pp: str, family: str) -> tuple[list[list[str]], dict[int, str]]:
    """A clean export with bad rows planted; the row numbers (header = 1) and reason codes."""
    rows = clean_rows(pp, family)
    bad = {
        3: [pp, family, "2024-05", "2024-06-03T10:00:00", "2024-05-04", "home_vist", "60", ""],
        5: [pp, family, "2024-05", "2024-06-03T10:00:00", "2024-05-05", "home_visit", "0", ""],
        7: ["PP9999", family, "2024-05", "2024-06-03T10:00:00", "2024-05-06", "home_visit", "60", ""],
        8: [pp, family, "2024-05", "2024-06-03T10:00:00", "2024-04-30", "phone_call", "10", ""],
        9: [pp, "", "2024-05", "2024-06-03T10:00:00", "2024-05-07", "home_visit", "60", "x'; drop table raw.activity_rows; --"],
    }
    for row_number in sorted(bad):
        rows.insert(row_number - 2, bad[row_number])
    codes = {3: "unknown_activity_type", 5: "invalid_duration", 7: "unknown_pp",
             8: "activity_outside_month", 9: "family_required"}
    return rows, codes


def test_a_clean_export_passes(tmp_path, landing):
    family, pp = matched_family("S02")
    export = write_export(landing / "activity_forms/2024-05/site_S02_export.csv",
                          clean_rows(pp, family))
    result = invoke("check", "--roster", landing / ROSTER, "--referrals", landing / REFERRALS,
                    "--as-of", AS_OF, export)
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith(
        f"{export}: activity_rows, 5 rows read, 5 accepted, 0 rejected")


def test_each_planted_bad_row_is_printed_as_ingestion_records_it(tmp_path, landing):
    family, pp = matched_family("S02")
    rows, codes = planted(pp, family)
    export = write_export(landing / "activity_forms/2024-05/site_S02_export.csv", rows)
    result = invoke("check", "--roster", landing / ROSTER, "--referrals", landing / REFERRALS,
                    "--as-of", AS_OF, export)
    assert result.exit_code == 1
    printed = [line for line in result.output.splitlines() if ": row " in line]
    assert [int(line.split(": row ")[1].split(":")[0]) for line in printed] == sorted(codes)
    assert [line.rsplit("[", 1)[1].rstrip("]") for line in printed] == [
        codes[n] for n in sorted(codes)]
    assert f"{export}: activity_rows, 10 rows read, 5 accepted, 5 rejected" in result.output

    con = ingest(landing, tmp_path / "warehouse.duckdb")
    recorded = con.execute(
        "select file, row_number, reason, reason_code from raw.rejected_rows order by row_number"
    ).fetchall()
    assert printed == [f"{file}: row {n}: {reason} [{code}]" for file, n, reason, code in recorded]


def test_check_takes_the_roster_from_the_warehouse_and_leaves_it_untouched(tmp_path, landing):
    warehouse = tmp_path / "warehouse.duckdb"
    ingest(landing, warehouse).close()
    before = hashlib.sha256(warehouse.read_bytes()).hexdigest()
    family, pp = matched_family("S02")
    rows, _ = planted(pp, family)
    export = write_export(tmp_path / "site/activity_forms/2024-05/export.csv", rows)
    result = invoke("check", "--as-of", AS_OF, export, env={"PPA_WAREHOUSE": str(warehouse)})
    assert result.exit_code == 1
    assert f"checked against parent_partners from the warehouse {warehouse}" in result.output
    assert "row 7: pp_id is not on the Parent Partner roster [unknown_pp]" in result.output
    assert hashlib.sha256(warehouse.read_bytes()).hexdigest() == before
    assert not Path(f"{warehouse}.wal").exists()


def test_without_a_roster_the_skipped_rules_are_named(tmp_path):
    family, pp = matched_family("S02")
    rows, _ = planted(pp, family)
    export = write_export(tmp_path / "activity_forms/2024-05/export.csv", rows)
    result = invoke("check", export, env={"PPA_WAREHOUSE": str(tmp_path / "none.duckdb")})
    assert result.exit_code == 1
    assert "skipped: pp_id on the roster (unknown_pp)" in result.output
    assert "[unknown_pp]" not in result.output  # the row with PP9999 is not judged on it
    assert "4 rejected" in result.output


def test_files_no_kind_claims_and_rejected_files_are_reported(tmp_path, landing):
    loose = write_export(tmp_path / "downloads/export.csv", clean_rows("PP0001", "F0000001"))
    typo = write_export(tmp_path / "lz/activity_forms/2024-5/export.csv", clean_rows("PP1", "F1"))
    undated = shutil.copy(landing / REFERRALS, tmp_path / "referrals.csv")
    semicolons = tmp_path / "lz/activity_forms/2024-05/semi.csv"
    semicolons.parent.mkdir(parents=True)
    semicolons.write_text(";".join(HEADER) + "\nPP1;F1;2024-05;2024-06-01;2024-05-02;home_visit;5;\n")
    good = landing / REFERRALS
    result = invoke("check", loose, typo, undated, semicolons, good)
    assert result.exit_code == 1
    out = result.output
    assert f"{loose}: not a landing file: no kind of landing file is named so" in out
    assert f"{typo}: not a landing file: folder '2024-5' is not a service month written YYYY-MM" in out
    assert f"{undated}: not a landing file" in out
    assert "activity_forms/2024-05/semi.csv: columns are separated by semicolons" in out
    assert f"{good}: referrals, 290 rows read, 290 accepted, 0 rejected" in out
    assert "5 files checked, 4 with rejections" in out

    only_good = invoke("check", good)
    assert only_good.exit_code == 0, only_good.output
