"""Property: whatever mix of good and bad rows a file holds, every row is accounted
for and no good row is lost or altered."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ingest_fixtures.checks import read
from ingest_fixtures.landing import (
    ACTIVITY_TYPES,
    activity_reference,
    activity_row,
    landing_file,
    write_activity_csv,
    write_seeds,
)

from orchestration.reference_data import program_parameter

MAX_MINUTES = program_parameter("max_activity_minutes")
FAMILY_TYPES = sorted(c for c, (family, _) in ACTIVITY_TYPES.items() if family)
PP_TYPES = sorted(c for c, (family, _) in ACTIVITY_TYPES.items() if not family)
NOTE_TEXT = st.text(
    alphabet=st.characters(
        codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp", "Zs"),
    ) | st.sampled_from(" \n,\"'"),
    max_size=40,
)
# Each one rejects the row whatever the rest of it holds.
BREAKAGES = [
    {"duration_minutes": "0"}, {"duration_minutes": "-5"}, {"duration_minutes": str(MAX_MINUTES + 1)},
    {"duration_minutes": "1.5"}, {"duration_minutes": "abc"}, {"activity_type": "bowling"},
    {"pp_id": "PP99"}, {"family_id": "F999"}, {"activity_date": "2024-02-30"},
    {"service_month": "2024-04"}, {"activity_date": "2024-04-01"}, {"pp_id": ""},
    {"submitted_at": "2024-03-00T10:00"}, {"activity_date": "2024-03-31",
                                           "submitted_at": "2024-03-30T10:00"},
]


@st.composite
def good_rows(draw) -> tuple[dict[str, str], tuple]:
    day = draw(st.dates(dt.date(2024, 3, 1), dt.date(2024, 3, 31)))
    family_level = draw(st.booleans())
    activity_type = draw(st.sampled_from(FAMILY_TYPES if family_level else PP_TYPES))
    family = "F001" if family_level else ""
    minutes = draw(st.integers(1, MAX_MINUTES))
    notes = draw(NOTE_TEXT)
    date_text = draw(st.sampled_from([day.isoformat(), f"{day.month}/{day.day}/{day.year}"]))
    row = activity_row(
        family_id=family, activity_date=date_text, activity_type=activity_type,
        duration_minutes=str(minutes), notes=notes, submitted_at="2024-04-01T08:00:00",
    )
    expected = ("PP01", family or None, dt.date(2024, 3, 1), dt.datetime(2024, 4, 1, 8),
                day, activity_type, minutes, notes.strip() or None, "csv")
    return row, expected


@st.composite
def bad_rows(draw) -> dict[str, str]:
    row, _ = draw(good_rows())
    row.update(draw(st.sampled_from(BREAKAGES)))
    return row


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    return activity_reference(write_seeds(tmp_path_factory.mktemp("seeds")))


@pytest.mark.slow  # 60 landing files written and read
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(st.one_of(good_rows().map(lambda r: ("good", r)),
                            bad_rows().map(lambda r: ("bad", r))), max_size=25),
    encoding=st.sampled_from(["utf-8", "utf-8-sig"]),
)
def test_rows_are_all_accounted_for_and_good_rows_kept(reference, rows, encoding):
    with tempfile.TemporaryDirectory() as landing:
        data = [r[1][0] if r[0] == "good" else r[1] for r in rows]
        result = read(write_activity_csv(Path(landing), data, encoding=encoding), reference)
    assert result.rows_read == len(rows) == result.accepted.height + result.rejected.height
    kept = {row[-1]: row[:-2] for row in result.accepted.rows()}  # without warnings
    good = {n: r[1][1] for n, r in enumerate(rows, start=2) if r[0] == "good"}
    assert kept == good
    bad = {n for n, r in enumerate(rows, start=2) if r[0] == "bad"}
    assert set(result.rejected.get_column("row_number")) == bad


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.one_of(
    st.binary(max_size=300),
    st.lists(st.lists(st.text(alphabet=st.sampled_from('a1 ,;"\n\r\t-/:é'), max_size=12),
                      max_size=10).map(",".join), max_size=8).map("\n".join)
    .map(lambda t: t.encode("utf-8")),
))
def test_any_bytes_never_raise_and_balance(reference, body):
    header = b"pp_id,family_id,service_month,submitted_at,activity_date,activity_type," \
             b"duration_minutes,notes\n"
    with tempfile.TemporaryDirectory() as landing:
        path = Path(landing) / "activity_forms/2024-03/noise.csv"
        path.parent.mkdir(parents=True)
        for content in (body, header + body):
            path.write_bytes(content)
            result = read(landing_file(Path(landing), "activity_forms/2024-03/noise.csv"),
                          reference)
            assert (result.error is None) or result.accepted.height == 0
