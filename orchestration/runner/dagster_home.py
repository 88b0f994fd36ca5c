"""The Dagster home of a run or of `ppa serve`: created with its dagster.yaml when missing."""

from __future__ import annotations

import os

from orchestration.config import Paths

DAGSTER_YAML = """\
# Written by `ppa` when missing. Runs that write the warehouse share one pool slot:
# DuckDB allows a single writer.
concurrency:
  pools:
    default_limit: 1
# The daemon of `ppa serve` fails runs whose worker died and frees their slots.
run_monitoring:
  enabled: true
  free_slots_after_run_end_seconds: 30
telemetry:
  enabled: false
"""


def prepare_dagster_home(paths: Paths) -> None:
    paths.dagster_home.mkdir(parents=True, exist_ok=True)
    config = paths.dagster_home / "dagster.yaml"
    if not config.exists():
        config.write_text(DAGSTER_YAML)
    os.environ["DAGSTER_HOME"] = str(paths.dagster_home)
