"""What the crash, concurrency and reader tests share: a landing zone, `ppa run` as a
process, the run's step events read from its Dagster storage, and fingerprints of the
warehouse's raw tables and of the published marts."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Self

import duckdb
from pipeline_run import DEMO_AS_OF

from orchestration.config import DEMO_LANDING_DIR

# The shared demo run's date: the crash tests compare their runs with that run.
AS_OF = DEMO_AS_OF
PPA = str(Path(sys.executable).parent / "ppa")
# Tables that record the publishing run itself (its id, its time), not the data.
PER_RUN_TABLES = ("meta_refresh", "dq_check_results", "ops_run_failures")
# Columns that say when and by which run a row was written: lineage, not data.
RUN_COLUMNS = {"_run_id", "_ingested_at", "run_id", "ingested_at", "refreshed_at"}
RUN_TIMEOUT = 1800


def demo_landing(root: Path) -> Path:
    landing = root / "landing"
    shutil.copytree(DEMO_LANDING_DIR, landing)
    (landing / "README.md").unlink()
    return landing


def run_env(landing: Path, root: Path) -> dict[str, str]:
    root.mkdir(parents=True, exist_ok=True)
    return {
        **os.environ,
        "PPA_LANDING_DIR": str(landing),
        "PPA_WAREHOUSE": str(root / "warehouse.duckdb"),
        "PPA_PUBLISHED": str(root / "published.duckdb"),
        "DAGSTER_HOME": str(root / "dagster_home"),
    }


def start_run(env: dict[str, str], log: Path) -> subprocess.Popen:
    """`ppa run` in its own process group (so a kill takes its dbt child too)."""
    return subprocess.Popen(
        [PPA, "run", "--as-of", AS_OF], env=env, cwd="/", stdout=subprocess.DEVNULL,
        stderr=open(log, "w"), start_new_session=True,
    )


def run_to_the_end(env: dict[str, str], log: Path) -> None:
    proc = start_run(env, log)
    returncode = proc.wait(timeout=RUN_TIMEOUT)
    assert returncode == 0, log.read_text()[-3000:]


def kill_group(proc: subprocess.Popen) -> None:
    """kill -9 of `ppa run` and everything it started, as a power cut or an OOM kill of
    its service would."""
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)


# --- the run's step events, read from its Dagster storage ------------------------------

def run_databases(dagster_home: Path) -> set[Path]:
    folder = dagster_home / "history" / "runs"
    return {p for p in folder.glob("*.db") if p.name != "index.db"} if folder.is_dir() else set()


def step_events(run_db: Path) -> list[tuple[str, str | None]]:
    """(event type, step key) of a run so far, in order; the run's own sqlite file, read
    while the run writes it."""
    try:
        with sqlite3.connect(f"file:{run_db}?mode=ro", uri=True, timeout=5) as con:
            return con.execute(
                "select dagster_event_type, step_key from event_logs "
                "where dagster_event_type is not null order by id"
            ).fetchall()
    except sqlite3.OperationalError:  # created but its table not yet
        return []


def step_times(run_db: Path) -> tuple[str, str]:
    """When the run's first step started and its last step ended (storage timestamps)."""
    with sqlite3.connect(f"file:{run_db}?mode=ro", uri=True, timeout=5) as con:
        return con.execute(
            "select min(timestamp) filter (where dagster_event_type = 'STEP_START'), "
            "max(timestamp) filter (where dagster_event_type in ('STEP_SUCCESS', 'STEP_FAILURE')) "
            "from event_logs"
        ).fetchall()[0]


def wait_for(proc: subprocess.Popen, dagster_home: Path, known: set[Path], ready, log: Path,
             timeout: float = RUN_TIMEOUT) -> tuple[Path, list]:
    """Poll the new run's events until `ready(events)`; the run's file and its events."""
    deadline = time.monotonic() + timeout
    run_db = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(
                f"ppa run ended (code {proc.returncode}) before the kill point:\n"
                + log.read_text()[-3000:]
            )
        if run_db is None:
            new = run_databases(dagster_home) - known
            run_db = next(iter(new), None)
        if run_db is not None:
            events = step_events(run_db)
            if ready(events):
                return run_db, events
        time.sleep(0.05)
    raise AssertionError(f"no kill point within {timeout} s:\n{log.read_text()[-3000:]}")


def started(step: str):
    return lambda events: ("STEP_START", step) in events


def materialized(step: str):
    return lambda events: ("ASSET_MATERIALIZATION", step) in events


def succeeded(events, step: str) -> bool:
    return ("STEP_SUCCESS", step) in events


# --- fingerprints ----------------------------------------------------------------------

# A run opens the warehouse for each step and closes it between steps: a reader that
# finds a step's write lock looks again until the step has ended.
LOCKED_FOR_AT_MOST = 300


def query(path: Path, sql: str):
    deadline = time.monotonic() + LOCKED_FOR_AT_MOST
    while True:
        try:
            with duckdb.connect(str(path), read_only=True) as con:
                return con.execute(sql).fetchall()
        except duckdb.IOException as exc:
            if "Could not set lock" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _table_fingerprint(path: Path, schema: str, table: str) -> tuple[int, str]:
    columns = [c for c, in query(
        path, "select column_name from information_schema.columns "
              f"where table_schema = '{schema}' and table_name = '{table}' order by ordinal_position"
    ) if c not in RUN_COLUMNS]
    select = ", ".join(f'"{c}"' for c in columns)
    rows = sorted(map(repr, query(path, f'select {select} from {schema}."{table}"')))
    return len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest()


def schema_fingerprint(path: Path, schema: str, leave_out=()) -> dict[str, tuple[int, str]]:
    """table -> (row count, hash of its sorted rows without the run's own columns)."""
    tables = [t for t, in query(
        path, "select table_name from information_schema.tables "
              f"where table_schema = '{schema}' order by table_name"
    ) if t not in leave_out]
    return {t: _table_fingerprint(path, schema, t) for t in tables}


def marts_fingerprint(published: Path) -> dict[str, tuple[int, str]]:
    return schema_fingerprint(published, "marts", PER_RUN_TABLES)


def raw_fingerprint(warehouse: Path) -> dict[str, tuple[int, str]]:
    return schema_fingerprint(warehouse, "raw")


def published_run_id(published: Path) -> str:
    return query(published, "select run_id from marts.meta_refresh")[0][0]


# --- a dashboard-like reader of the published file -----------------------------------

class PublishedReader:
    """Reads the published file in a loop through the dashboards' own reader
    (dashboards/published.py, uncached), and records every error and every copy it saw."""

    def __init__(self, published: Path, tables: list[str]):
        self.published, self.tables = published, tables
        self.errors: list[str] = []
        self.seen: dict[str, dict[str, int]] = {}  # run_id -> table -> rows
        self.reads = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        # One statement, so the run id and the counts come from one copy of the file.
        self._sql = "select (select run_id from marts.meta_refresh) as run_id, " + ", ".join(
            f'(select count(*) from marts."{t}") as "{t}"' for t in tables)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *_):
        self._stop.set()
        self._thread.join(timeout=60)

    def _loop(self) -> None:
        from dashboards.published import read

        while not self._stop.is_set():
            try:
                row = read(self.published, self._sql).row(0, named=True)
                run_id = row.pop("run_id")
                previous = self.seen.setdefault(run_id, row)
                if previous != row:
                    self.errors.append(f"copy {run_id} read as {row}, before as {previous}")
                self.reads += 1
            except Exception as exc:  # noqa: BLE001 - every failure of a reader is the finding
                self.errors.append(f"{type(exc).__name__}: {exc}")
            time.sleep(0.02)
