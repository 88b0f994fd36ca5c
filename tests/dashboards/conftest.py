"""One published warehouse for every dashboard test: the demo landing zone through `ppa run`
once per test session, in a temporary folder (never the worktree's data/)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.config import DEMO_LANDING_DIR, REPO_ROOT

AS_OF = "2024-08-01"
PPA = str(Path(sys.executable).parent / "ppa")
HARNESS = str(REPO_ROOT / "tests" / "dashboard_apps" / "page_as.py")
# Until marts.dim_program_parameter is published, tests add it with the program's values
# so the pages' target lines are exercised; once the mart exists it is used as published.
PROGRAM_PARAMETERS = [
    ("caseload_limit", 15.0, "families", "Most active families per Parent Partner", "contract"),
    ("initial_intensity_contacts", 4.0, "contacts",
     "Face-to-face contacts in each full month of the first three", "model"),
    ("monthly_minutes", 420.0, "minutes", "Minutes of mentoring in each full month", "model"),
]

# Columns naming a person, a family, an episode or a landing file's row. (Invoices are the
# contractor's bills to the state: leadership reviews each of them.)
RECORD_ID_COLUMNS = {"pp_id", "family_id", "match_id", "episode_id", "child_id", "file",
                     "row_number"}
# Integers that count no person: years, a step's rank, the contract's seven measures.
NOT_COUNTS = {"sfy", "exit_sfy", "step_order", "measures_applicable", "measures_met"}

sys.path.insert(0, str(REPO_ROOT / "dashboards"))


# Site exports in a month folder written without its leading zero, and a stray document.
MISPLACED = ("activity_forms/2024-3/site_S01_export.csv",
             "activity_forms/2024-3/site_S02_export.csv", "notes.docx")


def plant_misplaced_files(landing: Path) -> None:
    for rel in MISPLACED:
        (landing / rel).parent.mkdir(parents=True, exist_ok=True)
        (landing / rel).write_text("pp_id,family_id\n")


def _build(root: Path) -> Path:
    shutil.copytree(DEMO_LANDING_DIR, root / "landing")
    (root / "landing" / "README.md").unlink()
    plant_misplaced_files(root / "landing")
    env = {
        **os.environ,
        "PPA_LANDING_DIR": str(root / "landing"),
        "PPA_WAREHOUSE": str(root / "warehouse.duckdb"),
        "PPA_PUBLISHED": str(root / "published.duckdb"),
        "DAGSTER_HOME": str(root / "dagster_home"),
    }
    result = subprocess.run([PPA, "run", "--as-of", AS_OF], env=env, capture_output=True,
                            text=True, cwd="/", check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    return root / "published.duckdb"


@pytest.fixture(scope="session")
def published(tmp_path_factory) -> Path:
    """The demo data set's published file, with the program parameters table ensured.

    PPA_TEST_PUBLISHED_FROM names an already built demo published file to copy instead of
    running the pipeline (for iterating on pages; CI always builds)."""
    root = tmp_path_factory.mktemp("dashboards")
    if os.environ.get("PPA_TEST_PUBLISHED_FROM"):
        built = root / "published.duckdb"
        shutil.copyfile(os.environ["PPA_TEST_PUBLISHED_FROM"], built)
    else:
        built = _build(root)
    with duckdb.connect(str(built)) as con:
        exists = con.sql(
            "select 1 from information_schema.tables where table_schema = 'marts' "
            "and table_name = 'dim_program_parameter'"
        ).fetchall()
        if not exists:
            con.execute(
                "create table marts.dim_program_parameter (parameter varchar, value double, "
                "unit varchar, description varchar, source varchar)"
            )
            con.executemany(
                "insert into marts.dim_program_parameter values (?, ?, ?, ?, ?)",
                PROGRAM_PARAMETERS,
            )
    return built


@pytest.fixture
def dashboard_env(published, tmp_path, monkeypatch) -> Path:
    """Point the dashboards at the shared published file; audit into this test's folder."""
    monkeypatch.setenv("PPA_PUBLISHED", str(published))
    monkeypatch.setenv("PPA_AUDIT_LOG", str(tmp_path / "audit.log"))
    return tmp_path


def marts(published: Path, sql: str, params=None):
    with duckdb.connect(str(published), read_only=True) as con:
        return con.sql(sql, params=params).pl()
