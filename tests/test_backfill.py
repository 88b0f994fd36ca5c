"""A backfill of a range of months (what the Dagster UI launches for a selected range, as
one run under the single-run backfill policy; `ppa run --months FIRST..LAST` launches the
same) gives the same marts as one run over every month, and re-backfilling changes nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_pipeline import marts_fingerprint, raw_counts

from orchestration.config import DEMO_LANDING_DIR

pytestmark = pytest.mark.slow

AS_OF = "2024-08-01"
PPA = str(Path(sys.executable).parent / "ppa")


def _env(root: Path, landing: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PPA_LANDING_DIR": str(landing),
        "PPA_WAREHOUSE": str(root / "warehouse.duckdb"),
        "PPA_PUBLISHED": str(root / "published.duckdb"),
        "DAGSTER_HOME": str(root / "dagster_home"),
    }


def ppa_run(env, *args):
    result = subprocess.run([PPA, "run", "--as-of", AS_OF, *args], env=env,
                            capture_output=True, text=True, cwd="/", check=False)
    assert result.returncode == 0, result.stderr[-3000:]


def state(env):
    return marts_fingerprint(env["PPA_PUBLISHED"]), raw_counts(env["PPA_WAREHOUSE"])


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    landing = tmp_path_factory.mktemp("backfill") / "landing"
    shutil.copytree(DEMO_LANDING_DIR, landing)
    (landing / "README.md").unlink()
    return landing


def test_two_three_month_backfills_equal_one_full_run_and_a_third_changes_nothing(
        landing, tmp_path):
    months = sorted(p.name for p in (landing / "activity_forms").iterdir())
    assert months == ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06"]
    full = _env(tmp_path / "full", landing)
    ppa_run(full)

    backfilled = _env(tmp_path / "backfilled", landing)
    ppa_run(backfilled, "--months", "2024-01..2024-03")
    first_half = state(backfilled)
    # Three months in, the later months' forms are not read yet: the backfill did only its part.
    assert first_half[1]["activity_rows"] < state(full)[1]["activity_rows"]
    ppa_run(backfilled, "--months", "2024-04..2024-06")
    assert state(backfilled) == state(full)

    ppa_run(backfilled, "--months", "2024-02..2024-04")
    assert state(backfilled) == state(full)


def test_a_month_range_outside_the_partitions_is_refused_before_anything_runs(landing, tmp_path):
    env = _env(tmp_path, landing)
    for months, reason in (("2024-3..2024-04", "'2024-3' is not a service month"),
                           ("2024-05..2024-02", "2024-05 is after 2024-02")):
        result = subprocess.run([PPA, "run", "--as-of", AS_OF, "--months", months], env=env,
                                capture_output=True, text=True, cwd="/", check=False)
        assert result.returncode != 0
        assert reason in result.stderr
    assert not (tmp_path / "warehouse.duckdb").exists()
