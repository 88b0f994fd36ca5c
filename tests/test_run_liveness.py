"""A run whose process died gives back the warehouse slot; a live writer is waited for,
by name; and `ppa run` stops on SIGTERM even while it waits."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.storage.dagster_run import DagsterRun

from orchestration.config import REPO_ROOT
from orchestration.runner.dagster_home import dagster_yaml
from orchestration.runner.run_liveness import (
    PID_TAG,
    START_SLACK_SECONDS,
    WAREHOUSE_POOL,
    own_process_tags,
    reap_dead_runs,
    warehouse_writers,
)


@pytest.fixture
def dagster_home(tmp_path, monkeypatch):
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text(dagster_yaml(home))
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    return home


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _writer_run(instance: dg.DagsterInstance, tags: dict[str, str]) -> str:
    """A run in STARTED state holding the warehouse slot, as a killed run leaves it."""
    run_id = str(uuid.uuid4())
    instance.add_run(
        DagsterRun(job_name="materialize_everything", run_id=run_id,
                   status=dg.DagsterRunStatus.STARTED, tags=tags)
    )
    storage = instance.event_log_storage
    storage.initialize_concurrency_limit_to_default(WAREHOUSE_POOL)
    claim = storage.claim_concurrency_slot(WAREHOUSE_POOL, run_id, "raw__activity_rows")
    assert claim.is_claimed
    return run_id


def test_a_killed_run_is_failed_and_its_slot_freed(dagster_home):
    with dg.DagsterInstance.get() as instance:
        run_id = _writer_run(instance, {**own_process_tags(), PID_TAG: str(_dead_pid())})
        assert [run.run_id for run in reap_dead_runs(instance)] == [run_id]
        assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.FAILURE
        info = instance.event_log_storage.get_concurrency_info(WAREHOUSE_POOL)
        assert not info.active_run_ids
        assert reap_dead_runs(instance) == []


def test_a_live_writer_is_kept_and_named(dagster_home):
    with dg.DagsterInstance.get() as instance:
        run_id = _writer_run(instance, own_process_tags())
        assert reap_dead_runs(instance) == []
        writers = warehouse_writers(instance)
        assert [run.run_id for run in writers] == [run_id]
        assert f"pid {os.getpid()}" in writers[0].describe()


def test_a_reused_pid_does_not_keep_a_dead_run_alive(dagster_home):
    with dg.DagsterInstance.get() as instance:
        run_id = _writer_run(instance, own_process_tags())
        time.sleep(START_SLACK_SECONDS + 1)
        younger = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
        try:
            # The run's recorded pid now names a process that started after the run.
            instance.add_run_tags(run_id, {PID_TAG: str(younger.pid)})
            assert [run.run_id for run in reap_dead_runs(instance)] == [run_id]
        finally:
            younger.kill()


@pytest.mark.slow  # starts `ppa run` (loading the definitions) in a process of its own
def test_ppa_run_waits_for_a_live_writer_by_name_and_stops_on_sigterm(dagster_home, tmp_path):
    with dg.DagsterInstance.get() as instance:
        run_id = _writer_run(instance, own_process_tags())
    env = {
        **os.environ,
        "DAGSTER_HOME": str(dagster_home),
        "PPA_LANDING_DIR": str(REPO_ROOT / "seeds" / "demo"),
        "PPA_WAREHOUSE": str(tmp_path / "warehouse.duckdb"),
        "PPA_PUBLISHED": str(tmp_path / "published.duckdb"),
    }
    ppa = [sys.executable, "-m", "orchestration.cli", "run", "--as-of", "2024-08-01"]
    proc = subprocess.Popen(ppa, env=env, cwd=tmp_path, stderr=subprocess.PIPE, text=True)
    lines = []
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        lines.append(line)
        if "waiting for run" in line:
            break
    assert f"waiting for run {run_id}" in "".join(lines)
    assert f"pid {os.getpid()}" in "".join(lines)
    proc.send_signal(signal.SIGTERM)
    try:
        _, rest = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail("ppa run ignored SIGTERM while waiting for the warehouse")
    assert proc.returncode == 1
    assert "interrupted" in rest
    assert not (tmp_path / "published.duckdb").exists()


def test_of_two_runs_starting_at_once_one_waits_for_the_other(dagster_home, monkeypatch, capfd):
    """Neither has created its run yet, so neither sees the other in the instance: the
    lock file decides."""
    import fcntl
    import threading

    from orchestration.runner import pipeline

    monkeypatch.setattr(pipeline, "WAIT_POLL_SECONDS", 0.05)
    with dg.DagsterInstance.get() as instance:
        lock_file = Path(instance.root_directory) / pipeline.RUN_LOCK_FILE
        first = pipeline.wait_for_the_warehouse(instance, lock_file)
        second: list = []
        waiter = threading.Thread(
            target=lambda: second.append(pipeline.wait_for_the_warehouse(instance, lock_file)),
            daemon=True,
        )
        waiter.start()
        waiter.join(timeout=1.0)
        assert waiter.is_alive() and not second
        assert "waiting for another ppa run that is starting" in capfd.readouterr().err
        first.close()  # the first run ends
        waiter.join(timeout=10)
        assert not waiter.is_alive() and len(second) == 1
        with open(lock_file, "a") as third, pytest.raises(BlockingIOError):
            fcntl.flock(third, fcntl.LOCK_EX | fcntl.LOCK_NB)
        second[0].close()
