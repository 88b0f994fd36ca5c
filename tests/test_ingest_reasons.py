"""Rejection reasons are published (marts.dq_rejected_rows, the data-quality page and its
CSV, `ppa check`): they name the column, the row and what was expected, and never repeat
a value as read. Rows whose values do not sit under their columns are rejected as such,
and ids are checked against the contract's id form."""

from __future__ import annotations

import datetime as dt
import re

import polars as pl
import pytest
from click.testing import CliRunner
from ingest_fixtures.checks import read, rejected_by_row
from ingest_fixtures.landing import (
    ACTIVITY_HEADER,
    activity_reference,
    activity_row,
    code_lists,
    csv_text,
    landing_file,
    write_activity_csv,
    write_csv,
    write_seeds,
)

from orchestration.cli import main
from orchestration.config import DEMO_LANDING_DIR
from orchestration.ingest.discovery import discover
from orchestration.ingest.read import read_landing_file
from orchestration.ingest.schemas import (
    CONTRACT_TERMS,
    FIDELITY_CHECKLISTS,
    ID_COLUMNS,
    ID_RULE,
    INVOICES,
    KINDS_BY_NAME,
    MALTREATMENT_REPORTS,
    PARENT_OUTCOMES,
    PARENT_PARTNERS,
    REFERRALS,
    REMOVAL_EPISODES,
    TRAINING_RECORDS,
)

NOTE = "Sarah Miller (mother of Jayden b. 2/3/2016) relapsed after the hearing"
NOTE_WORDS = re.compile(r"Sarah|Miller|Jayden|2016|relapsed", re.IGNORECASE)
FORMULA = '=HYPERLINK("http://x","y")'
MONTH = "activity_forms/2024-03"


@pytest.fixture
def seeds(tmp_path):
    return write_seeds(tmp_path / "seeds")


@pytest.fixture
def reference(seeds):
    return activity_reference(seeds)


@pytest.fixture
def landing(tmp_path):
    return tmp_path / "landing"


def write_lines(landing, lines: list[str], name: str = "site.csv"):
    path = landing / MONTH / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(",".join(ACTIVITY_HEADER) + "\r\n" + "".join(f"{x}\r\n" for x in lines))
    return landing_file(landing, f"{MONTH}/{name}")


def row_line(**values: str) -> str:
    """One activity row as a CSV line (the last line of csv_text, without its ending)."""
    return csv_text(ACTIVITY_HEADER, [activity_row(**values)]).split("\r\n")[1]


# --- rows whose values do not sit under their columns --------------------------------

def test_a_row_short_of_a_value_is_rejected_as_such_without_its_shifted_note(
        landing, reference):
    """activity_type left out: duration_minutes reads the note. The row is too short, and
    the reason says so without the note."""
    shifted = row_line(notes=NOTE).replace(",home_visit,", ",", 1)
    result = read(write_lines(landing, [row_line(), shifted, row_line()]), reference)
    assert result.accepted.get_column("_row_number").to_list() == [2, 4]
    assert rejected_by_row(result) == {3: ("too_few_values", "row has 7 values, the header has 8")}


def test_a_row_with_a_value_too_many_is_counted(landing, reference):
    result = read(write_lines(landing, [row_line(), row_line() + ",oops"]), reference)
    assert rejected_by_row(result) == {3: ("too_many_values", "row has 9 values, the header has 8")}


def test_a_value_two_columns_past_the_header_is_not_dropped_unseen(landing, reference):
    result = read(write_lines(landing, [row_line() + ",,oops"]), reference)
    assert rejected_by_row(result) == {
        2: ("too_many_values", "row has 10 values, the header has 8")}


def test_empty_values_past_the_header_are_no_values(landing, reference):
    """A trailing comma or two hold nothing: the row is whole."""
    result = read(write_lines(landing, [row_line() + ",", row_line(notes="x") + ", ,"]),
                  reference)
    assert result.status == "loaded" and result.accepted.height == 2


def test_a_short_row_is_judged_before_its_values(landing, reference):
    """Three values left out of a row whose remaining values are all unreadable: one
    reason, the row's width."""
    result = read(write_lines(landing, ["PP01,F001,2024-03,yesterday,bowling"]), reference)
    assert rejected_by_row(result) == {2: ("too_few_values", "row has 5 values, the header has 8")}


def test_a_bare_carriage_return_in_a_note_does_not_hide_a_short_row(landing, reference):
    """A carriage return alone is text inside a value, not the end of a row."""
    short = row_line().rsplit(",", 2)[0]
    result = read(write_lines(landing, [row_line(notes="a\rb").replace('"', ""), short]),
                  reference)
    assert result.accepted.get_column("notes").to_list() == ["a\rb"]
    assert rejected_by_row(result) == {3: ("too_few_values", "row has 6 values, the header has 8")}


