"""The one-form Excel workbook (sheet `Activity Form`)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import xlsxwriter
from ingest_fixtures.checks import read, rejected_by_row
from ingest_fixtures.landing import activity_reference, landing_file, write_seeds, write_workbook

REL = "activity_forms/2024-03/PP01_F001.xlsx"
HEADER_BLOCK = {
    "pp_id": "PP01", "family_id": "F001", "service_month": "2024-03",
    "submitted_at": dt.datetime(2024, 4, 2, 9, 30),
}
ROWS = [
    [dt.date(2024, 3, 9), "home_visit", 60, "met at home"],
    ["3/12/2024", "Phone call", "15", None],
    [dt.date(2024, 3, 14), "home_visit", 721, "too long"],
]


@pytest.fixture
def reference(tmp_path):
    return activity_reference(write_seeds(tmp_path / "seeds"))


@pytest.fixture
def landing(tmp_path):
    return tmp_path / "landing"


def test_form_rows_take_the_header_block(landing, reference):
    result = read(write_workbook(landing, REL, header_block=HEADER_BLOCK, rows=ROWS), reference)
    assert result.status == "loaded_with_rejections"
    assert result.accepted.drop("warnings").rows() == [
        ("PP01", "F001", dt.date(2024, 3, 1), dt.datetime(2024, 4, 2, 9, 30), dt.date(2024, 3, 9),
         "home_visit", 60, "met at home", "xlsx", 7),
        ("PP01", "F001", dt.date(2024, 3, 1), dt.datetime(2024, 4, 2, 9, 30),
         dt.date(2024, 3, 12), "phone_call", 15, None, "xlsx", 8),
    ]
    # The sheet's own row number: the first activity row is row 7.
    assert rejected_by_row(result)[9] == (
        "invalid_duration", "duration_minutes is not a whole number from 1 to 720")
    raw = json.loads(result.rejected.get_column("raw_record")[0])
    assert raw["pp_id"] == "PP01" and raw["Minutes"] == "721" and raw["Notes"] == "too long"


def test_service_month_as_a_date_and_text_submission(landing, reference):
    block = {**HEADER_BLOCK, "service_month": dt.date(2024, 3, 1),
             "submitted_at": "4/2/2024 9:30"}
    result = read(write_workbook(landing, REL, header_block=block, rows=ROWS[:1]), reference)
    assert result.accepted.select("service_month", "submitted_at").row(0) == (
        dt.date(2024, 3, 1), dt.datetime(2024, 4, 2, 9, 30))


def test_pp_level_form_has_an_empty_family(landing, reference):
    block = {**HEADER_BLOCK, "family_id": None}
    rows = [[dt.date(2024, 3, 5), "committee_meeting", 90, None],
            [dt.date(2024, 3, 6), "home_visit", 30, None]]
    result = read(write_workbook(landing, REL, header_block=block, rows=rows), reference)
    assert result.accepted.select("family_id", "activity_type").rows() == [
        (None, "committee_meeting")]
    assert rejected_by_row(result)[8][0] == "family_required"


def test_workbook_without_the_sheet(landing, reference):
    f = write_workbook(landing, REL, header_block=HEADER_BLOCK, rows=ROWS, sheet="Sheet1")
    result = read(f, reference)
    assert result.status == "rejected" and result.rows_read == 0
    # The sheets the workbook has are counted, not named: a sheet may be named for a family.
    assert result.error == f"{REL}: workbook has no sheet named Activity Form (it has 1 other sheet)"


def test_sheet_name_matches_loosely(landing, reference):
    f = write_workbook(landing, REL, header_block=HEADER_BLOCK, rows=ROWS[:1],
                       sheet="activity form ")
    assert read(f, reference).status == "loaded"


def test_table_shifted_down_and_right(landing, reference):
    f = write_workbook(landing, REL, header_block=HEADER_BLOCK, rows=ROWS,
                       first_row=3, first_col=2)
    result = read(f, reference)
    assert result.accepted.get_column("_row_number").to_list() == [10, 11]
    assert result.accepted.get_column("activity_type").to_list() == ["home_visit", "phone_call"]
    assert list(rejected_by_row(result)) == [12]


def test_trailing_empty_rows_and_content_after_the_gap(landing, reference):
    f = write_workbook(landing, REL, header_block=HEADER_BLOCK, rows=ROWS[:2],
                       trailing_empty_rows=5)
    result = read(f, reference)
    assert (result.rows_read, result.status) == (2, "loaded")
    # Anything below the first fully empty row (a signature line) is not an activity.
    f = write_workbook(landing, REL, header_block=HEADER_BLOCK, rows=ROWS[:2],
                       after_gap=["Signed:", "J. Doe"])
    assert read(f, reference).rows_read == 2


def test_form_without_activities(landing, reference):
    result = read(write_workbook(landing, REL, header_block=HEADER_BLOCK, rows=[]), reference)
    assert (result.rows_read, result.error, result.status) == (0, None, "loaded")


def test_missing_label_rejects_every_row(landing, reference):
    labels = {"pp_id": "Parent Partner", "family_id": "Family",
              "service_month": "Service month", "submitted_at": "Signature"}
    f = write_workbook(landing, REL, header_block=HEADER_BLOCK, rows=ROWS, labels=labels)
    result = read(f, reference)
    assert result.status == "rejected" and "submitted_at" in result.error
    assert result.rows_read == 3
    assert set(result.rejected.get_column("reason_code")) == {"file_rejected"}


def test_sheet_without_a_table_header(landing, reference):
    path = landing / REL
    path.parent.mkdir(parents=True)
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("Activity Form").write(0, 0, "nothing here")
    book.close()
    result = read(landing_file(landing, REL), reference)
    assert result.status == "rejected" and "table header" in result.error


def test_not_a_workbook(landing, reference):
    path = landing / REL
    path.parent.mkdir(parents=True)
    path.write_bytes(b"this is not a zip file")
    result = read(landing_file(landing, REL), reference)
    assert result.status == "rejected" and result.rows_read == 0
    assert "Excel workbook" in result.error


def test_month_of_the_form_must_match_the_folder(landing, reference):
    block = {**HEADER_BLOCK, "service_month": "2024-02"}
    rows = [[dt.date(2024, 2, 9), "home_visit", 60, None]]
    result = read(write_workbook(landing, REL, header_block=block, rows=rows), reference)
    assert rejected_by_row(result)[7][0] == "month_mismatch"
