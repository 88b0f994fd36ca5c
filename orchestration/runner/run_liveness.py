"""Runs whose process is gone: mark them failed and free the warehouse slot they hold.

A run killed with SIGKILL (an OOM kill, a reboot, a power cut) never reports its end:
the Dagster instance keeps it STARTED and its claim on the single `warehouse` pool
slot, and every later run would wait for that slot forever. Each run records the
process that executes it - `ppa run` tags its in-process runs with `ppa/pid`, and
Dagster's run launcher logs "Started process for run (pid: N)" - so a run whose
process no longer exists, or whose pid now belongs to a younger process, is known
dead. Only runs of this machine are judged: a shared (PostgreSQL) instance relies on
Dagster's own run monitoring instead.
"""

from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
from dagster._core.storage.dagster_run import IN_PROGRESS_RUN_STATUSES, RunsFilter

PID_TAG = "ppa/pid"
HOST_TAG = "ppa/host"
WAREHOUSE_POOL = "warehouse"
# A run's worker starts within seconds of the run; one without a recorded process after
# this long was lost before it could record one.
UNRECORDED_GRACE_SECONDS = 120
# The clock-tick resolution of /proc start times, plus slack for a slow fork.
START_SLACK_SECONDS = 5


def own_process_tags() -> dict[str, str]:
    """Tags that let a later run tell whether this process is still alive."""
    return {PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname()}


def _process_start_time(pid: int) -> float | None:
    """When `pid` started (epoch seconds), from /proc; None when it does not exist."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        boot_line = next(
            line for line in Path("/proc/stat").read_text().splitlines() if line.startswith("btime")
        )
    except (FileNotFoundError, ProcessLookupError, StopIteration):
        return None
    # Field 22 (start time in clock ticks since boot) counted after the command name,
    # which may itself hold spaces and parentheses.
    ticks = int(stat.rsplit(")", 1)[1].split()[19])
    return int(boot_line.split()[1]) + ticks / os.sysconf("SC_CLK_TCK")


def process_alive(pid: int, run_started_at: float) -> bool:
    """Is the process that started the run still running? A pid reused by a process
    that started after the run is not it."""
    if Path("/proc").is_dir():
        started = _process_start_time(pid)
        return started is not None and started <= run_started_at + START_SLACK_SECONDS
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _launched_pid(instance: dg.DagsterInstance, run_id: str) -> int | None:
    records = instance.get_records_for_run(
        run_id, of_type=dg.DagsterEventType.ENGINE_EVENT, limit=50
    ).records
    for record in records:
        event = record.event_log_entry.dagster_event
        if event and "Started process for run" in (event.message or ""):
            pid = event.event_specific_data.metadata.get("pid")
            if pid is not None:
                return int(pid.value)
    return None


@dataclass(frozen=True)
class RunProcess:
    run_id: str
    job_name: str
    pid: int | None
    started_at: float
    alive: bool

    def describe(self) -> str:
        started = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.started_at))
        who = f"pid {self.pid}" if self.pid else "no recorded process"
        return f"run {self.run_id} of {self.job_name} ({who}, started {started})"


def in_progress_runs(instance: dg.DagsterInstance) -> list[RunProcess]:
    """Every run the instance holds as in progress, with whether its process lives."""
    host = socket.gethostname()
    runs = []
    for record in instance.get_run_records(RunsFilter(statuses=IN_PROGRESS_RUN_STATUSES)):
        run = record.dagster_run
        if run.status == dg.DagsterRunStatus.SUSPENDED:
            continue
        started_at = record.start_time or record.create_timestamp.timestamp()
        if run.tags.get(HOST_TAG, host) != host:
            runs.append(RunProcess(run.run_id, run.job_name, None, started_at, True))
            continue
        pid = int(run.tags[PID_TAG]) if PID_TAG in run.tags else _launched_pid(instance, run.run_id)
        if pid is None:
            alive = time.time() - started_at < UNRECORDED_GRACE_SECONDS
        else:
            alive = process_alive(pid, started_at)
        runs.append(RunProcess(run.run_id, run.job_name, pid, started_at, alive))
    return runs


def judges_liveness(instance: dg.DagsterInstance) -> bool:
    """Only a local (SQLite) instance belongs to this machine's processes alone."""
    from dagster._core.storage.runs.sqlite.sqlite_run_storage import SqliteRunStorage

    return isinstance(instance.run_storage, SqliteRunStorage)


def reap_dead_runs(instance: dg.DagsterInstance) -> list[RunProcess]:
    """Mark every dead run failed and free its concurrency slots; return them."""
    if not judges_liveness(instance):
        return []
    dead = [run for run in in_progress_runs(instance) if not run.alive]
    for run in dead:
        dagster_run = instance.get_run_by_id(run.run_id)
        if dagster_run is None:
            continue
        instance.report_run_failed(
            dagster_run,
            message=f"The process of this run ({'pid ' + str(run.pid) if run.pid else 'unrecorded'}) "
            "is gone (killed, out of memory, or the machine restarted): marked failed and "
            "its warehouse slot freed.",
        )
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
    return dead


def warehouse_writers(instance: dg.DagsterInstance, exclude: str | None = None) -> list[RunProcess]:
    """Live runs holding or queued for the warehouse slot, other than `exclude`."""
    info = instance.event_log_storage.get_concurrency_info(WAREHOUSE_POOL)
    holders = info.active_run_ids | info.assigned_run_ids | info.pending_run_ids
    return [
        run for run in in_progress_runs(instance)
        if run.alive and run.run_id in holders and run.run_id != exclude
    ]
