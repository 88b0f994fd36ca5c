"""The dbt manifest the Dagster definitions are built from, parsed when missing or older
than the project's files.

The parse is `make parse`'s (orchestration/defs/dbt_in_process.py): it also leaves the
partial parse every run's own parse starts from. dagster-dbt's `prepare_if_dev` would parse
again in every process `dagster dev` starts (the webserver's and the daemon's code servers,
each run's worker) with the environment's profile, a full parse of several seconds that
also replaced the partial parse with one no run could reuse.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from pathlib import Path

from orchestration.config import DBT_PROJECT_DIR

# What a parse reads: the project's files outside dbt's own output (and dbt's own
# `.user.yml`), and the seeds' CSV files (seeds/demo/ is a landing zone, in .dbtignore).
_OUTPUT_DIRS = {"target", "logs", "dbt_packages"}


class DbtParseError(RuntimeError):
    pass


def manifest_path(project_dir: Path = DBT_PROJECT_DIR) -> Path:
    return project_dir / "target" / "manifest.json"


def project_files(project_dir: Path):
    for root, dirs, files in os.walk(project_dir):
        if Path(root) == project_dir:
            dirs[:] = [d for d in dirs if d not in _OUTPUT_DIRS]
        yield from (Path(root) / name for name in files if not name.startswith("."))
    yield from (project_dir.parent / "seeds").glob("*.csv")


def manifest_is_current(project_dir: Path = DBT_PROJECT_DIR) -> bool:
    """Whether the manifest exists and no project file changed after it was written."""
    manifest = manifest_path(project_dir)
    try:
        parsed_at = manifest.stat().st_mtime
    except FileNotFoundError:
        return False
    return all(path.stat().st_mtime <= parsed_at for path in project_files(project_dir))


def ensure_dbt_manifest() -> None:
    """Parse the dbt project when its manifest is missing or stale (`make` parses it up
    front). Processes starting together parse once: the others wait for it."""
    if manifest_is_current():
        return
    target = DBT_PROJECT_DIR / "target"
    target.mkdir(parents=True, exist_ok=True)
    with open(target / ".parse.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if manifest_is_current():
            return
        result = subprocess.run(
            [sys.executable, "-m", "orchestration.defs.dbt_in_process"],
            capture_output=True, text=True, check=False,
        )
    if result.returncode != 0:
        raise DbtParseError(
            f"dbt parse failed: {(result.stdout + result.stderr).strip().splitlines()[-1:]}"
        )
