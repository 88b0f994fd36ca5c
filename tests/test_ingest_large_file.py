"""A 50 MB site export reads with every row accounted for (its speed is measured by
`ppa bench`, not asserted here)."""

from __future__ import annotations

import polars as pl
import pytest
from ingest_fixtures.landing import activity_reference, landing_file, write_seeds

from orchestration.ingest.read import read_landing_file

TARGET_BYTES = 50 * 1024 * 1024
# Writes and reads a 50 MB export.
pytestmark = pytest.mark.slow
BYTES_PER_ROW = 140  # of the rows below, measured
BAD_EVERY = 997  # a prime, so bad rows fall on every day and duration


def _export(rows: int) -> pl.DataFrame:
    i = pl.int_range(rows)
    return pl.select(
        pl.lit("PP01").alias("pp_id"),
        pl.lit("F001").alias("family_id"),
        pl.lit("2024-03").alias("service_month"),
        pl.lit("2024-04-02T09:30:00").alias("submitted_at"),
        ("2024-03-" + (i % 28 + 1).cast(pl.String).str.zfill(2)).alias("activity_date"),
        pl.lit("home_visit").alias("activity_type"),
        pl.when(i % BAD_EVERY == 0).then(pl.lit("0"))
        .otherwise((i % 720 + 1).cast(pl.String)).alias("duration_minutes"),
        pl.format("visit {}, talked about school, \"court\" and the next\nvisitation", i)
        .alias("notes"),
    )


def test_fifty_megabyte_export(tmp_path):
    seeds = write_seeds(tmp_path / "seeds")
    reference = activity_reference(seeds)
    rows = TARGET_BYTES // BYTES_PER_ROW
    path = tmp_path / "landing/activity_forms/2024-03/site_export.csv"
    path.parent.mkdir(parents=True)
    _export(rows).write_csv(path)
    assert path.stat().st_size >= TARGET_BYTES * 0.95

    result = read_landing_file(landing_file(tmp_path / "landing", path.relative_to(
        tmp_path / "landing").as_posix()), reference)

    bad = (rows - 1) // BAD_EVERY + 1
    assert result.rows_read == rows
    assert result.rejected.height == bad
    assert set(result.rejected.get_column("reason_code")) == {"invalid_duration"}
    assert result.accepted.height == rows - bad
    # Every row repeats an earlier one only if its values do: none do here.
    assert result.rows_warned == 0
    # Row numbers count records, not the lines the notes' line breaks add.
    assert result.rejected.get_column("row_number")[-1] == 2 + (bad - 1) * BAD_EVERY
