"""The Dagster home of a run or of `ppa serve`: created with its dagster.yaml when missing."""

from __future__ import annotations

import os
from pathlib import Path

from orchestration.config import Paths

# The first line marks a dagster.yaml as ppa's own: one written before a setting was added
# here is rewritten; any other is the operator's and kept as it is.
HEADER = "# Written by `ppa` when missing."
DAGSTER_YAML = HEADER + """ Runs that write the warehouse share one pool slot:
# DuckDB allows a single writer.
concurrency:
  pools:
    default_limit: 1
# The daemon of `ppa serve` launches a queued run (the sensor's, a backfill's) within a
# second instead of Dagster's default five: a new file's run starts that much sooner.
run_coordinator:
  module: dagster.core.run_coordinator
  class: QueuedRunCoordinator
  config:
    dequeue_interval_seconds: 1
# The daemon of `ppa serve` fails runs whose worker died and frees their slots.
run_monitoring:
  enabled: true
  free_slots_after_run_end_seconds: 30
telemetry:
  enabled: false
# Dagster's SQLite event log with its connections kept open (orchestration/runner/event_log.py),
# where Dagster's own keeps its runs' events.
event_log_storage:
  module: orchestration.runner.event_log
  class: PooledSqliteEventLogStorage
  config:
    base_dir: "{event_log_dir}"
"""


def dagster_yaml(home: Path) -> str:
    return DAGSTER_YAML.format(event_log_dir=home.resolve() / "history" / "runs")


def prepare_dagster_home(paths: Paths) -> None:
    paths.dagster_home.mkdir(parents=True, exist_ok=True)
    config = paths.dagster_home / "dagster.yaml"
    wanted = dagster_yaml(paths.dagster_home)
    if not config.exists() or (config.read_text().startswith(HEADER)
                               and config.read_text() != wanted):
        config.write_text(wanted)
    os.environ["DAGSTER_HOME"] = str(paths.dagster_home)
