"""Activity-form CSVs: every bad input of the landing-zone contract, beside good rows."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest
from ingest_fixtures.checks import read, rejected_by_row
from ingest_fixtures.landing import (
    ACTIVITY_HEADER,
    activity_reference,
    activity_row,
    csv_text,
    landing_file,
    write_activity_csv,
    write_seeds,
)

from orchestration.ingest.discovery import discover
from orchestration.reference_data import program_parameter

MAX_MINUTES = program_parameter("max_activity_minutes")


@pytest.fixture
def seeds(tmp_path):
    return write_seeds(tmp_path / "seeds")


@pytest.fixture
def reference(seeds):
    return activity_reference(seeds)


@pytest.fixture
def landing(tmp_path):
    return tmp_path / "landing"


def read_between_good_rows(landing, reference, bad: dict[str, str], **kwargs):
    """Rows 2 and 4 are valid, row 3 is `bad`; the good ones must survive."""
    rows = [activity_row(notes="first"), activity_row(**bad), activity_row(notes="last")]
    result = read(write_activity_csv(landing, rows, **kwargs), reference)
    assert result.accepted.get_column("_row_number").to_list() == [2, 4]
    assert result.accepted.get_column("notes").to_list() == ["first", "last"]
    assert result.status == "loaded_with_rejections"
    return rejected_by_row(result)[3]


def test_valid_rows_are_typed(landing, reference):
    result = read(write_activity_csv(landing, [activity_row(notes="met at home")]), reference)
    assert result.status == "loaded" and result.error is None
    assert result.accepted.drop("_row_number").row(0, named=True) == {
        "pp_id": "PP01", "family_id": "F001", "service_month": dt.date(2024, 3, 1),
        "submitted_at": dt.datetime(2024, 4, 2, 9, 30), "activity_date": dt.date(2024, 3, 9),
        "activity_type": "home_visit", "duration_minutes": 60, "notes": "met at home",
        "source_format": "csv", "warnings": None,
    }


def test_empty_file_is_rejected_and_others_still_load(landing, reference):
    (landing / "activity_forms/2024-03").mkdir(parents=True)
    (landing / "activity_forms/2024-03/empty.csv").write_bytes(b"")
    write_activity_csv(landing, [activity_row()], name="good.csv")
    results = {f.rel_path: read(f, reference) for f in discover(landing)}
    empty = results["activity_forms/2024-03/empty.csv"]
    assert empty.rows_read == 0 and empty.status == "rejected"
    assert empty.error == "activity_forms/2024-03/empty.csv: empty file"
    good = results["activity_forms/2024-03/good.csv"]
    assert good.status == "loaded" and good.accepted.height == 1


def test_header_only_file_loads_nothing_without_error(landing, reference):
    result = read(write_activity_csv(landing, []), reference)
    assert (result.rows_read, result.error, result.status) == (0, None, "loaded")


def test_wrong_delimiter_rejects_every_row_with_the_file_reason(landing, reference):
    f = write_activity_csv(landing, [activity_row(), activity_row()], delimiter=";")
    result = read(f, reference)
    assert result.status == "rejected"
    assert "semicolons" in result.error and f.rel_path in result.error
    assert result.rows_read == 2 and result.accepted.height == 0
    assert set(result.rejected.get_column("reason_code")) == {"file_rejected"}
    assert "semicolons" in result.rejected.get_column("reason")[0]
    assert json.loads(result.rejected.get_column("raw_record")[0])["pp_id"] == "PP01"


def test_missing_required_column_is_named(landing, reference):
    header = [h for h in ACTIVITY_HEADER if h != "duration_minutes"]
    path = landing / "activity_forms/2024-03/site.csv"
    path.parent.mkdir(parents=True)
    path.write_text(csv_text(header, [activity_row(), activity_row()]))
    result = read(landing_file(landing, "activity_forms/2024-03/site.csv"), reference)
    assert result.status == "rejected"
    assert result.error.endswith("site.csv: missing required column duration_minutes")
    assert result.rows_read == 2
    assert result.rejected.get_column("reason_code").to_list() == ["file_rejected"] * 2
    # Named unquoted: the published reason withholds whatever a reason quotes
    # (models/staging/stg_rejected_rows.sql), and this name is the contract's own.
    assert result.rejected.get_column("reason").to_list() == [
        "missing required column duration_minutes"] * 2


def test_optional_column_may_be_absent(landing, reference):
    header = [h for h in ACTIVITY_HEADER if h != "notes"]
    path = landing / "activity_forms/2024-03/site.csv"
    path.parent.mkdir(parents=True)
    path.write_text(csv_text(header, [activity_row()]))
    result = read(landing_file(landing, "activity_forms/2024-03/site.csv"), reference)
    assert result.status == "loaded" and result.accepted.get_column("notes").to_list() == [None]


def test_extra_columns_are_ignored_but_kept_in_the_raw_record(landing, reference):
    header = ["site_note", *ACTIVITY_HEADER, "coordinator"]
    rows = [activity_row(site_note="a", coordinator="Kim"),
            activity_row(duration_minutes="0", coordinator="Lee")]
    path = landing / "activity_forms/2024-03/site.csv"
    path.parent.mkdir(parents=True)
    path.write_text(csv_text(header, rows))
    result = read(landing_file(landing, "activity_forms/2024-03/site.csv"), reference)
    assert result.accepted.height == 1 and "coordinator" not in result.accepted.columns
    raw = json.loads(result.rejected.get_column("raw_record")[0])
    assert raw["coordinator"] == "Lee" and raw["duration_minutes"] == "0"


def test_column_names_match_case_insensitively_and_values_are_trimmed(landing, reference):
    header = ["  PP_ID ", "Family_ID", "SERVICE_MONTH", "Submitted_At", "activity_date",
              "Activity_Type", "duration_minutes", "Notes"]
    path = landing / "activity_forms/2024-03/site.csv"
    path.parent.mkdir(parents=True)
    row = {"  PP_ID ": " PP01 ", "Family_ID": "F001 ", "SERVICE_MONTH": "2024-03",
           "Submitted_At": " 2024-04-02 09:30", "activity_date": "2024-03-09",
           "Activity_Type": " Home Visit ", "duration_minutes": " 45 ", "Notes": "  "}
    path.write_text(csv_text(header, [row]))
    result = read(landing_file(landing, "activity_forms/2024-03/site.csv"), reference)
    assert result.accepted.select("pp_id", "family_id", "activity_type", "duration_minutes",
                                  "notes").row(0) == ("PP01", "F001", "home_visit", 45, None)


def test_windows_1252_text_is_stored_as_utf8(landing, reference):
    f = write_activity_csv(
        landing, [activity_row(notes="Café with José – “court” prep")], encoding="cp1252"
    )
    assert "é".encode("cp1252") in f.path.read_bytes()
    result = read(f, reference)
    assert result.accepted.get_column("notes").to_list() == ["Café with José – “court” prep"]


def test_utf8_with_bom_reads_the_first_column(landing, reference):
    f = write_activity_csv(landing, [activity_row(notes="crème")], encoding="utf-8-sig")
    assert f.path.read_bytes().startswith(b"\xef\xbb\xbf")
    result = read(f, reference)
    assert result.status == "loaded"
    assert result.accepted.select("pp_id", "notes").row(0) == ("PP01", "crème")


def test_quoted_newlines_in_notes_keep_row_numbers_by_record(landing, reference):
    rows = [activity_row(notes="line one\nline two\r\nline three"),
            activity_row(duration_minutes="abc"),
            activity_row(notes='she said "ok",\nthen left')]
    result = read(write_activity_csv(landing, rows), reference)
    assert result.accepted.get_column("notes").to_list() == [
        "line one\nline two\r\nline three", 'she said "ok",\nthen left']
    # Row numbers count records (header = row 1), as a spreadsheet shows the file.
    assert result.accepted.get_column("_row_number").to_list() == [2, 4]
    assert rejected_by_row(result)[3][0] == "invalid_duration"


def test_blank_lines_are_not_rows_but_keep_numbering(landing, reference):
    body = csv_text(ACTIVITY_HEADER, [activity_row()]) + "\r\n,,,,,,,\r\n"
    body += csv_text(ACTIVITY_HEADER, [activity_row(duration_minutes="0")]).split("\r\n", 1)[1]
    path = landing / "activity_forms/2024-03/site.csv"
    path.parent.mkdir(parents=True)
    path.write_text(body)
    result = read(landing_file(landing, "activity_forms/2024-03/site.csv"), reference)
    assert result.rows_read == 2
    assert rejected_by_row(result) == {
        5: ("invalid_duration", f"duration_minutes is not a whole number from 1 to {MAX_MINUTES}")}


def test_dates_and_datetimes_in_both_formats(landing, reference):
    rows = [
        activity_row(activity_date="3/9/2024", submitted_at="4/2/2024 9:30"),
        activity_row(activity_date="2024-03-09", submitted_at="2024-04-02 09:30"),
        activity_row(activity_date="03/09/2024", submitted_at="2024-04-02T09:30"),
        activity_row(service_month="2024-03-15", submitted_at="2024-04-02T09:30:00"),
    ]
    result = read(write_activity_csv(landing, rows), reference)
    assert result.status == "loaded"
    typed = result.accepted.select("service_month", "activity_date", "submitted_at").unique()
    assert typed.rows() == [(dt.date(2024, 3, 1), dt.date(2024, 3, 9),
                             dt.datetime(2024, 4, 2, 9, 30))]


DATE_RULE = "a valid date (YYYY-MM-DD or M/D/YYYY)"
DATETIME_RULE = "a valid date and time (ISO 8601 or M/D/YYYY H:MM)"


@pytest.mark.parametrize(
    ("bad", "code", "expected"),
    [
        ({"activity_date": "2024-02-30"}, "invalid_date", f"activity_date is not {DATE_RULE}"),
        ({"activity_date": "13/1/2024"}, "invalid_date", f"activity_date is not {DATE_RULE}"),
        ({"service_month": "2024-13"}, "invalid_date", "service_month is not a month (YYYY-MM)"),
        ({"submitted_at": "2024-04-31T10:00"}, "invalid_datetime",
         f"submitted_at is not {DATETIME_RULE}"),
        ({"submitted_at": "yesterday"}, "invalid_datetime", f"submitted_at is not {DATETIME_RULE}"),
    ],
)
def test_impossible_dates(landing, reference, bad, code, expected):
    """The reason names the column and the rule; the value itself is not repeated."""
    assert read_between_good_rows(landing, reference, bad) == (code, expected)


@pytest.mark.parametrize("minutes", ["0", "-5", str(MAX_MINUTES + 1), "1.5", "abc"])
def test_invalid_durations(landing, reference, minutes):
    code, reason = read_between_good_rows(landing, reference, {"duration_minutes": minutes})
    assert code == "invalid_duration"
    assert reason == f"duration_minutes is not a whole number from 1 to {MAX_MINUTES}"


def test_duration_bounds_and_whole_decimals_are_accepted(landing, reference):
    rows = [activity_row(duration_minutes=m) for m in ("1", str(MAX_MINUTES), "30.0")]
    result = read(write_activity_csv(landing, rows), reference)
    assert result.accepted.get_column("duration_minutes").to_list() == [1, MAX_MINUTES, 30]


@pytest.mark.parametrize("column", ["pp_id", "service_month", "submitted_at",
                                    "activity_date", "activity_type", "duration_minutes"])
def test_missing_required_value(landing, reference, column):
    code, reason = read_between_good_rows(landing, reference, {column: "  "})
    assert (code, reason) == ("missing_value", f"{column} is missing")


def test_unknown_activity_type(landing, reference):
    code, reason = read_between_good_rows(landing, reference, {"activity_type": "bowling"})
    assert (code, reason) == (
        "unknown_activity_type", "activity_type is not a code in seeds/activity_types.csv")


def test_activity_type_labels_read_as_codes(landing, reference):
    rows = [activity_row(activity_type="Phone call"), activity_row(activity_type="TEXT-OR-EMAIL")]
    result = read(write_activity_csv(landing, rows), reference)
    assert result.accepted.get_column("activity_type").to_list() == ["phone_call", "text_or_email"]


def test_unknown_pp(landing, reference):
    code, reason = read_between_good_rows(landing, reference, {"pp_id": "PP99"})
    assert (code, reason) == ("unknown_pp", "pp_id is not on the Parent Partner roster")


def test_unknown_family(landing, reference):
    code, reason = read_between_good_rows(landing, reference, {"family_id": "F999"})
    assert (code, reason) == ("unknown_family", "family_id is not in the referrals")


def test_family_level_type_needs_a_family(landing, reference):
    """The activity type is named as the seed's code once it is known to be one."""
    code, reason = read_between_good_rows(
        landing, reference, {"family_id": "", "activity_type": "Home visit"})
    assert (code, reason) == (
        "family_required",
        "activity_type home_visit is a family-level activity but family_id is empty")


