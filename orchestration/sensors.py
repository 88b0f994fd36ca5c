"""The landing-zone sensor: a run for the months whose files are new or changed.

The cursor maps each landing file to (size, mtime_ns, sha256); a file whose size
or mtime moved is hashed, and only a changed hash counts, so touching a file or
re-saving it unchanged requests nothing.
"""

from __future__ import annotations

import hashlib
import json

import dagster as dg

from orchestration.config import Paths
from orchestration.ingest.discovery import discover, sha256_of
from orchestration.ingest.schemas import ACTIVITY_ROWS
from orchestration.jobs import materialize_everything, partition_range_tags
from orchestration.partitions import service_month_partitions


def changed_files(landing_dir, cursor: dict) -> tuple[list, dict]:
    """The landing files new or changed since `cursor`, and the cursor to store next."""
    changed, next_cursor = [], {}
    for f in discover(landing_dir):
        stat = f.path.stat()
        previous = cursor.get(f.rel_path)
        if previous and previous[0] == stat.st_size and previous[1] == stat.st_mtime_ns:
            next_cursor[f.rel_path] = previous
            continue
        digest = sha256_of(f.path)
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


@dg.sensor(
    job=materialize_everything,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Requests a run for the service months whose landing files are new or changed.",
)
def landing_zone_sensor(context: dg.SensorEvaluationContext):
    cursor = json.loads(context.cursor) if context.cursor else {}
    changed, next_cursor = changed_files(Paths.from_env().landing_dir, cursor)
    context.update_cursor(json.dumps(next_cursor, sort_keys=True))
    window = months_to_run(changed)
    if window is None:
        return dg.SkipReason("no new or changed landing files")
    run_key = hashlib.sha256(
        json.dumps(sorted(next_cursor[f.rel_path][2] for f in changed)).encode()
    ).hexdigest()[:16]
    return dg.RunRequest(run_key=run_key, tags=partition_range_tags(*window))
