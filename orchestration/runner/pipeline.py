"""`ppa run`: the whole graph in one in-process run over every service month."""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import IO

import dagster as dg
from dagster._utils.interrupts import check_captured_interrupt

from orchestration.defs.jobs import AS_OF_TAG, materialize_everything, partition_range_tags
from orchestration.defs.partitions import service_month_partitions
from orchestration.runner.run_liveness import (
    in_progress_runs,
    own_process_tags,
    reap_dead_runs,
    warehouse_writers,
)

# How long an interrupted run may take to stop at a step boundary before the process
# stops itself: a run waiting for the warehouse slot never reaches one.
INTERRUPT_GRACE_SECONDS = 10
WAIT_POLL_SECONDS = 2
# Held by a `ppa run` from before it creates its run until the run ends.
RUN_LOCK_FILE = "ppa-run.lock"


def _say(message: str) -> None:
    print(f"ppa: {message}", file=sys.stderr, flush=True)


def running(instance: dg.DagsterInstance) -> list:
    """Live runs that have started, whether or not they hold the warehouse slot now: a run
    frees the slot between two of its steps, and a second run starting there would
    interleave its steps with the first's."""
    started = {
        record.dagster_run.run_id
        for record in instance.get_run_records(
            dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED])
        )
    }
    return [run for run in in_progress_runs(instance) if run.alive and run.run_id in started]


def wait_for_the_warehouse(instance: dg.DagsterInstance, lock_file: Path) -> IO:
    """Free the slots of dead runs, then wait (saying for whom) while a live run writes;
    a writer that dies while waited for is reaped on the next poll.

    Two `ppa run`s started at the same instant would both see no live run before either
    has created its own: the one holding `lock_file` goes on, the other waits. The lock is
    the caller's until it closes the returned file (the system releases it when the
    process ends, however it ends).
    """
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    lock = open(lock_file, "a")  # noqa: SIM115 - the caller holds it for its run
    announced = set()
    try:
        while True:
            for run in reap_dead_runs(instance):
                _say(f"{run.describe()} is gone: marked failed, its warehouse slot freed")
            writers = warehouse_writers(instance) or running(instance)
            if not writers:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return lock
                except BlockingIOError:
                    if "starting" not in announced:
                        _say("waiting for another ppa run that is starting")
                        announced.add("starting")
            for run in writers:
                if run.run_id not in announced:
                    _say(f"waiting for {run.describe()} to finish writing the warehouse")
                    announced.add(run.run_id)
            time.sleep(WAIT_POLL_SECONDS)
    except BaseException:
        lock.close()
        raise


def _stop_when_an_interrupt_stalls(instance: dg.DagsterInstance, run_id: str) -> threading.Event:
    """Dagster captures SIGINT/SIGTERM during a run and acts on it at the next step
    boundary; a step waiting for a pool slot never gets there. Past a grace period the
    run is marked canceled, its slots freed, and the process exits."""
    done = threading.Event()

    def watch() -> None:
        interrupted_at = None
        while not done.wait(0.5):
            if not check_captured_interrupt():
                continue
            interrupted_at = interrupted_at or time.monotonic()
            if time.monotonic() - interrupted_at > INTERRUPT_GRACE_SECONDS:
                run = instance.get_run_by_id(run_id)
                if run is not None and not run.is_finished:
                    instance.report_run_canceled(run, message="stopped by a signal")
                instance.event_log_storage.free_concurrency_slots_for_run(run_id)
                _say("interrupted: the run is canceled and the warehouse left as it was")
                os._exit(130)

    threading.Thread(target=watch, name="ppa-interrupt-watch", daemon=True).start()
    return done


# How dagster-dbt introduces dbt's own errors in the message of a failed dbt step, after
# the whole command line.
DBT_ERRORS = "Errors parsed from dbt logs:"


def step_error_text(message: str) -> str:
    """What to say of a failed step: dbt's own errors when dbt failed (the first line of
    dagster-dbt's message only says that a command failed), else the message's first line."""
    text = message.strip()
    if DBT_ERRORS in text:
        return " ".join(text.split(DBT_ERRORS, 1)[1].split()) or text.splitlines()[0]
    return text.splitlines()[0] if text else "step failed"


def _record_failure(result, step_failures: list, reason: str, checks: list[str] = ()) -> None:
    """A failed in-process run joins the failure sensor's record (published as
    marts.ops_run_failures, and POSTed to the alert webhook when one is set): the run-status
    sensors of `ppa serve` never see runs of `ppa run`."""
    from orchestration.config import Settings
    from orchestration.storage.run_failures import describe_failure, report_failure

    settings = Settings.from_env()
    failure = describe_failure(
        result.run_id, result.dagster_run.job_name,
        step_failures, reason, dt.datetime.now().replace(microsecond=0), list(checks),
    )
    report_failure(failure, settings.run_failures_file, settings.alert_webhook, _say)


def run_everything(
    as_of: dt.date,
    selection: dg.AssetSelection | None = None,
    months: tuple[str, str] | None = None,
) -> str | None:
    """Materialize every asset (or `selection`) for `as_of`, over every service month or the
    range `months` (first, last) as a backfill of those months would; return a failure
    reason, or None."""
    from orchestration.defs.definitions import defs

    keys = service_month_partitions.get_partition_keys()
    job = defs.resolve_job_def(materialize_everything.name)
    if selection is not None:
        job = job.get_subset(asset_selection=selection.resolve(defs.resolve_asset_graph()))
    steps = len(job.graph.nodes)
    with dg.DagsterInstance.get() as instance:
        lock = wait_for_the_warehouse(
            instance, Path(instance.root_directory) / RUN_LOCK_FILE
        )
        run_id = str(uuid.uuid4())
        done = _stop_when_an_interrupt_stalls(instance, run_id)
        try:
            result = job.execute_in_process(
                instance=instance,
                run_id=run_id,
                run_config={"loggers": {"progress": {"config": {"steps": steps}}}},
                tags={
                    AS_OF_TAG: as_of.isoformat(),
                    **partition_range_tags(*(months or (keys[0], keys[-1]))),
                    **own_process_tags(),
                },
                raise_on_error=False,
            )
        finally:
            done.set()
            lock.close()
    from orchestration.storage.check_results import failing_checks

    failed = [e for e in result.all_events if e.is_step_failure]
    evaluations = [e.asset_check_evaluation_data for e in result.all_events
                   if e.event_type_value == "ASSET_CHECK_EVALUATION"]
    checks = failing_checks(evaluations)
    errors = [line for line in checks if line.startswith(dg.AssetCheckSeverity.ERROR.value)]
    for line in checks:
        _say(f"check {line}")
    if result.dagster_run.status == dg.DagsterRunStatus.CANCELED:
        reason = "interrupted: the run was canceled"
        _record_failure(result, failed, reason, errors)
        return reason
    if not result.success or errors:
        reason = "run failed"
        if errors and not result.success:
            reason = (
                f"{len(errors)} blocking check(s) failed (named above with their findings): "
                "nothing was published and the dashboards keep the last good copy; correct "
                "what they name in the landing zone and run again"
            )
        elif errors:
            reason = (f"{len(errors)} check(s) failed at ERROR severity (named above with "
                      "their findings): correct what they name and run again")
        elif failed:
            error = failed[0].step_failure_data.error
            message = step_error_text(error.message) if error else "step failed"
            reason = f"step {failed[0].step_key} failed: {message}"
        if not result.success:
            _record_failure(result, failed, reason, errors)
        return reason
    if checks:
        _say(f"published, with {len(checks)} warning(s) named above: the data-quality page "
             "lists them; review what they name before the next run")
    return None
