"""The assembled graph over the checked-in demo landing zone, through `ppa run`.

One landing zone, three runs in order: the first run (the suite's shared `demo_run`, see
tests/conftest.py), then on a copy of it an identical re-run and a run after a corrected
form arrives. Expected figures are computed here in plain Python
from the landing files, independently of the readers and the SQL.
"""

import csv
import datetime as dt
import hashlib
import io
from collections import defaultdict
from pathlib import Path

import dagster as dg
import duckdb
import fastexcel
import pytest
from pipeline_run import DEMO_AS_OF as AS_OF
from pipeline_run import LINKS_OUT, MISPLACED, OUTSIDE_MARKER, ppa_run

from orchestration.ingest.schemas import PERSONAL_DATA, is_personal_data

# Parents' and Parent Partners' names, whose values must appear in no published cell (a
# birth date could equal any other date, so its values are not searched for).
PII_VALUES_FROM = {
    "referrals/referrals_*.csv": tuple(sorted(PERSONAL_DATA["referrals"] - {"parent_birth_date"})),
    "reference/parent_partners_*.csv": tuple(sorted(PERSONAL_DATA["parent_partners"])),
}


def query(path, sql):
    with duckdb.connect(str(path), read_only=True) as con:
        return con.sql(sql).fetchall()


@pytest.fixture
def first_run(demo_run):
    """The shared run of the demo landing zone (tests/conftest.py), read only."""
    return demo_run


@pytest.fixture(scope="module")
def again(copy_of_demo_run):
    """A copy of the first run, run again by the tests below in order: an identical re-run,
    then a run after a corrected form arrives."""
    return copy_of_demo_run


# --- independent readings of the landing files ---------------------------------------


def csv_records(path: Path) -> list[dict]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        return []
    header = [h.strip().lower() for h in rows[0]]
    return [
        dict(zip(header, row, strict=False)) for row in rows[1:] if any(v.strip() for v in row)
    ]


def workbook_rows(path: Path) -> int:
    reader = fastexcel.read_excel(str(path))
    if "Activity Form" not in reader.sheet_names:
        return 0
    sheet = reader.load_sheet("Activity Form", header_row=None).to_polars()
    cells = [[("" if v is None else str(v)).strip() for v in row] for row in sheet.iter_rows()]
    start = next(i for i, row in enumerate(cells) if row and row[0].lower() == "date") + 1
    count = 0
    for row in cells[start:]:
        if not any(row):
            break
        count += 1
    return count


def newest(folder: Path, prefix: str) -> Path:
    return max(folder.glob(f"{prefix}_*.csv"))


