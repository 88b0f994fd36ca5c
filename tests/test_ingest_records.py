"""Snapshot and contract files: typed columns, codes, numbers and file names."""

from __future__ import annotations

import datetime as dt

import pytest
from ingest_fixtures.checks import read, rejected_by_row
from ingest_fixtures.landing import code_lists, write_csv, write_seeds

from orchestration.ingest.schemas import (
    CONTRACT_TERMS,
    FIDELITY_CHECKLISTS,
    INVOICES,
    MALTREATMENT_REPORTS,
    PARENT_OUTCOMES,
    PARENT_PARTNERS,
    REFERRALS,
    REMOVAL_EPISODES,
    TRAINING_RECORDS,
)


@pytest.fixture
def codes(tmp_path):
    return code_lists(write_seeds(tmp_path / "seeds"))


@pytest.fixture
def landing(tmp_path):
    return tmp_path / "landing"


def header(kind) -> list[str]:
    return [c for c in kind.columns if c != "extract_date"]


def referral(**values: str) -> dict[str, str]:
    row = {
        "referral_id": "R1", "family_id": "F001", "site_id": "S1", "county_fips": "19153",
        "referral_date": "2024-01-05", "referral_source": "caseworker",
        "parent_first_name": "Ana", "parent_last_name": "Pérez",
        "parent_birth_date": "5/6/1990", "parent_gender": "female",
        "parent_race_ethnicity": "hispanic", "pp_id": "PP01", "match_date": "2024-01-15",
        "exit_date": "", "exit_reason": "",
    }
    row.update(values)
    return row


def test_referrals_are_typed_with_the_extract_date(landing, codes):
    f = write_csv(landing, "referrals/referrals_2024-04-01.csv", header(REFERRALS),
                  [referral(referral_source="Court")])
    result = read(f, code_lists=codes)
    assert result.status == "loaded"
    row = result.accepted.row(0, named=True)
    assert row["extract_date"] == dt.date(2024, 4, 1)
    assert row["parent_birth_date"] == dt.date(1990, 5, 6)
    assert row["referral_source"] == "court" and row["county_fips"] == "19153"
    assert row["exit_date"] is None and row["_row_number"] == 2


@pytest.mark.parametrize(
    ("bad", "code", "expected"),
    [
        ({"referral_id": ""}, "missing_value", "referral_id is missing"),
        ({"referral_date": "2024-02-30"}, "invalid_date",
         "referral_date is not a valid date (YYYY-MM-DD or M/D/YYYY)"),
        ({"referral_source": "walk-in"}, "unknown_code",
         "referral_source is not one of caseworker, court, self, other"),
        ({"exit_date": "2024-03-01", "exit_reason": "won the lottery"}, "unknown_code",
         ("exit_reason is not one of reunified, case_closed, parent_declined, "
          "rights_terminated, moved, other")),
        ({"county_fips": "Polk"}, "invalid_fips",
         "county_fips is not a five-digit county FIPS code"),
    ],
)
def test_referral_row_errors(landing, codes, bad, code, expected):
    """The reason names the column and what it may hold, not the value it held."""
    rows = [referral(referral_id="R1"), referral(**{"referral_id": "R2", **bad}),
            referral(referral_id="R3")]
    result = read(write_csv(landing, "referrals/referrals_2024-04-01.csv",
                            header(REFERRALS), rows), code_lists=codes)
    assert result.accepted.get_column("_row_number").to_list() == [2, 4]
    assert rejected_by_row(result)[3] == (code, expected)


def test_a_bad_birth_date_is_rejected_without_repeating_it(landing, codes):
    rows = [referral(referral_id="R1", parent_birth_date="1990-02-30")]
    result = read(write_csv(landing, "referrals/referrals_2024-04-01.csv",
                            header(REFERRALS), rows), code_lists=codes)
    got_code, reason = rejected_by_row(result)[2]
    assert got_code == "invalid_date"
    assert reason.startswith("parent_birth_date is not a valid date")
    assert "1990" not in reason


