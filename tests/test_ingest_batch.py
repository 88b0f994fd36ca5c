"""Many files validated in one pass give each file exactly what it gets alone:
same accepted rows, rejections, row numbers and counts, nothing leaking between files
(a repeat in another file is not a duplicate)."""

from __future__ import annotations

import datetime as dt

import polars as pl
from ingest_fixtures.landing import (
    activity_reference,
    activity_row,
    write_activity_csv,
    write_seeds,
    write_workbook,
)

from orchestration.ingest.batch import read_files, validate
from orchestration.ingest.read import read_landing_file
from orchestration.ingest.row_checks import FILE_INDEX

HEADER_BLOCK = {"pp_id": "PP01", "family_id": "F001", "service_month": "2024-03",
                "submitted_at": dt.datetime(2024, 4, 2, 9, 30)}


def _landing(root):
    row = activity_row()
    return [
        write_activity_csv(root, [row, row, activity_row(duration_minutes="0")], name="a.csv"),
        # The same row again in another file: not a duplicate of a.csv's.
        write_activity_csv(root, [row, activity_row(pp_id="PPX")], name="b.csv"),
        write_activity_csv(root, [activity_row(service_month="2024-02")], name="c.csv",
                           delimiter=";"),
        write_workbook(root, "activity_forms/2024-03/PP01_F001.xlsx", header_block=HEADER_BLOCK,
                       rows=[[dt.date(2024, 3, 9), "home_visit", 60, None],
                             [dt.date(2024, 3, 9), "home_visit", 60, None],
                             [dt.date(2024, 3, 10), "bogus", 5, " "]]),
        write_workbook(root, "activity_forms/2024-03/PP01_F002.xlsx", header_block=HEADER_BLOCK,
                       rows=[[dt.date(2024, 3, 11), "phone_call", 15, "x"]], first_row=2,
                       first_col=1),
    ]


def test_a_batch_gives_every_file_what_it_gets_alone(tmp_path):
    reference = activity_reference(write_seeds(tmp_path / "seeds"))
    files = _landing(tmp_path / "landing")
    batch = validate(read_files(files), reference)
    assert batch.files.get_column("file").to_list() == [f.rel_path for f in files]
    for index, f in enumerate(files):
        alone = read_landing_file(f, reference=reference)
        counts = batch.files.row(index, named=True)
        assert (counts["rows_read"], counts["rows_accepted"], counts["rows_rejected"],
                counts["rows_warned"], counts["status"], counts["error"]) == (
            alone.rows_read, alone.accepted.height, alone.rejected.height,
            alone.rows_warned, alone.status, alone.error)
        accepted = batch.accepted["activity_rows"].filter(pl.col(FILE_INDEX) == index)
        assert accepted.select(alone.accepted.columns).equals(alone.accepted)
        assert set(accepted.get_column("_source_file")) <= {f.rel_path}
        rejected = batch.rejected.filter(pl.col(FILE_INDEX) == index)
        assert rejected.select(alone.rejected.columns).equals(alone.rejected)
    warnings = batch.accepted["activity_rows"].get_column("warnings").to_list()
    assert warnings.count("duplicate_row") == 2  # one in a.csv, one in the workbook
    assert batch.files.get_column("status").to_list() == [
        "loaded_with_rejections", "loaded_with_rejections", "rejected",
        "loaded_with_rejections", "loaded"]
