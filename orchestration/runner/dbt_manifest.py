"""The dbt manifest the Dagster definitions are built from, parsed once when missing."""

from __future__ import annotations

import subprocess
import sys

from orchestration.config import DBT_PROJECT_DIR


class DbtParseError(RuntimeError):
    pass


def ensure_dbt_manifest() -> None:
    """Parse the dbt project once when no manifest exists (`make` parses it up front)."""
    if (DBT_PROJECT_DIR / "target" / "manifest.json").exists():
        return
    # The parse `make parse` makes, which each run's own parse starts from.
    result = subprocess.run(
        [sys.executable, "-m", "orchestration.defs.dbt_in_process"],
        capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        raise DbtParseError(
            f"dbt parse failed: {(result.stdout + result.stderr).strip().splitlines()[-1:]}"
        )