def test_repeated_key_in_one_snapshot_keeps_the_first(landing, codes):
    rows = [referral(), referral(site_id="S2"), referral(referral_id="R2")]
    result = read(write_csv(landing, "referrals/referrals_2024-04-01.csv",
                            header(REFERRALS), rows), code_lists=codes)
    assert result.accepted.get_column("referral_id").to_list() == ["R1", "R2"]
    assert rejected_by_row(result)[3] == (
        "duplicate_key", "the key (referral_id) repeats row 2 of the same file")


def test_snapshot_without_a_date_in_its_name_is_rejected(landing, codes):
    f = write_csv(landing, "referrals/referrals_latest.csv", header(REFERRALS), [referral()])
    assert f.extract_date is None
    result = read(f, code_lists=codes)
    assert result.status == "rejected" and "YYYY-MM-DD" in result.error
    assert result.rejected.get_column("reason_code").to_list() == ["file_rejected"]


def test_roster_roles(landing, codes):
    rows = [
        {"pp_id": "PP01", "site_id": "S1", "role": "Parent Partner", "start_date": "2020-01-06",
         "own_reunification_date": "2018-05-01"},
        {"pp_id": "PP02", "site_id": "S1", "role": "volunteer", "start_date": "2020-01-06"},
    ]
    result = read(write_csv(landing, "reference/parent_partners_2024-04-01.csv",
                            header(PARENT_PARTNERS), rows), code_lists=codes)
    assert result.accepted.get_column("role").to_list() == ["parent_partner"]
    assert rejected_by_row(result)[3][0] == "unknown_code"


def test_training_topics_come_from_the_seeds(landing, codes):
    rows = [
        {"pp_id": "PP01", "topic_code": "ethics", "completed_on": "2024-01-10", "hours": "2.5"},
        {"pp_id": "PP01", "topic_code": "knitting", "completed_on": "2024-01-10", "hours": "1"},
        {"pp_id": "PP01", "topic_code": "domestic_violence", "completed_on": "2024-01-10",
         "hours": "-1"},
        {"pp_id": "PP02", "topic_code": "Mandatory Reporting", "completed_on": "1/9/2024",
         "hours": ""},
    ]
    result = read(write_csv(landing, "reference/training_records_2024-04-01.csv",
                            header(TRAINING_RECORDS), rows), code_lists=codes)
    assert result.accepted.select("topic_code", "hours").rows() == [
        ("ethics", 2.5), ("mandatory_reporting", None)]
    assert rejected_by_row(result) == {
        3: ("unknown_code", "topic_code is not a code in seeds/training_topics.csv"),
        4: ("invalid_number", "hours is not a number of 0 or more"),
    }


def test_fidelity_responses(landing, codes):
    rows = [
        {"family_id": "F1", "pp_id": "PP01", "match_date": "2024-01-15",
         "completed_on": "2024-06-01", "item_code": "contact_within_7_days", "response": "Yes"},
        {"family_id": "F1", "pp_id": "PP01", "match_date": "2024-01-15",
         "completed_on": "2024-06-01", "item_code": "phone_between_visits", "response": "maybe"},
    ]
    result = read(write_csv(landing, "exits/fidelity_checklists_2024-06-30.csv",
                            header(FIDELITY_CHECKLISTS), rows), code_lists=codes)
    assert result.accepted.get_column("response").to_list() == ["yes"]
    assert rejected_by_row(result)[3][0] == "unknown_code"


@pytest.mark.parametrize(("score", "ok"), [("1", True), ("5", True), ("4.0", True),
                                           ("0", False), ("6", False), ("3.5", False),
                                           ("good", False)])
def test_outcome_scores(landing, codes, score, ok):
    rows = [{"family_id": "F1", "match_date": "2024-01-15", "completed_on": "2024-06-01",
             "item_code": "understands_agency_process", "score": score}]
    result = read(write_csv(landing, "exits/parent_outcomes_2024-06-30.csv",
                            header(PARENT_OUTCOMES), rows), code_lists=codes)
    if ok:
        assert result.accepted.get_column("score").to_list() == [int(float(score))]
    else:
        assert rejected_by_row(result)[2] == (
            "invalid_number", "score is not a whole number from 1 to 5")