def test_beside_a_value_too_long_to_count_a_long_row_is_still_found(landing, reference):
    """A value beyond what the csv module reads (128 KB, over lines each within the line
    limit) leaves the file's values uncounted; a row too long is still found by the column
    beyond the header."""
    lines = [row_line(notes=("y" * 999 + "\n") * 200), row_line() + ",oops"]
    result = read(write_lines(landing, lines), reference)
    assert result.accepted.get_column("_row_number").to_list() == [2]
    assert rejected_by_row(result) == {
        3: ("too_many_values", "row has more values than the header's 8 columns")}


# --- no value as read in any reason ---------------------------------------------------

def test_a_note_typed_into_any_column_is_never_repeated(landing, reference):
    """The note in each column of a full-width row in turn: every column that checks its
    value rejects the row, and no reason repeats a word of the note."""
    rows = [activity_row(**{column: NOTE}) for column in ACTIVITY_HEADER]
    result = read(write_activity_csv(landing, rows), reference)
    reasons = rejected_by_row(result)
    checked = [c for c in ACTIVITY_HEADER if c != "notes"]
    assert sorted(reasons) == [2 + ACTIVITY_HEADER.index(c) for c in checked]
    assert [why for _, why in reasons.values() if NOTE_WORDS.search(why)] == []
    assert {code for code, _ in reasons.values()} == {
        "invalid_id", "invalid_date", "invalid_datetime", "invalid_duration",
        "unknown_activity_type"}


VALID_ROWS = {
    REFERRALS.name: {
        "referral_id": "R1", "family_id": "F001", "site_id": "S1", "county_fips": "19153",
        "referral_date": "2024-01-05", "referral_source": "caseworker",
        "parent_first_name": "Ana", "parent_last_name": "Lee", "parent_birth_date": "1990-05-06",
        "parent_gender": "female", "parent_race_ethnicity": "hispanic", "pp_id": "PP01",
        "match_date": "2024-01-15", "exit_date": "2024-03-01", "exit_reason": "reunified"},
    PARENT_PARTNERS.name: {
        "pp_id": "PP01", "site_id": "S1", "role": "parent_partner", "first_name": "Ana",
        "last_name": "Lee", "start_date": "2020-01-06", "end_date": "2024-01-06",
        "own_reunification_date": "2018-05-01"},
    TRAINING_RECORDS.name: {
        "pp_id": "PP01", "topic_code": "ethics", "completed_on": "2024-01-10", "hours": "2.5"},
    FIDELITY_CHECKLISTS.name: {
        "family_id": "F1", "pp_id": "PP01", "match_date": "2024-01-15",
        "completed_on": "2024-06-01", "item_code": "contact_within_7_days", "response": "yes"},
    PARENT_OUTCOMES.name: {
        "family_id": "F1", "match_date": "2024-01-15", "completed_on": "2024-06-01",
        "item_code": "understands_agency_process", "score": "4"},
    REMOVAL_EPISODES.name: {
        "episode_id": "E1", "child_id": "C1", "family_id": "F1", "removal_date": "2023-11-02",
        "discharge_date": "2024-02-01", "discharge_reason": "reunification",
        "child_birth_date": "2019-02-03", "child_sex": "F", "child_race_ethnicity": "white",
        "county_fips": "19153", "removal_reason": "neglect"},
    MALTREATMENT_REPORTS.name: {
        "report_id": "M1", "child_id": "C1", "family_id": "F1", "report_date": "2024-01-02",
        "finding": "substantiated"},
    CONTRACT_TERMS.name: {
        "contract_id": "K1", "contractor": "Acme", "sfy": "2021", "term_start": "2020-07-01",
        "term_end": "2021-06-30", "annual_value": "1200000", "retainage_pct": "0.05"},
    INVOICES.name: {
        "invoice_id": "I1", "contract_id": "K1", "invoice_type": "installment",
        "service_month": "2024-03", "amount": "100000.00", "submitted_on": "2024-04-05",
        "paid_on": "2024-04-20"},
}
RELATIVE_PATHS = {
    REFERRALS.name: "referrals/referrals_2024-04-01.csv",
    PARENT_PARTNERS.name: "reference/parent_partners_2024-04-01.csv",
    TRAINING_RECORDS.name: "reference/training_records_2024-04-01.csv",
    FIDELITY_CHECKLISTS.name: "exits/fidelity_checklists_2024-06-30.csv",
    PARENT_OUTCOMES.name: "exits/parent_outcomes_2024-06-30.csv",
    REMOVAL_EPISODES.name: "child_welfare/removal_episodes_2024-04-01.csv",
    MALTREATMENT_REPORTS.name: "child_welfare/maltreatment_reports_2024-04-01.csv",
    CONTRACT_TERMS.name: "contract/contract_terms.csv",
    INVOICES.name: "contract/invoices_2024.csv",
}
# Columns the contract leaves free: names, and words a sender chooses.
FREE_TEXT = {"parent_first_name", "parent_last_name", "parent_gender", "parent_race_ethnicity",
             "first_name", "last_name", "child_sex", "child_race_ethnicity", "contractor"}


