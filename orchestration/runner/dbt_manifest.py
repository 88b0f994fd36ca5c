"""The dbt manifest the Dagster definitions are built from, parsed once when missing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from orchestration.config import DBT_PROJECT_DIR


class DbtParseError(RuntimeError):
    pass


def ensure_dbt_manifest() -> None:
    """Parse the dbt project once when no manifest exists (`make` parses it up front)."""
    if (DBT_PROJECT_DIR / "target" / "manifest.json").exists():
        return
    dbt = Path(sys.executable).parent / "dbt"
    result = subprocess.run(
        [str(dbt if dbt.exists() else "dbt"), "parse", "--quiet",
         "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)],
        capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        raise DbtParseError(
            f"dbt parse failed: {(result.stdout + result.stderr).strip().splitlines()[-1:]}"
        )