def test_removal_episodes_and_reports(landing, codes):
    episodes = [
        {"episode_id": "E1", "child_id": "C1", "family_id": "F1", "removal_date": "2023-11-02",
         "discharge_date": "", "discharge_reason": "", "child_birth_date": "2019-02-03",
         "child_sex": "F", "county_fips": "19153", "removal_reason": "neglect"},
        {"episode_id": "E2", "child_id": "C2", "family_id": "F2", "removal_date": "2023-11-02",
         "discharge_date": "2024-02-01", "discharge_reason": "Live with relative",
         "county_fips": "1001", "removal_reason": "parent_substance_use"},
        {"episode_id": "E3", "child_id": "C3", "family_id": "F3", "removal_date": "2023-11-02",
         "removal_reason": "aliens"},
    ]
    result = read(write_csv(landing, "child_welfare/removal_episodes_2024-04-01.csv",
                            header(REMOVAL_EPISODES), episodes), code_lists=codes)
    assert result.accepted.select("discharge_reason", "county_fips").rows() == [
        (None, "19153"), ("live_with_relative", "01001")]
    assert rejected_by_row(result)[4][0] == "unknown_code"

    reports = [{"report_id": "M1", "child_id": "C1", "report_date": "2024-01-02",
                "finding": "Not substantiated"},
               {"report_id": "M2", "child_id": "C1", "report_date": "2024-01-02",
                "finding": "unfounded"}]
    result = read(write_csv(landing, "child_welfare/maltreatment_reports_2024-04-01.csv",
                            header(MALTREATMENT_REPORTS), reports), code_lists=codes)
    assert result.accepted.get_column("finding").to_list() == ["not_substantiated"]
    assert rejected_by_row(result)[3][0] == "unknown_code"


def test_contract_terms_numbers(landing, codes):
    rows = [
        {"contract_id": "K1", "contractor": "Acme", "sfy": "SFY2020", "term_start": "2019-07-01",
         "term_end": "2020-06-30", "annual_value": "$1,200,000.00", "retainage_pct": "5%"},
        {"contract_id": "K1", "contractor": "Acme", "sfy": "2021", "term_start": "2020-07-01",
         "term_end": "2021-06-30", "annual_value": "1200000", "retainage_pct": "0.05"},
        {"contract_id": "K1", "contractor": "Acme", "sfy": "2022", "term_start": "2021-07-01",
         "term_end": "2022-06-30", "annual_value": "1200000", "retainage_pct": "1.5"},
        {"contract_id": "K1", "contractor": "Acme", "sfy": "twenty", "term_start": "2021-07-01",
         "term_end": "2022-06-30", "annual_value": "1200000", "retainage_pct": "0.05"},
    ]
    result = read(write_csv(landing, "contract/contract_terms.csv", header(CONTRACT_TERMS), rows),
                  code_lists=codes)
    assert result.accepted.select("sfy", "annual_value", "retainage_pct").rows() == [
        (2020, 1_200_000.0, 0.05), (2021, 1_200_000.0, 0.05)]
    assert rejected_by_row(result)[4] == (
        "invalid_number", "retainage_pct is not a share from 0 to 1 (or 0% to 100%)")
    assert rejected_by_row(result)[5][0] == "invalid_number"


def test_invoices(landing, codes):
    rows = [
        {"invoice_id": "I1", "contract_id": "K1", "invoice_type": "installment",
         "service_month": "2024-03", "amount": "100000.00", "submitted_on": "2024-04-05",
         "paid_on": ""},
        {"invoice_id": "I2", "contract_id": "K1", "invoice_type": "bonus",
         "service_month": "2024-03", "amount": "1"},
        {"invoice_id": "I3", "contract_id": "K1", "invoice_type": "retainage",
         "service_month": "March", "amount": "1"},
        {"invoice_id": "I4", "contract_id": "K1", "invoice_type": "retainage",
         "service_month": "2024-06", "amount": "lots"},
    ]
    result = read(write_csv(landing, "contract/invoices_2024.csv", header(INVOICES), rows),
                  code_lists=codes)
    assert result.accepted.select("service_month", "amount").rows() == [
        (dt.date(2024, 3, 1), 100000.0)]
    assert {n: c for n, (c, _) in rejected_by_row(result).items()} == {
        3: "unknown_code", 4: "invalid_date", 5: "invalid_number"}


