"""The generator plants its errors under ingestion's own codes: reading a generated
landing zone rejects exactly the planted rows of every kind with that kind's reason
code, flags the planted warnings with theirs, and takes no row from a planted bad file."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter

import polars as pl
import pytest

from orchestration.ingest import activity_rules
from orchestration.ingest.activity_rules import REASON_CODES, WARNING_CODES
from orchestration.ingest.discovery import discover
from orchestration.ingest.read import FILE_REJECTED, read_landing_file
from orchestration.ingest.reference import ActivityReference
from orchestration.ingest.schemas import ACTIVITY_ROWS, PARENT_PARTNERS, REFERRALS
from orchestration.synthetic import generate_landing_zone
from orchestration.synthetic.planted_problems import BAD_FILES, ROW_ERRORS, WARNINGS

# The demo landing zone's parameters (seeds/demo/README.md): every kind is planted.
SMALL = {"start": "2024-01", "months": 6, "scale": 0.1, "seed": 7}


@pytest.fixture(scope="module")
def ingested(tmp_path_factory):
    root = tmp_path_factory.mktemp("planted")
    zone, truth_path = root / "zone", root / "truth.json"
    generate_landing_zone(zone, truth=truth_path, progress=False, **SMALL)
    truth = json.loads(truth_path.read_text())
    files = discover(zone)

    def newest(kind):
        latest = max((f for f in files if f.kind is kind), key=lambda f: f.extract_date)
        return read_landing_file(latest).accepted

    reference = ActivityReference.from_frames(
        roster=newest(PARENT_PARTNERS), referrals=newest(REFERRALS),
        as_of=dt.date.fromisoformat(truth["as_of"]),
    )
    results = {f.rel_path: read_landing_file(f, reference=reference)
               for f in files if f.kind is ACTIVITY_ROWS}
    return truth, results


def test_the_generator_plants_under_ingestions_codes():
    assert set(ROW_ERRORS) <= set(REASON_CODES)
    assert WARNINGS == WARNING_CODES


def test_the_checks_are_the_reason_codes_in_order():
    reference = ActivityReference(
        activity_types={}, pp_ids=frozenset(), family_ids=frozenset(),
        matches=pl.DataFrame(), as_of=dt.date(2024, 1, 1),
    )
    # The first check marks the rows of a file rejected as a whole (its reason is the
    # file's); the row rules follow, in the order of the reason codes.
    checks = activity_rules._checks(reference)
    assert checks[0].code == FILE_REJECTED
    codes = [c.code for c in checks[1:]]
    assert list(dict.fromkeys(codes)) == list(REASON_CODES)


def test_every_planted_row_error_is_rejected_with_its_code(ingested):
    truth, results = ingested
    rejected = Counter(
        code for r in results.values() if r.error is None
        for code in r.rejected.get_column("reason_code")
    )
    planted = {kind: truth["planted_errors"][kind] for kind in ROW_ERRORS}
    assert all(n >= 1 for n in planted.values()), planted
    assert {kind: rejected[kind] for kind in ROW_ERRORS} == planted
    assert set(rejected) == set(ROW_ERRORS), "a rejection the generator did not plant"


def test_every_planted_warning_is_flagged_with_its_code(ingested):
    truth, results = ingested
    flagged = Counter(
        code for r in results.values()
        for warnings in r.accepted.get_column("warnings").drop_nulls()
        for code in warnings.split(";")
    )
    for kind in WARNINGS:
        # A planted form can also be one a bad file swallows, so its warning is never read.
        assert 1 <= flagged[kind] <= truth["planted_errors"][kind], kind


def test_every_planted_bad_file_is_rejected_whole(ingested):
    truth, results = ingested
    bad = {b["file"]: b["kind"] for b in truth["planted"]["bad_files"]}
    assert sorted(bad.values()) == sorted(BAD_FILES)
    for planted in truth["planted"]["bad_files"]:
        result = results[planted["file"]]
        assert result.accepted.height == 0, planted
        if planted["rows"]:  # an empty or header-only file has nothing to reject
            assert result.status == "rejected", planted
            assert set(result.rejected.get_column("reason_code")) <= {FILE_REJECTED}
