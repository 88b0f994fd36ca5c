"""The demo landing zone through `ppa run`, as the pipeline and dashboard tests share it.

The fixtures are in tests/conftest.py; the helpers and the planted files' names are here so
that test modules can import them (`from pipeline_run import MISPLACED`).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import warm_ppa

from orchestration.config import DEMO_LANDING_DIR

DEMO_AS_OF = "2024-08-01"

# Misplaced copies of a valid site export and links out of the landing zone (what ingestion
# must refuse), and empty site exports in a month folder written without its leading zero
# and a stray document (what the data-quality page must list).
MISPLACED_COPIES = ("activity_forms/2024-3/x.csv", "activity_forms/export.csv",
                    "referrals/referrals.csv")
MISPLACED_STUBS = ("activity_forms/2024-3/site_S01_export.csv",
                   "activity_forms/2024-3/site_S02_export.csv", "notes.docx")
MISPLACED = MISPLACED_COPIES + MISPLACED_STUBS
LINKS_OUT = ("activity_forms/2024-03/passwd.csv", "activity_forms/2024-03/elsewhere.csv")
OUTSIDE_MARKER = "OUTSIDE-THE-LANDING-ZONE"


def plant_hostile_files(landing: Path, elsewhere: Path) -> None:
    export = next((landing / "activity_forms" / "2024-03").glob("*.csv"))
    for rel in MISPLACED_COPIES:
        (landing / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(export, landing / rel)
    elsewhere.mkdir()
    outside = elsewhere / "export.csv"
    outside.write_text(export.read_text(encoding="utf-8-sig") + f"{OUTSIDE_MARKER}\n")
    (landing / LINKS_OUT[0]).symlink_to("/etc/passwd")
    (landing / LINKS_OUT[1]).symlink_to(outside)
    for rel in MISPLACED_STUBS:
        (landing / rel).parent.mkdir(parents=True, exist_ok=True)
        (landing / rel).write_text("pp_id,family_id\n")


def demo_env(root: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PPA_LANDING_DIR": str(root / "landing"),
        "PPA_WAREHOUSE": str(root / "warehouse.duckdb"),
        "PPA_PUBLISHED": str(root / "published.duckdb"),
        "DAGSTER_HOME": str(root / "dagster_home"),
    }


def ppa_run(env: dict[str, str], as_of: str = DEMO_AS_OF) -> subprocess.CompletedProcess:
    """`ppa run` in a process of its own, forked warm (tests/warm_ppa.py); it must succeed."""
    result = warm_ppa.run(["run", "--as-of", as_of], env=env, cwd="/")
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def session_folder(tmp_path_factory) -> Path:
    """The session's temporary folder, shared by every xdist worker of the session."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@contextmanager
def exclusive(lock_file: Path) -> Iterator[None]:
    with open(lock_file, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def build_demo_run(root: Path) -> None:
    root.mkdir()
    shutil.copytree(DEMO_LANDING_DIR, root / "landing")
    (root / "landing" / "README.md").unlink()
    plant_hostile_files(root / "landing", root / "elsewhere")
    ppa_run(demo_env(root))