def _grouped_on_the_values(frame, key):
    """duplicate_key as grouping every row on its file and key columns marks it."""
    import polars as pl

    from orchestration.ingest import record_rules
    from orchestration.ingest.row_checks import FILE_INDEX, REASON_CODE
    from orchestration.ingest.source_table import ROW_NUMBER

    passing = pl.col(REASON_CODE).is_null()
    first = pl.when(passing).then(pl.col(ROW_NUMBER)).min().over(FILE_INDEX, *key)
    repeated = passing & (pl.col(ROW_NUMBER) != first)
    return frame.with_columns(
        pl.when(repeated).then(pl.lit("duplicate_key")).otherwise(pl.col(REASON_CODE))
        .alias(REASON_CODE),
        pl.when(repeated).then(first).alias(record_rules._FIRST_ROW),
    )


@pytest.mark.parametrize("collide", [False, True])
@pytest.mark.parametrize("seed", range(5))
def test_repeated_keys_are_marked_as_grouping_on_the_values_marks_them(seed, collide, monkeypatch):
    """Rows are grouped on a hash of their file and key first: the rows and the earlier row
    each repeat are those grouping on the values finds, nulls in keys included, and when
    every hash collides (`collide`) nothing more is marked."""
    import numpy as np
    import polars as pl

    from orchestration.ingest import record_rules
    from orchestration.ingest.row_checks import FILE_INDEX, REASON_CODE
    from orchestration.ingest.source_table import ROW_NUMBER

    if collide:
        monkeypatch.setattr(record_rules, "_key_hash", lambda key: pl.lit(7, pl.UInt64))
    rng = np.random.default_rng(seed)
    n = 400
    frame = pl.DataFrame({
        FILE_INDEX: rng.integers(0, 3, n).astype(np.int32),
        ROW_NUMBER: np.arange(2, n + 2, dtype=np.int32),
        "family_id": [None if v == 0 else f"F{v}" for v in rng.integers(0, 12, n)],
        "match_date": [None if v == 0 else dt.date(2024, 1, v) for v in rng.integers(0, 6, n)],
        REASON_CODE: [None if v else "invalid_date" for v in rng.random(n) > 0.2],
    })
    key = ("family_id", "match_date")
    marked = record_rules._reject_repeated_keys(frame, key)
    expected = _grouped_on_the_values(frame, key)
    assert marked.get_column(REASON_CODE).to_list() == expected.get_column(REASON_CODE).to_list()
    repeats = pl.col(REASON_CODE) == "duplicate_key"
    assert (marked.filter(repeats).get_column(record_rules._FIRST_ROW).to_list()
            == expected.filter(repeats).get_column(record_rules._FIRST_ROW).to_list())
    assert expected.filter(repeats).height > 0


def test_an_extract_checked_a_slice_at_a_time_reads_as_checked_whole(landing, codes, monkeypatch):
    """Every rule but the repeated key is a row's own: slices of 3 rows, with repeats and
    bad rows on both sides of their edges, give the same rows and reasons as one pass."""
    from orchestration.ingest import batch

    rows = [
        referral(referral_id="R1"), referral(referral_id="R2", referral_date="2024-13-01"),
        referral(referral_id="R3"), referral(referral_id="R1", site_id="S2"),
        referral(referral_id="R4", referral_source="neighbour"), referral(referral_id="R3"),
        referral(referral_id="R2"), referral(referral_id="R5"), referral(referral_id="R2"),
        referral(referral_id="R6", pp_id=""), referral(referral_id="R1"),
    ]
    path = write_csv(landing, "referrals/referrals_2024-04-01.csv", header(REFERRALS), rows)
    whole = read(path, code_lists=codes)
    monkeypatch.setattr(batch, "CHECK_ROWS", 3)
    sliced = read(path, code_lists=codes)
    assert sliced.accepted.equals(whole.accepted)
    assert sliced.rejected.equals(whole.rejected)
    # The repeats of R1, R3 and R2 (whose first, at row 3, was itself rejected) are found
    # across the slices: R2's first accepted row (8) is the one kept.
    assert whole.accepted.get_column("referral_id").to_list() == ["R1", "R3", "R2", "R5", "R6"]
    assert {n: code for n, (code, _) in rejected_by_row(whole).items()} == {
        3: "invalid_date", 5: "duplicate_key", 6: "unknown_code", 7: "duplicate_key",
        10: "duplicate_key", 12: "duplicate_key"}