def test_pp_level_type_must_not_name_a_family(landing, reference):
    code, reason = read_between_good_rows(
        landing, reference, {"activity_type": "committee_meeting"})
    assert (code, reason) == (
        "family_not_allowed",
        "activity_type committee_meeting is a PP-level activity but family_id is given")


def test_pp_level_activity_without_family_is_accepted(landing, reference):
    rows = [activity_row(family_id="", activity_type="committee_meeting")]
    result = read(write_activity_csv(landing, rows), reference)
    assert result.accepted.select("family_id", "warnings").row(0) == (None, None)


def test_service_month_other_than_the_folder(landing, reference):
    code, reason = read_between_good_rows(
        landing, reference, {"service_month": "2024-04", "activity_date": "2024-04-02",
                             "submitted_at": "2024-04-03T10:00"})
    assert code == "month_mismatch"
    assert reason == "service_month does not match the folder month 2024-03"


def test_activity_outside_its_service_month(landing, reference):
    code, reason = read_between_good_rows(landing, reference, {"activity_date": "2024-04-01"})
    assert code == "activity_outside_month"
    assert reason == "activity_date is outside service_month"


def test_activity_after_submission(landing, reference):
    code, _ = read_between_good_rows(
        landing, reference, {"activity_date": "2024-03-30", "submitted_at": "2024-03-29T18:00"})
    assert code == "activity_after_submission"


