"""Sensors: the landing zone (a run for new or changed files) and failed runs.

The landing-zone sensor requests a run for the months whose files are new or changed.
The cursor maps each landing file to (size, mtime_ns, sha256); a file whose size
or mtime moved is hashed, and only a changed hash counts, so touching a file or
re-saving it unchanged requests nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import dagster as dg
import duckdb

from orchestration.defs.jobs import materialize_everything, partition_range_tags
from orchestration.defs.partitions import service_month_partitions
from orchestration.defs.resources import PlatformSettings
from orchestration.ingest.discovery import discover, fingerprint
from orchestration.ingest.schemas import ACTIVITY_ROWS
from orchestration.storage.postgres import postgres_ingested
from orchestration.storage.run_failures import describe_failure, report_failure


def changed_files(landing_dir, cursor: dict) -> tuple[list, dict]:
    """The landing files new or changed since `cursor`, and the cursor to store next."""
    changed, next_cursor = [], {}
    for f in discover(landing_dir):
        stat = f.path.stat()
        previous = cursor.get(f.rel_path)
        if previous and previous[0] == stat.st_size and previous[1] == stat.st_mtime_ns:
            next_cursor[f.rel_path] = previous
            continue
        digest = fingerprint(f)
        next_cursor[f.rel_path] = [stat.st_size, stat.st_mtime_ns, digest]
        if not previous or previous[2] != digest:
            changed.append(f)
    return changed, next_cursor


def months_to_run(changed) -> tuple[str, str] | None:
    """The partition range a set of changed files calls for (None when nothing changed).

    New activity files need just their months; a changed reference file (roster,
    referrals, ...) can move any month's metrics, so it calls for the full range.
    """
    if not changed:
        return None
    keys = service_month_partitions.get_partition_keys()
    if any(f.kind != ACTIVITY_ROWS for f in changed):
        return keys[0], keys[-1]
    months = sorted(f.partition_key for f in changed if f.partition_key in keys)
    return (months[0], months[-1]) if months else None


def already_ingested(settings: PlatformSettings) -> set[tuple[str, str]]:
    """(file, sha256) versions the warehouse already holds; empty when it cannot be read.

    The sensor's first tick has no cursor: without this, a landing zone that `ppa run`
    just ingested would look entirely new and be run again for nothing.
    """
    if settings.warehouse_target == "postgres":
        return postgres_ingested(settings.postgres_dsn)
    warehouse = Path(settings.warehouse)
    if not warehouse.exists():
        return set()
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            return set(con.sql("select file, sha256 from raw.ingested_files").fetchall())
    except duckdb.Error:  # a run holds the write lock, or raw does not exist yet
        return set()


# How often the landing zone is looked at: a tick that finds nothing new only lists the
# zone and stats each file (hashing only those whose size or time moved), so a file
# dropped in waits at most this long for its run to be requested.
LANDING_ZONE_INTERVAL_SECONDS = 10


@dg.sensor(
    job=materialize_everything,
    minimum_interval_seconds=LANDING_ZONE_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Requests a run for the service months whose landing files are new or changed.",
)
def landing_zone_sensor(context: dg.SensorEvaluationContext, settings: PlatformSettings):
    cursor = json.loads(context.cursor) if context.cursor else {}
    changed, next_cursor = changed_files(Path(settings.landing_dir), cursor)
    if not context.cursor:
        ingested = already_ingested(settings)
        changed = [f for f in changed if (f.rel_path, next_cursor[f.rel_path][2]) not in ingested]
    context.update_cursor(json.dumps(next_cursor, sort_keys=True))
    window = months_to_run(changed)
    if window is None:
        return dg.SkipReason("no new or changed landing files")
    run_key = hashlib.sha256(
        json.dumps(sorted(next_cursor[f.rel_path][2] for f in changed)).encode()
    ).hexdigest()[:16]
    return dg.RunRequest(run_key=run_key, tags=partition_range_tags(*window))


def _failed_at(context: dg.RunFailureSensorContext) -> dt.datetime:
    record = context.instance.get_run_record_by_id(context.dagster_run.run_id)
    end = record.end_time if record else None
    # A run whose process died has no end time: the moment it was seen failed is the best.
    return dt.datetime.fromtimestamp(end) if end else dt.datetime.now()


@dg.run_failure_sensor(
    name="run_failure_recorder",
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Records every failed run (run id, job, failed step, error, time) for the "
        "data-quality page (published as marts.ops_run_failures), and POSTs a JSON summary "
        "to PPA_ALERT_WEBHOOK when it is set."
    ),
)
def run_failure_recorder(
    context: dg.RunFailureSensorContext, settings: PlatformSettings
) -> None:
    run = context.dagster_run
    failure = describe_failure(
        run.run_id, run.job_name, context.get_step_failure_events(),
        context.failure_event.message, _failed_at(context),
    )
    report_failure(
        failure, Path(settings.run_failures_file), settings.alert_webhook, context.log.warning
    )
