"""Realistic mistakes planted in the activity forms: rejected rows of every kind the
contract names, warnings, and corrections. Every plant is counted for the truth file."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import numpy as np

from orchestration.ingest.activity_rules import WARNING_CODES
from orchestration.reference_data import program_parameter, seed_column
from orchestration.synthetic import months
from orchestration.synthetic.activity_forms import Form, FormRow, correction_of

ROW_ERROR_SHARE = 0.008
OUTSIDE_MATCH_SHARE = 0.08  # of forms whose month holds match days and non-match days
DUPLICATE_ROW_SHARE = 0.008
CORRECTION_SHARE = 0.03

# Row error kinds, in the order of the contract's list, named by the reason code
# ingestion rejects them with (activity_rules.REASON_CODES), so the truth file's counts
# compare with raw.rejected_rows directly.
ROW_ERRORS = (
    "missing_value", "unknown_activity_type", "unknown_pp", "unknown_family",
    "family_required", "family_not_allowed",
    "activity_outside_month", "activity_after_submission",
    "invalid_duration", "month_mismatch",
)
WARNINGS = WARNING_CODES
BAD_FILES = ("empty_file", "header_only", "semicolon_delimited", "missing_required_column",
             "missing_activity_form_sheet")
# A workbook has one pp_id, family_id and month for the whole form.
CSV_ONLY = {"unknown_pp", "unknown_family", "month_mismatch"}
BAD_DURATIONS = ("0", "-5", str(program_parameter("max_activity_minutes") + 1), "1.5", "abc")
UNKNOWN_TYPES = ("parent_meeting", "transport", "visit")
MISSING_FIELDS = ("activity_date", "activity_type", "duration_minutes")


def plant_warnings(rng: np.random.Generator, forms: list[Form], counts: Counter) -> None:
    for form in forms:
        if form.covering:
            form.planted.add("not_matched_pp")
            counts["not_matched_pp"] += len(form.rows)
            continue
        if form.family_id and form.active_days:
            first, last = form.active_days
            month_first = months.first_day(form.month).toordinal()
            month_last = months.last_day(form.month).toordinal()
            outside = list(range(month_first, first)) + list(range(last + 1, month_last + 1))
            if outside and rng.random() < OUTSIDE_MATCH_SHARE:
                day = outside[int(rng.integers(len(outside)))]
                form.rows.append(FormRow(dt.date.fromordinal(day), "phone_call",
                                         int(rng.integers(10, 21))))
                form.rows.sort(key=lambda r: (r.activity_date, r.activity_type))
                form.planted.add("outside_match_period")
                counts["outside_match_period"] += 1
                continue
        if rng.random() < DUPLICATE_ROW_SHARE:
            at = int(rng.integers(len(form.rows)))
            original = form.rows[at]
            form.rows.insert(at + 1, FormRow(original.activity_date, original.activity_type,
                                             original.duration_minutes, original.notes))
            form.planted.add("duplicate_row")
            counts["duplicate_row"] += 1


def plant_corrections(rng: np.random.Generator, forms: list[Form], horizon: dt.date,
                      counts: Counter) -> list[Form]:
    corrections = []
    for form in forms:
        if form.planted or form.covering or rng.random() >= CORRECTION_SHARE:
            continue
        corrected = correction_of(rng, form)
        if corrected.submitted_at.date() <= horizon:
            form.planted.add("corrected")
            corrections.append(corrected)
            counts["corrections"] += 1
    return corrections


def plant_row_errors(rng: np.random.Generator, forms: list[Form], counts: Counter) -> None:
    """Spreads the error kinds evenly: each bad row gets the least planted kind that
    fits it (some kinds fit only family forms, Parent Partner forms or CSV rows)."""
    for form in forms:
        if form.planted or form.covering:
            continue
        for at in range(len(form.rows)):
            if rng.random() >= ROW_ERROR_SHARE:
                continue
            for kind in sorted(ROW_ERRORS, key=lambda k: (counts[k], ROW_ERRORS.index(k))):
                if _apply_error(rng, kind, form, at):
                    form.planted.add(kind)
                    counts[kind] += 1
                    break
            if "activity_after_submission" in form.planted:
                break  # its other rows were moved; plant nothing more in it


def _apply_error(rng: np.random.Generator, kind: str, form: Form, at: int) -> bool:
    row = form.rows[at]
    if not isinstance(row.activity_date, dt.date) or row.pp_id is not None \
            or row.family_id is not None or row.service_month is not None \
            or not isinstance(row.duration_minutes, int) \
            or row.activity_type not in _VALID_TYPES:
        return False  # already carries an error
    if form.excel and kind in CSV_ONLY:
        return False
    first = months.first_day(form.month)
    if kind == "missing_value":
        setattr(row, MISSING_FIELDS[int(rng.integers(3))], "")
    elif kind == "unknown_activity_type":
        row.activity_type = UNKNOWN_TYPES[int(rng.integers(len(UNKNOWN_TYPES)))]
    elif kind == "unknown_pp":
        row.pp_id = f"PQ{int(rng.integers(1000, 10000))}"
    elif kind == "unknown_family":
        if not form.family_id:
            return False
        row.family_id = f"F9{int(rng.integers(0, 1_000_000)):06d}"
    elif kind == "family_required":
        if not form.family_id:
            row.activity_type = "phone_call"
        elif form.excel:
            return False
        else:
            row.family_id = ""  # one row of a family's form lost its family_id
    elif kind == "family_not_allowed":
        if not form.family_id:
            return False
        row.activity_type = "committee_meeting"
    elif kind == "activity_outside_month":
        row.activity_date = first - dt.timedelta(days=int(rng.integers(1, 21)))
    elif kind == "activity_after_submission":
        return _date_after_submission(rng, form, at)
    elif kind == "invalid_duration":
        row.duration_minutes = BAD_DURATIONS[int(rng.integers(len(BAD_DURATIONS)))]
    elif kind == "month_mismatch":
        row.service_month = months.month_text(form.month - 1)
    return True


def _date_after_submission(rng: np.random.Generator, form: Form, at: int) -> bool:
    """A form sent before the month was over, with one activity dated after sending."""
    month_last = months.last_day(form.month)
    others = [r.activity_date for i, r in enumerate(form.rows) if i != at]
    if not form.family_id or not others or form.active_days is None or \
            form.active_days[1] != month_last.toordinal() or \
            not all(isinstance(d, dt.date) for d in others):
        return False
    sent = max(others)
    if sent >= month_last:
        return False
    form.submitted_at = dt.datetime(sent.year, sent.month, sent.day, 20, 30)
    form.rows[at].activity_date = sent + dt.timedelta(
        days=int(rng.integers(1, (month_last - sent).days + 1)))
    return True


_VALID_TYPES = frozenset(seed_column("activity_types.csv", "activity_type"))