def test_future_activity(seeds, landing):
    reference = activity_reference(seeds, as_of=dt.date(2024, 3, 20))
    code, reason = read_between_good_rows(
        landing, reference, {"activity_date": "2024-03-25", "submitted_at": "2024-03-26T10:00"})
    assert code == "future_activity"
    assert reason == "activity_date is after the as-of date 2024-03-20"


def test_too_many_values_on_a_row(landing, reference):
    body = csv_text(ACTIVITY_HEADER, [activity_row()]).replace("\r\n", ",oops\r\n")
    body = csv_text(ACTIVITY_HEADER, [activity_row()]) + body.split("\r\n", 1)[1]
    path = landing / "activity_forms/2024-03/site.csv"
    path.parent.mkdir(parents=True)
    path.write_text(body)
    result = read(landing_file(landing, "activity_forms/2024-03/site.csv"), reference)
    assert rejected_by_row(result)[3][0] == "too_many_values"
    assert result.accepted.get_column("_row_number").to_list() == [2]


def test_one_reason_per_row_the_first_in_the_documented_order(landing, reference):
    code, _ = read_between_good_rows(
        landing, reference,
        {"pp_id": "PP99", "activity_type": "bowling", "duration_minutes": "0"})
    assert code == "invalid_duration"


def test_warnings_keep_the_row(landing, reference):
    rows = [
        activity_row(),                                                       # 2 clean
        activity_row(pp_id="PP02"),                                           # 3 covering PP
        activity_row(family_id="F002", activity_date="2024-03-25"),           # 4 after exit
        activity_row(family_id="F003"),                                       # 5 never matched
        activity_row(family_id="F002", pp_id="PP02", activity_date="2024-03-10"),  # 6 match day
        activity_row(),                                                       # 7 duplicate of 2
        activity_row(family_id="F001", activity_date="2024-03-01", notes="x"),  # 8 clean
    ]
    result = read(write_activity_csv(landing, rows), reference)
    warnings = dict(result.accepted.select("_row_number", "warnings").iter_rows())
    assert warnings == {2: None, 3: "not_matched_pp", 4: "outside_match_period",
                        5: "outside_match_period", 6: None, 7: "duplicate_row", 8: None}
    assert result.rows_warned == 4 and result.status == "loaded"