@pytest.mark.parametrize("kind", list(VALID_ROWS))
def test_no_reason_of_any_kind_repeats_the_value(tmp_path, seeds, kind):
    codes = code_lists(seeds)
    header = [c for c in KINDS_BY_NAME[kind].columns if c != "extract_date"]
    assert set(VALID_ROWS[kind]) == set(header)
    rejected = {}
    for column in header:
        f = write_csv(tmp_path / column, RELATIVE_PATHS[kind], header,
                      [{**VALID_ROWS[kind], column: NOTE}])
        result = read(f, code_lists=codes)
        if result.rejected.height:
            [(_, why)] = rejected_by_row(result).values()
            rejected[column] = why
    assert set(rejected) == set(header) - FREE_TEXT
    assert {c: why for c, why in rejected.items() if NOTE_WORDS.search(why)} == {}


def test_ppa_check_prints_no_value_of_a_rejected_row(landing, tmp_path):
    shifted = row_line(notes=NOTE).replace(",home_visit,", ",", 1)
    f = write_lines(landing, [shifted, row_line(duration_minutes=NOTE), row_line(pp_id=NOTE)])
    result = CliRunner().invoke(main, ["check", str(f.path)],
                                env={"PPA_WAREHOUSE": str(tmp_path / "none.duckdb")})
    assert result.exit_code == 1
    assert f"{MONTH}/site.csv: row 2: row has 7 values, the header has 8 [too_few_values]" \
        in result.output
    assert "row 3: duration_minutes is not a whole number" in result.output
    assert "row 4: pp_id is not an id" in result.output
    assert not NOTE_WORDS.search(result.output)


# A date that parses is a value as read too: Jayden's birth date (in NOTE) typed into a
# date column of the form, in the forms a sender writes it.
BIRTH_DATE = re.compile(r"2016|2/3/|02-03|03/02")


@pytest.mark.parametrize(("values", "code"), [
    ({"activity_date": "2/3/2016"}, "activity_outside_month"),
    ({"service_month": "2016-02", "activity_date": "2016-02-03"}, "month_mismatch"),
    ({"submitted_at": "2/3/2016 9:00"}, "activity_after_submission"),
])
def test_a_birth_date_in_a_date_column_is_not_repeated(landing, reference, values, code):
    result = read(write_activity_csv(landing, [activity_row(**values)]), reference)
    [(got, why)] = rejected_by_row(result).values()
    assert got == code
    assert not BIRTH_DATE.search(why), why


def test_a_date_after_the_as_of_date_is_not_repeated(landing, seeds):
    """The as-of date is the run's own and is named; the row's date is not."""
    reference = activity_reference(seeds, as_of=dt.date(2024, 3, 20))
    row = activity_row(activity_date="3/25/2024", submitted_at="3/26/2024 10:00")
    result = read(write_activity_csv(landing, [row]), reference)
    assert rejected_by_row(result) == {
        2: ("future_activity", "activity_date is after the as-of date 2024-03-20")}


# --- ids -------------------------------------------------------------------------------

@pytest.mark.parametrize("column", ["pp_id", "family_id"])
@pytest.mark.parametrize("value", [FORMULA, "+PP01", "-1", "@F1", "F 001", "F001;x", "x" * 65])
def test_an_activity_id_not_of_the_id_form_is_rejected(landing, column, value):
    """Without the roster and referrals too: the form of an id needs no look-up."""
    result = read(write_activity_csv(landing, [activity_row(**{column: value})]))
    assert rejected_by_row(result) == {2: ("invalid_id", f"{column} is not {ID_RULE}")}


@pytest.mark.parametrize("kind", list(VALID_ROWS))
def test_every_id_column_of_every_kind_is_checked(tmp_path, seeds, kind):
    codes = code_lists(seeds)
    header = [c for c in KINDS_BY_NAME[kind].columns if c != "extract_date"]
    ids = [c for c in header if c in ID_COLUMNS]
    assert ids
    for column in ids:
        f = write_csv(tmp_path / column, RELATIVE_PATHS[kind], header,
                      [{**VALID_ROWS[kind], column: FORMULA}])
        assert rejected_by_row(read(f, code_lists=codes)) == {
            2: ("invalid_id", f"{column} is not {ID_RULE}")}


@pytest.mark.parametrize("value", ["PP0001", "F0000191", "S01", "INV-C2020-2024-01", "a.b_c-1",
                                   "x" * 64])
def test_ids_of_the_id_form_are_accepted(landing, value):
    result = read(write_activity_csv(landing, [activity_row(pp_id=value)]))
    assert result.accepted.get_column("pp_id").to_list() == [value]


def test_the_demo_landing_zones_ids_are_all_of_the_id_form():
    for f in discover(DEMO_LANDING_DIR):
        rejected = read_landing_file(f).rejected
        assert rejected.filter(pl.col("reason_code") == "invalid_id").is_empty(), f.rel_path
