"""A backfill of a range of months (what the Dagster UI launches for a selected range, as
one run under the single-run backfill policy; `ppa run --months FIRST..LAST` launches the
same) gives the same marts as one run over every month, and re-backfilling changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
import warm_ppa
from pipeline_run import DEMO_AS_OF as AS_OF
from test_pipeline import PER_RUN_TABLES, query, raw_counts

pytestmark = pytest.mark.slow


def _env(demo_run: dict[str, str], root: Path) -> dict[str, str]:
    """The shared demo run's landing zone (only read) with a warehouse of its own."""
    return {
        **demo_run,
        "PPA_WAREHOUSE": str(root / "warehouse.duckdb"),
        "PPA_PUBLISHED": str(root / "published.duckdb"),
        "DAGSTER_HOME": str(root / "dagster_home"),
    }


def ppa_run(env, *args):
    result = warm_ppa.run(["run", "--as-of", AS_OF, *args], env=env, cwd="/")
    assert result.returncode == 0, result.stderr[-3000:]


def marts(path) -> dict[str, list]:
    """Every mart's rows, sorted; when a file was ingested is the run's, not the data's."""
    tables = [t for t, in query(path, "select table_name from information_schema.tables "
                                      "where table_schema = 'marts'") if t not in PER_RUN_TABLES]
    columns = {"dq_ingested_files": "* exclude (ingested_at)"}
    return {t: sorted(map(repr, query(path, f'select {columns.get(t, "*")} from marts."{t}"')))
            for t in tables}


def state(env):
    return marts(env["PPA_PUBLISHED"]), raw_counts(env["PPA_WAREHOUSE"])


def test_two_three_month_backfills_equal_one_full_run_and_a_third_changes_nothing(
        demo_run, tmp_path):
    landing = Path(demo_run["PPA_LANDING_DIR"])
    months = sorted(p.name for p in (landing / "activity_forms").glob("????-??"))
    assert months == ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06"]
    full = demo_run

    backfilled = _env(demo_run, tmp_path / "backfilled")
    ppa_run(backfilled, "--months", "2024-01..2024-03")
    first_half = state(backfilled)
    # Three months in, the later months' forms are not read yet: the backfill did only its part.
    assert first_half[1]["activity_rows"] < state(full)[1]["activity_rows"]
    ppa_run(backfilled, "--months", "2024-04..2024-06")
    assert state(backfilled) == state(full)

    ppa_run(backfilled, "--months", "2024-02..2024-04")
    assert state(backfilled) == state(full)


def test_a_month_range_outside_the_partitions_is_refused_before_anything_runs(
        demo_run, tmp_path):
    env = _env(demo_run, tmp_path)
    for months, reason in (("2024-3..2024-04", "'2024-3' is not a service month"),
                           ("2024-05..2024-02", "2024-05 is after 2024-02")):
        result = warm_ppa.run(["run", "--as-of", AS_OF, "--months", months], env=env, cwd="/")
        assert result.returncode != 0
        assert reason in result.stderr
    assert not (tmp_path / "warehouse.duckdb").exists()