def test_before_the_match_date_is_outside_the_match_period(landing, reference):
    rows = [activity_row(family_id="F002", pp_id="PP02", activity_date="2024-03-09"),
            activity_row(family_id="F002", pp_id="PP01", activity_date="2024-03-09")]
    result = read(write_activity_csv(landing, rows), reference)
    assert result.accepted.get_column("warnings").to_list() == ["outside_match_period"] * 2


def test_a_row_can_carry_several_warnings(landing, reference):
    rows = [activity_row(family_id="F003"), activity_row(family_id="F003")]
    result = read(write_activity_csv(landing, rows), reference)
    assert result.accepted.get_column("warnings").to_list() == [
        "outside_match_period", "outside_match_period;duplicate_row"]


def test_without_reference_the_lookups_are_skipped(landing, seeds):
    from ingest_fixtures.landing import code_lists

    rows = [activity_row(pp_id="PP99", family_id="F999")]
    result = read(write_activity_csv(landing, rows), None, code_lists(seeds))
    assert result.status == "loaded" and result.accepted.get_column("warnings")[0] is None


def test_a_file_level_problem_never_raises(landing, reference):
    path = landing / "activity_forms/2024-03/binary.csv"
    path.parent.mkdir(parents=True)
    path.write_bytes(b'pp_id,"family_id\n\x00\xff\xfe"broken')
    result = read(landing_file(landing, "activity_forms/2024-03/binary.csv"), reference)
    assert result.status == "rejected"
    assert isinstance(result.accepted, pl.DataFrame)