def month_range(first: dt.date, last: dt.date):
    month = first.replace(day=1)
    while month <= last:
        yield month
        month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def last_day(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


# --- the first run ----------------------------------------------------------------------


def test_definitions_load():
    from orchestration.defs.definitions import defs

    dg.Definitions.validate_loadable(defs)
    groups = {n.group_name for n in defs.resolve_asset_graph().asset_nodes}
    assert {"raw", "reference", "staging", "intermediate", "marts", "outcomes", "publish"} <= groups


def test_every_landing_file_and_row_is_accounted_for(first_run):
    landing = Path(first_run["PPA_LANDING_DIR"])
    files = sorted(
        p for p in landing.rglob("*")
        if p.is_file() and p.relative_to(landing).as_posix() not in MISPLACED
    )
    expected_rows = sum(
        workbook_rows(p) if p.suffix == ".xlsx" else len(csv_records(p))
        for p in files
        if p.relative_to(landing).as_posix() not in LINKS_OUT
    )
    published = first_run["PPA_PUBLISHED"]
    (n_files, read, accepted, rejected), = query(
        published,
        "select count(*), sum(rows_read), sum(rows_accepted), sum(rows_rejected) "
        "from marts.dq_ingested_files",
    )
    assert n_files == len(files)
    assert read == expected_rows
    assert read == accepted + rejected
    assert query(published, "select count(*) from marts.dq_rejected_rows") == [(rejected,)]


def test_every_planted_error_kind_is_rejected_with_a_reason(first_run):
    codes = {
        code
        for code, in query(
            first_run["PPA_PUBLISHED"], "select distinct reason_code from marts.dq_rejected_rows"
        )
    }
    assert {
        "missing_value", "unknown_activity_type", "unknown_pp", "unknown_family",
        "family_required", "family_not_allowed", "activity_outside_month",
        "activity_after_submission", "invalid_duration", "month_mismatch", "file_rejected",
    } <= codes
    bad_files = query(
        first_run["PPA_PUBLISHED"],
        "select file, error from marts.dq_ingested_files where status = 'rejected' order by file",
    )
    names = [Path(f).name for f, _ in bad_files]
    for planted in ("_semicolon.csv", "_missing_column.csv", "_empty.csv", "_wrong_sheet.xlsx"):
        assert any(name.endswith(planted) for name in names), planted
    assert all(error for _, error in bad_files)


def test_misplaced_files_are_reported_and_nothing_outside_the_zone_is_read(first_run):
    published = first_run["PPA_PUBLISHED"]
    unrecognised = dict(query(published, "select file, reason from marts.dq_unrecognised_files"))
    assert sorted(unrecognised) == sorted(MISPLACED)
    assert "is not a service month written YYYY-MM" in unrecognised[MISPLACED[0]]
    links = query(
        published,
        "select file, status, rows_read, error from marts.dq_ingested_files "
        f"where file in {LINKS_OUT!r} order by file",
    )
    assert [(f, status, n) for f, status, n, _ in links] == [
        (LINKS_OUT[1], "rejected", 0), (LINKS_OUT[0], "rejected", 0)
    ]
    assert all("outside the landing zone; not read" in error for *_, error in links)
    raw_records = " ".join(
        record for record, in query(first_run["PPA_WAREHOUSE"],
                                    "select raw_record from raw.rejected_rows")
    )
    assert "root:" not in raw_records and OUTSIDE_MARKER not in raw_records


def test_no_personal_data_is_published(first_run):
    landing = Path(first_run["PPA_LANDING_DIR"])
    names_by_kind = {
        pattern: {
            r[c].strip()
            for extract in landing.glob(pattern)  # every extract, not only the newest
            for r in csv_records(extract)
            for c in columns
            if r[c].strip()
        }
        for pattern, columns in PII_VALUES_FROM.items()
    }
    assert all(names_by_kind.values()), names_by_kind.keys()
    names = set().union(*names_by_kind.values())
    published = first_run["PPA_PUBLISHED"]
    columns = query(
        published,
        "select table_name, column_name, data_type from information_schema.columns",
    )
    assert not [c for _, c, _ in columns if is_personal_data(c)]
    leaked = []
    for table, column, data_type in columns:
        if data_type == "VARCHAR":
            values = {v for v, in query(published, f'select distinct "{column}" from marts."{table}"')}
            leaked += [f"{table}.{column}" for v in values if v in names]
    assert leaked == []


def test_contract_figures_match_the_contract_files(first_run):
    landing = Path(first_run["PPA_LANDING_DIR"])
    terms = {(r["contract_id"], int(r["sfy"])): r for r in csv_records(landing / "contract" / "contract_terms.csv")}
    invoices = {}
    for path in sorted((landing / "contract").glob("invoices_*.csv")):
        invoices.update({r["invoice_id"]: r for r in csv_records(path)})
    published = first_run["PPA_PUBLISHED"]
    rows = query(
        published,
        "select contract_id, sfy, installment_amount, retainage_amount, installments_invoiced, "
        "installments_paid from marts.fct_contract_sfy",
    )
    assert {(c, s) for c, s, *_ in rows} == set(terms)
    for contract_id, sfy, installment, retainage, invoiced, paid in rows:
        term = terms[(contract_id, sfy)]
        value, pct = float(term["annual_value"]), float(term["retainage_pct"])
        assert float(installment) == round(value * (1 - pct) / 12, 2)
        assert float(retainage) == round(value * pct, 2)
        in_sfy = [
            r for r in invoices.values()
            if r["contract_id"] == contract_id and r["invoice_type"] == "installment"
            and dt.date(sfy - 1, 7, 1) <= dt.date.fromisoformat(r["service_month"] + "-01") <= dt.date(sfy, 6, 30)
        ]
        assert float(invoiced) == pytest.approx(sum(float(r["amount"]) for r in in_sfy))
        assert float(paid) == pytest.approx(sum(
            float(r["amount"]) for r in in_sfy
            if r["paid_on"] and dt.date.fromisoformat(r["paid_on"]) <= dt.date.fromisoformat(AS_OF)
        ))


def test_caseloads_match_the_newest_referrals(first_run):
    landing = Path(first_run["PPA_LANDING_DIR"])
    as_of = dt.date.fromisoformat(AS_OF)
    expected = defaultdict(set)
    for r in csv_records(newest(landing / "referrals", "referrals")):
        if not (r["pp_id"] and r["match_date"]):
            continue
        start = dt.date.fromisoformat(r["match_date"])
        exit_date = dt.date.fromisoformat(r["exit_date"]) if r["exit_date"] else None
        for month in month_range(start, as_of):
            if exit_date is None or exit_date >= month:
                if start <= last_day(month):
                    expected[(r["pp_id"], month)].add(r["family_id"])
            else:
                break
    got = {
        (pp, month): n
        for pp, month, n in query(
            first_run["PPA_PUBLISHED"],
            "select pp_id, service_month, active_families from marts.fct_pp_month",
        )
    }
    first_form_month = dt.date(2024, 1, 1)
    window = {k: len(v) for k, v in expected.items() if k[1] >= first_form_month}
    assert {k: v for k, v in got.items() if k[1] >= first_form_month} == window


def test_every_performance_measure_is_reported_for_the_demo_years(first_run):
    rows = query(
        first_run["PPA_PUBLISHED"],
        "select sfy, measure_id, numerator, denominator, value, met, is_final "
        "from marts.fct_performance_measure where sfy = 2024 order by measure_id",
    )
    assert [r[1] for r in rows] == [f"PM0{i}" for i in range(1, 8)]
    for _, _, numerator, denominator, value, met, is_final in rows:
        assert is_final is False  # 2024-06-30 + 45 days is after the as-of date
        if denominator:
            assert value == pytest.approx(numerator / denominator)
            assert met is not None
        else:
            assert value is None and met is None


# --- re-running, then a correction ------------------------------------------------------


# Tables that record the publishing run itself (its id, its time), not the data.
PER_RUN_TABLES = ("meta_refresh", "dq_check_results", "ops_run_failures")


def marts_fingerprint(path) -> dict[str, str]:
    tables = [t for t, in query(path, "select table_name from information_schema.tables "
                                      "where table_schema = 'marts'") if t not in PER_RUN_TABLES]
    fingerprint = {}
    for table in tables:
        rows = sorted(map(repr, query(path, f'select * from marts."{table}"')))
        fingerprint[table] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return fingerprint


def raw_counts(path) -> dict[str, int]:
    return {
        t: query(path, f"select count(*) from raw.{t}")[0][0]
        for t, in query(path, "select table_name from information_schema.tables where table_schema = 'raw'")
    }


def test_running_again_changes_nothing(again):
    before = (marts_fingerprint(again["PPA_PUBLISHED"]), raw_counts(again["PPA_WAREHOUSE"]))
    ppa_run(again)
    after = (marts_fingerprint(again["PPA_PUBLISHED"]), raw_counts(again["PPA_WAREHOUSE"]))
    assert after == before


def test_a_late_correction_replaces_the_form_but_not_its_timeliness(again):
    landing = Path(again["PPA_LANDING_DIR"])
    published = again["PPA_PUBLISHED"]
    month_folder = landing / "activity_forms" / "2024-05"
    matched = {
        (r["pp_id"], r["family_id"])
        for r in csv_records(newest(landing / "referrals", "referrals"))
        if r["pp_id"]
    }
    pps_by_family = defaultdict(set)
    for path in month_folder.glob("*.csv"):
        for r in csv_records(path):
            pps_by_family[r.get("family_id", "")].add(r.get("pp_id", ""))
    in_workbooks = {p.stem.split("_")[1] for p in month_folder.glob("*.xlsx")}
    # A family with one PP's form only, matched to that PP: the correction is its only form.
    pp_id, family_id = next(
        (next(iter(pps)), family)
        for family, pps in sorted(pps_by_family.items())
        if family and family not in in_workbooks and len(pps) == 1
        and (next(iter(pps)), family) in matched
    )
    (on_time_before, minutes_before), = query(
        published,
        f"select form_on_time, total_minutes from marts.fct_family_month "
        f"where family_id = '{family_id}' and service_month = date '2024-05-01'",
    )
    correction = month_folder / "site_S01_late_correction.csv"
    correction.write_text(
        "pp_id,family_id,service_month,submitted_at,activity_date,activity_type,duration_minutes,notes\n"
        f"{pp_id},{family_id},2024-05,2024-07-20T09:00:00,2024-05-14,home_visit,500,corrected\n"
    )
    ppa_run(again)
    (on_time_after, minutes_after, contacts), = query(
        published,
        f"select form_on_time, total_minutes, total_contacts from marts.fct_family_month "
        f"where family_id = '{family_id}' and service_month = date '2024-05-01'",
    )
    assert minutes_before != 500
    assert (minutes_after, contacts) == (500, 1)
    assert on_time_after == on_time_before
    versions = query(
        again["PPA_WAREHOUSE"],
        f"select count(distinct _source_file) from raw.activity_rows "
        f"where family_id = '{family_id}' and pp_id = '{pp_id}' and service_month = date '2024-05-01'",
    )
    assert versions[0][0] >= 2
