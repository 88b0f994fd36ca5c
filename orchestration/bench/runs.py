"""Whole runs of the platform, each in its own process against its own files:

- the full run: `ppa run` on a fresh warehouse and Dagster instance;
- the incremental month: the run the landing-zone sensor requests for one new month
  (`materialize_everything` over that month's partition, orchestration/bench/month_run.py).

Stage times come from the run's step events in the Dagster instance; peak memory from
the kernel's accounting of the finished process and the processes it waited for (dbt).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

STAGES = ("ingest", "dbt_build", "outcomes", "publish", "checks")


@dataclass(frozen=True)
class RunPaths:
    landing: Path
    warehouse: Path
    published: Path
    dagster_home: Path

    @classmethod
    def under(cls, root: Path, landing: Path) -> RunPaths:
        return cls(landing, root / "warehouse.duckdb", root / "published.duckdb",
                   root / "dagster_home")

    def remove_outputs(self) -> None:
        """No warehouse and no published file: what a full run starts from."""
        for path in (self.warehouse, self.published):
            path.unlink(missing_ok=True)

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "PPA_LANDING_DIR": str(self.landing),
            "PPA_WAREHOUSE": str(self.warehouse),
            "PPA_PUBLISHED": str(self.published),
            "DAGSTER_HOME": str(self.dagster_home),
        }


def run_measured(command: list[str], env: dict[str, str], log: Path) -> dict:
    """Run `command` to its end; wall seconds, exit code and peak RSS (MB) of the process
    tree (the largest resident set among it and the children it waited for), measured by
    a small process of its own (orchestration/bench/measured.py): a process forked from
    this one would start from this one's peak."""
    with tempfile.TemporaryDirectory() as folder, open(log, "ab") as out:
        result = Path(folder) / "measured.json"
        subprocess.run(
            [sys.executable, "-m", "orchestration.bench.measured", str(result), "--", *command],
            env=env, stdout=out, stderr=subprocess.STDOUT, cwd="/", check=False,
        )
        return json.loads(result.read_text())


def _check_step_keys() -> set[str]:
    from orchestration.defs.definitions import defs

    return {
        f"{key.asset_key.to_python_identifier()}_{key.name}"
        for key in defs.resolve_asset_graph().asset_check_keys
    }


def stage_of(step_key: str, check_steps: set[str]) -> str:
    """The stage a step of `materialize_everything` belongs to."""
    if step_key in check_steps:
        return "checks"
    if step_key.startswith("published__"):
        return "publish"
    if step_key.startswith("dbt_"):
        return "dbt_build"
    if step_key.startswith(("outcomes__", "outcome_")):
        return "outcomes"
    if step_key.startswith("raw__") or step_key == "ingestion_log":
        return "ingest"
    return "other"


def run_stages(dagster_home: Path, run_id: str | None = None) -> dict:
    """Seconds per stage of a run (default: the newest run), from its step events."""
    import dagster as dg
    from dagster._core.instance.ref import InstanceRef

    from orchestration.defs.jobs import SELECTION_TAG

    with dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(dagster_home))) as instance:
        run = instance.get_run_by_id(run_id) if run_id else instance.get_runs(limit=1)[0]
        record = instance.get_run_record_by_id(run.run_id)
        events = instance.all_logs(
            run.run_id,
            of_type={dg.DagsterEventType.STEP_START, dg.DagsterEventType.STEP_SUCCESS,
                     dg.DagsterEventType.STEP_FAILURE},
        )
    started: dict[str, float] = {}
    steps: dict[str, float] = {}
    for event in events:
        if event.dagster_event.event_type_value == "STEP_START":
            started[event.step_key] = event.timestamp
        elif event.step_key in started:
            steps[event.step_key] = event.timestamp - started[event.step_key]
    checks = _check_step_keys()
    stages = {stage: 0.0 for stage in (*STAGES, "other")}
    for key, seconds in steps.items():
        stages[stage_of(key, checks)] += seconds
    run_seconds = (record.end_time or 0) - (record.start_time or 0)
    return {
        "run_id": run.run_id,
        "status": run.status.value,
        # Which assets it ran: every one, or those reading the activity forms alone.
        "selection": run.tags.get(SELECTION_TAG, "every asset"),
        "run_seconds": run_seconds,
        "stages_seconds": stages,
        # Between steps: Dagster's own work (events, slot claims, loading definitions).
        "between_steps_seconds": max(0.0, run_seconds - sum(steps.values())),
        "steps": len(steps),
        # The outcome study's steps one by one: matching, comparisons, subgroups, curves.
        "outcome_steps_seconds": {key: seconds for key, seconds in sorted(steps.items())
                                  if stage_of(key, checks) == "outcomes"},
    }


def full_run(paths: RunPaths, as_of: dt.date, log: Path) -> dict:
    """`ppa run` on a fresh warehouse and instance."""
    ppa = str(Path(sys.executable).parent / "ppa")
    paths.remove_outputs()
    measured = run_measured([ppa, "run", "--as-of", as_of.isoformat()], paths.env(), log)
    if measured["exit_code"] != 0:
        raise RuntimeError(f"ppa run failed (exit {measured['exit_code']}); see {log}")
    return {**measured, **run_stages(paths.dagster_home)}


def month_run(paths: RunPaths, as_of: dt.date, month: str, log: Path) -> dict:
    """The sensor's run for one new month, on the loaded warehouse of `paths`."""
    command = [sys.executable, "-m", "orchestration.bench.month_run",
               "--as-of", as_of.isoformat(), "--month", month]
    measured = run_measured(command, paths.env(), log)
    if measured["exit_code"] != 0:
        raise RuntimeError(f"the run for month {month} failed; see {log}")
    return {**measured, **run_stages(paths.dagster_home)}


class WarmWorker:
    """The runs of one set of files as `ppa serve` starts them: forked from a process with
    the platform loaded (orchestration/bench/warm_worker.py). Its own start (the forkserver
    loading the platform) is timed apart, as `ppa serve` pays it once, not per run."""

    def __init__(self, paths: RunPaths, log: Path):
        self.paths = paths
        read, write = os.pipe()
        with open(log, "ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "orchestration.bench.warm_worker", str(write)],
                env=paths.env(), stdin=subprocess.PIPE, stdout=out, stderr=subprocess.STDOUT,
                pass_fds=(write,), cwd="/", text=True,
            )
        os.close(write)
        self.replies = os.fdopen(read)
        self.log = log
        self.warm_up_seconds = self._reply()["warm_up_seconds"]

    def _reply(self) -> dict:
        line = self.replies.readline()
        if not line:
            raise RuntimeError(f"the warm run worker ended; see {self.log}")
        return json.loads(line)

    def _run(self, *words: str) -> dict:
        self.process.stdin.write(" ".join(words) + "\n")
        self.process.stdin.flush()
        measured = self._reply()
        if measured["exit_code"] != 0:
            raise RuntimeError(f"the warm {words[0]} run failed; see {self.log}")
        return {**measured, **run_stages(self.paths.dagster_home)}

    def full_run(self, as_of: dt.date) -> dict:
        """The full run on a fresh warehouse and instance."""
        self.paths.remove_outputs()
        return self._run("full", as_of.isoformat())

    def month_run(self, as_of: dt.date, month: str) -> dict:
        """The sensor's run for one new month, on the loaded warehouse."""
        return self._run("month", as_of.isoformat(), month)

    def close(self) -> None:
        self.process.stdin.close()
        self.replies.close()
        self.process.wait()
