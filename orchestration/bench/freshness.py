"""Freshness latency: with `ppa serve` running on a loaded warehouse, a new site export
dropped into the landing zone until the published copy lists it.

Nobody launches a run: the landing-zone sensor of `ppa serve`'s daemon notices the file
and requests the run. The published file is polled read-only for the file's row in
marts.dq_ingested_files.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from orchestration.bench.runs import RunPaths, run_stages


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _sensor_daemon_up(dagster_home: Path, since: float) -> bool:
    import dagster as dg
    from dagster._core.instance.ref import InstanceRef

    with dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(dagster_home))) as instance:
        beats = instance.get_daemon_heartbeats()
    beat = beats.get("SENSOR")
    return beat is not None and beat.timestamp >= since


def _published_lists(published: Path, rel_path: str) -> bool:
    try:
        with duckdb.connect(str(published), read_only=True) as con:
            return bool(con.sql("select count(*) from marts.dq_ingested_files where file = $f",
                                params={"f": rel_path}).fetchall()[0][0])
    except duckdb.Error:  # mid-swap or not yet written: look again
        return False


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGINT)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def measure_freshness(paths: RunPaths, new_file: Path, rel_path: str, log: Path,
                      as_of: dt.date, startup_timeout: float = 300,
                      timeout: float = 900) -> dict:
    """Seconds from dropping `new_file` at `rel_path` in the landing zone until the
    published copy lists it; {"seconds": None, "reason": ...} when it could not be seen.

    The sensor's run takes the benchmark's as-of date (PPA_AS_OF), like the measured runs:
    with today's date the synthetic data's months would fall outside every default view,
    and the pages timed after it on the file it publishes would read empty windows."""
    ppa = str(Path(sys.executable).parent / "ppa")
    started = time.time()
    with open(log, "ab") as out:
        process = subprocess.Popen(
            [ppa, "serve", "--dagster-port", str(_free_port()),
             "--streamlit-port", str(_free_port())],
            env={**paths.env(), "PPA_AS_OF": as_of.isoformat()}, stdout=out,
            stderr=subprocess.STDOUT, cwd="/",
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + startup_timeout
        while not _sensor_daemon_up(paths.dagster_home, started):
            if process.poll() is not None:
                return {"seconds": None, "reason": f"ppa serve exited ({process.returncode})"}
            if time.monotonic() > deadline:
                return {"seconds": None,
                        "reason": f"the sensor daemon did not start within {startup_timeout} s"}
            time.sleep(1)
        startup = time.time() - started
        target = paths.landing / rel_path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(new_file, target)
        dropped = time.monotonic()
        while not _published_lists(paths.published, rel_path):
            if process.poll() is not None:
                return {"seconds": None, "reason": f"ppa serve exited ({process.returncode})"}
            if time.monotonic() - dropped > timeout:
                return {"seconds": None,
                        "reason": f"not published within {timeout} s of the drop"}
            time.sleep(1)
        seconds = time.monotonic() - dropped
        # Which assets the sensor's run covered: those reading the forms, or every one.
        selection = run_stages(paths.dagster_home)["selection"]
        return {"seconds": seconds, "serve_startup_seconds": startup, "file": rel_path,
                "run_selection": selection}
    finally:
        _stop(process)
