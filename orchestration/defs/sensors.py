"""Sensors: the landing zone (a run for new or changed files) and failed runs.

The landing-zone sensor requests a run for the months whose files are new or changed:
of the assets downstream of raw.activity_rows alone when only activity forms are new and
the rest is as the last complete run left it (orchestration/defs/activity_runs.py), else
of every asset.
It keeps each landing file's (size, mtime_ns, sha256); a file whose size or mtime moved
is hashed, and only a changed hash counts, so touching a file or re-saving it unchanged
requests nothing.

Those states live in the instance's key-value store, written when they change; the
cursor is their digest. Dagster stores a sensor's cursor with every tick and keeps
skipped ticks for 7 days: a cursor holding the states themselves (4 MB at scale 10)
grew the instance by gigabytes a day. A look first compares a digest of the listing
(paths, sizes, times) with the last one's and stops there when it is the same: at scale
10 that is a fifth of classifying the 29,000 files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path

import dagster as dg
import duckdb

from orchestration.config import parse_as_of
from orchestration.defs.activity_runs import activity_run
from orchestration.defs.jobs import materialize_everything, partition_range_tags
from orchestration.defs.partitions import service_month_partitions
from orchestration.defs.resources import PlatformSettings
from orchestration.ingest.discovery import discover, fingerprint
from orchestration.ingest.schemas import ACTIVITY_ROWS
from orchestration.storage.postgres import postgres_ingested
from orchestration.storage.run_failures import describe_failure, report_failure


def changed_files(landing_dir, cursor: dict) -> tuple[list, dict, set[tuple[str, str]]]:
    """The landing files new or changed since `cursor`, the cursor to store next, and the
    (file, sha256) versions of the reference files (every kind but activity forms)."""
    changed, next_cursor, references = [], {}, set()
    for f in discover(landing_dir):
        stat = f.path.stat()
        previous = cursor.get(f.rel_path)
        if previous and previous[0] == stat.st_size and previous[1] == stat.st_mtime_ns:
            next_cursor[f.rel_path] = previous
        else:
            digest = fingerprint(f)
            next_cursor[f.rel_path] = [stat.st_size, stat.st_mtime_ns, digest]
            if not previous or previous[2] != digest:
                changed.append(f)
        if f.kind is not ACTIVITY_ROWS:
            references.add((f.rel_path, next_cursor[f.rel_path][2]))
    return changed, next_cursor, references


# The key of the last look in the instance's key-value store.
STATE_KEY = "landing_zone_sensor/last_look"
# The last look read or written by this process (the code server keeps it between ticks).
_last_look: dict[str, dict] = {}


def listing_signature(landing_dir: Path) -> str:
    """A digest of every file's path, size and modification time under the landing zone
    (linked folders not entered, as discovery does not). The same digest as the last
    look's: no file can be new or changed, so there is nothing to classify or hash."""
    digest = hashlib.sha256()
    for root, dirs, files in os.walk(landing_dir):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(root, name)
            try:
                stat = os.stat(path)
            except OSError:  # a broken link: discovery skips it too
                continue
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _digest(stored: str) -> str:
    """The cursor naming a look as stored (its JSON, keys sorted)."""
    return hashlib.sha256(stored.encode()).hexdigest()[:32]


def last_look(instance: dg.DagsterInstance, cursor: str | None) -> dict | None:
    """The look a cursor names: {"states": file states, "signature": listing signature};
    None when there is no cursor, or the stored look is not the one it names (a tick that
    stored it and then failed): the sensor then looks as it first does. A cursor of the
    earlier kind holds the file states themselves."""
    if not cursor:
        return None
    if cursor.startswith("{"):
        return {"states": json.loads(cursor), "signature": None}
    if cursor in _last_look:
        return _last_look[cursor]
    stored = instance.run_storage.get_cursor_values({STATE_KEY}).get(STATE_KEY)
    if not stored or _digest(stored) != cursor:
        return None
    look = json.loads(stored)
    _last_look.clear()
    _last_look[cursor] = look
    return look


def store_look(instance: dg.DagsterInstance, look: dict) -> str:
    """Keep `look`; the cursor that names it."""
    stored = json.dumps(look, sort_keys=True)
    digest = _digest(stored)
    instance.run_storage.set_cursor_values({STATE_KEY: stored})
    _last_look.clear()
    _last_look[digest] = look
    return digest


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


# How often the landing zone is looked at: at each of the sensor daemon's looks, which
# come every 5 s (an interval of 5 s fell due at every other one: looks 5 to 10 s apart).
# A look that finds nothing new lists the zone and stats each file (0.1 s of a core for
# scale 10's 29,000 files).
LANDING_ZONE_INTERVAL_SECONDS = 4


@dg.sensor(
    job=materialize_everything,
    minimum_interval_seconds=LANDING_ZONE_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Requests a run for the service months whose landing files are new or changed.",
)
def landing_zone_sensor(context: dg.SensorEvaluationContext, settings: PlatformSettings):
    landing_dir = Path(settings.landing_dir)
    previous = last_look(context.instance, context.cursor)
    signature = listing_signature(landing_dir)
    if previous is not None and previous["signature"] == signature:
        return dg.SkipReason("no new or changed landing files")
    changed, states, references = changed_files(
        landing_dir, previous["states"] if previous else {})
    if previous is None:
        ingested = already_ingested(settings)
        changed = [f for f in changed if (f.rel_path, states[f.rel_path][2]) not in ingested]
    look = {"states": states, "signature": signature}
    if look != previous:
        context.update_cursor(store_look(context.instance, look))
    window = months_to_run(changed)
    if window is None:
        return dg.SkipReason("no new or changed landing files")
    run_key = hashlib.sha256(
        json.dumps(sorted(states[f.rel_path][2] for f in changed)).encode()
    ).hexdigest()[:16]
    tags = partition_range_tags(*window)
    selection = None
    if all(f.kind is ACTIVITY_ROWS for f in changed) and context.repository_def is not None:
        # A warehouse a run is writing cannot be read: it counts as not holding them.
        selection, extra, why_not = activity_run(
            context.instance, context.repository_def.asset_graph, parse_as_of(None),
            references_held=references <= already_ingested(settings),
        )
        tags |= extra
        if why_not:
            context.log.info(f"A run of every asset: {why_not}.")
    return dg.RunRequest(run_key=run_key, tags=tags, asset_selection=selection)


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
