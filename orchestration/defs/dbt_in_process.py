"""dbt in the run's own process, parsed once per run.

A `dbt` process per step starts Python, imports dbt and loads the parsed project again:
about 2.6 s a step before dbt does any work, four times a run, and the run's first step
parsed the whole project (about 4 s) because its vars differ from the last parse. Here a
run's steps share one parse (dbt's programmatic invocation with a manifest), and that parse
starts from the one `make parse` keeps (`parse_vars`: the vars are read when SQL is compiled,
never while parsing, so every run can reuse it).

dagster-dbt still turns dbt's events into asset events and checks, unchanged: they reach it
as the JSON lines a `dbt` process would print, through a pipe from the thread dbt runs in.
"""

from __future__ import annotations

import atexit
import ctypes
import json
import os
import shutil
import signal
import tempfile
import threading
import weakref
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource
from dagster_dbt.asset_utils import (
    extract_runtime_selection_from_args,
    get_updated_cli_invocation_params_for_context,
)
from dagster_dbt.core.dbt_cli_invocation import DbtCliInvocation
from dbt_common.events.base_types import EventLevel
from dbt_common.events.event_manager import EventManager
from dbt_common.events.event_manager_client import ctx_set_event_manager, get_event_manager
from packaging import version

from orchestration.config import DBT_PROJECT_DIR, DEFAULT_DUCKDB_MEMORY_LIMIT
from orchestration.defs.dbt_manifest import project_files

# The vars every parse is made with (`make parse` too). Models read vars when they are
# compiled, so a parse serves any run's vars; the warehouse's file name is kept because dbt
# names the database after it (a parse never opens the file). These keep dbt's state check,
# which hashes the vars and the connection, matching the parse `make parse` left.
DEFAULT_WAREHOUSE_NAME = "warehouse.duckdb"


def parse_vars(warehouse: str | Path = DEFAULT_WAREHOUSE_NAME) -> dict[str, str]:
    return {"warehouse_path": Path(warehouse).name,
            "duckdb_memory_limit": DEFAULT_DUCKDB_MEMORY_LIMIT}


PARTIAL_PARSE_FILE = "partial_parse.msgpack"
# A step's dbt writes no manifest.json or run_results.json (dagster-dbt reads its events, and
# nothing reads those files: about 0.1 s a step to write) and logs to the run's dbt.log at
# info, a line per node (the debug log, every statement with its connection's comings and
# goings, cost about 0.4 s of a month's run; each node's SQL is kept in the run's target
# folder under compiled/ and run/ all the same).
_STEP_ARGS = ["--quiet", "--no-write-json", "--log-level-file", "info"]
# How long an interrupted step waits for dbt to end its current query and stop.
STOP_TIMEOUT_SECONDS = 60

_parsed: dict[tuple[str, str, str, str], Any] = {}
# A parse made ahead of the runs (`parse_ahead`), by (project, target, warehouse name): the
# project's fingerprint when it was made, and the parse.
_ahead: dict[tuple[str, str, str], tuple[tuple, Any]] = {}
_lock = threading.Lock()
_manager_lock = threading.Lock()


class _LoggedEventManager(EventManager):
    """dbt's event manager, but a debug event is dropped as it is fired when no logger of
    its writes debug lines.

    dbt builds a message for every event it fires and formats it for every logger, whose
    level is checked only after that. Most of a build's events are debug events (each query,
    connection and compilation step), and a step keeps none of them: its console is quiet,
    its `dbt.log` is at info, and the callback feeding dagster-dbt passes no debug event on
    (`_ThreadedDbt._emit`), nor does dbt's own (`track_behavior_change_warn`, warnings).
    Building and formatting them was about a third of dbt's own time in a run. Every other
    event goes through dbt's manager unchanged."""

    def fire_event(self, e, level=None, node=None, force_warn_or_error_handling=False):
        if ((level or e.level_tag()) == EventLevel.DEBUG
                and all(logger.level != EventLevel.DEBUG for logger in self.loggers)):
            return
        super().fire_event(e, level, node, force_warn_or_error_handling)


def _drops_unlogged_debug_events() -> None:
    """Install `_LoggedEventManager` as dbt's (its replaceable, process-wide manager)."""
    with _manager_lock:
        if not isinstance(get_event_manager(), _LoggedEventManager):
            ctx_set_event_manager(_LoggedEventManager())


def _common_args(project_dir: Path, dbt: DbtCliResource | None, target_path: Path) -> list[str]:
    """The flags every invocation passes (a resource's profile and target; none: the
    project's own profiles and the `duckdb` target, as `make parse` uses)."""
    args = ["--project-dir", str(project_dir), "--target-path", str(target_path),
            "--log-path", str(target_path), "--no-send-anonymous-usage-stats"]
    if dbt is None:
        return [*args, "--profiles-dir", str(DBT_PROJECT_DIR), "--target", "duckdb"]
    if dbt.profiles_dir:
        args += ["--profiles-dir", str(dbt.profiles_dir)]
    if dbt.profile:
        args += ["--profile", dbt.profile]
    if dbt.target:
        args += ["--target", dbt.target]
    return args


def _parse(project_dir: Path, dbt: DbtCliResource | None, target_path: Path,
           warehouse: str | Path = DEFAULT_WAREHOUSE_NAME, *, write_manifest: bool = True):
    from dbt.cli.main import dbtRunner

    _drops_unlogged_debug_events()
    result = dbtRunner().invoke([
        "parse", "--quiet", *_common_args(project_dir, dbt, target_path),
        "--vars", json.dumps(parse_vars(warehouse)),
        *([] if write_manifest else ["--no-write-json"]),
    ])
    if not result.success:
        raise dg.Failure(f"dbt could not parse the project: {result.exception}")
    return result.result


def _parse_from_kept(dbt: DbtCliResource, project_dir: Path, target_path: Path,
                     warehouse: str | Path):
    """A parse into `target_path` that starts from `make parse`'s partial parse when the
    folder has none. The run's steps use the parse itself: its manifest.json is never read."""
    kept = DBT_PROJECT_DIR / "target" / PARTIAL_PARSE_FILE
    here = target_path / PARTIAL_PARSE_FILE
    if kept.exists() and not here.exists():
        target_path.mkdir(parents=True, exist_ok=True)
        shutil.copy(kept, here)
    return _parse(project_dir, dbt, target_path, warehouse, write_manifest=False)


def project_fingerprint(project_dir: Path) -> tuple:
    """Every file a parse reads, with its size and modification time (a few milliseconds
    for the project's files): a parse made ahead serves a run only while this is unchanged."""
    stamps = []
    for path in project_files(project_dir):
        stat = path.stat()
        stamps.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(sorted(stamps))


def _ahead_key(project_dir: str | Path, dbt: DbtCliResource,
               warehouse: str | Path) -> tuple[str, str, str]:
    """What a parse made ahead must share with a run's to serve it: the project, the dbt
    target and the warehouse's file name (dbt names the database after it)."""
    return (str(project_dir), str(dbt.target), Path(warehouse).name)


def parse_ahead(dbt: DbtCliResource, warehouse: str | Path) -> None:
    """Parse the project now, for the runs this process will fork (the forkserver of warm
    runs, orchestration/defs/warm_runs.py): each forked run takes this parse instead of
    making its own (0.8-2.3 s a run), unless a project file changed since. A parse reads the
    project's files and opens no database. Its folder is a temporary one: the runs write
    their SQL and logs to their own."""
    project_dir = Path(dbt.project_dir)
    fingerprint = project_fingerprint(project_dir)
    folder = Path(tempfile.mkdtemp(prefix="ppa-dbt-parse-"))
    try:
        manifest = _parse_from_kept(dbt, project_dir, folder, warehouse)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    _ahead[_ahead_key(project_dir, dbt, warehouse)] = (fingerprint, manifest)


def parsed_manifest(dbt: DbtCliResource, project_dir: Path, target_path: Path,
                    warehouse: str | Path):
    """dbt's parsed project for a target folder: parsed once per process and folder,
    starting from `make parse`'s partial parse when the folder has none; or, in a run forked
    from a process that parsed ahead (`parse_ahead`), that parse while the project is
    unchanged. A parse made ahead serves one run at most: a run's steps compile its nodes
    into it."""
    key = (str(project_dir), str(dbt.target), str(target_path), Path(warehouse).name)
    with _lock:
        if key not in _parsed:
            ahead = _ahead.pop(_ahead_key(project_dir, dbt, warehouse), None)
            if ahead is not None and ahead[0] == project_fingerprint(project_dir):
                _parsed[key] = ahead[1]
            else:
                _parsed[key] = _parse_from_kept(dbt, project_dir, target_path, warehouse)
        return _parsed[key]


def _close_duckdb() -> None:
    """Close the warehouse dbt-duckdb keeps open after an invocation, as a `dbt` process
    would on exit: the run's next steps open it with their own configuration, which DuckDB
    refuses while this process holds it otherwise configured."""
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:
        return
    with DuckDBConnectionManager._LOCK:
        environment, DuckDBConnectionManager._ENV = DuckDBConnectionManager._ENV, None
        if environment is not None:
            environment.close()


# Every dbt thread of this process, stopped at its exit however the step ended: Dagster
# may fail an interrupted step without closing the step's generator, and a thread left
# inside DuckDB when the interpreter finalizes aborts the process.
_RUNNING: weakref.WeakSet = weakref.WeakSet()


@atexit.register
def _stop_every_dbt() -> None:
    for process in list(_RUNNING):
        process.stop()


class _ThreadedDbt:
    """What dagster-dbt reads of a `dbt` process (`subprocess.Popen`): its JSON log lines on
    `stdout`, `wait()`, `returncode` and `args`; dbt runs in a thread of this process."""

    def __init__(self, args: list[str], invoke: Callable[[Callable], bool]):
        self.args = args
        self.returncode: int | None = None
        self._interrupted = False
        read, write = os.pipe()
        self.stdout = os.fdopen(read, "rb")
        self._lines = os.fdopen(write, "wb")
        self._thread = threading.Thread(target=self._run, args=(invoke,), daemon=True,
                                         name="dbt")
        _RUNNING.add(self)
        self._thread.start()

    def _line(self, event: dict) -> None:
        self._lines.write(json.dumps(event).encode() + b"\n")
        self._lines.flush()

    def _emit(self, msg) -> None:
        from dbt_common.events.functions import msg_to_dict

        # The lines a dbt process prints at its default log level: debug events go to
        # dbt.log in the target folder, as before. Once interrupted nobody reads them.
        if msg.info.level != "debug" and not self._interrupted:
            self._line(msg_to_dict(msg))

    def _run(self, invoke: Callable[[Callable], bool]) -> None:
        try:
            self.returncode = 0 if invoke(self._emit) else 1
        except BaseException as error:  # noqa: BLE001 - reported as the process would
            if not self._interrupted:
                self._line({"info": {"level": "error", "name": "InvocationFailed",
                                     "msg": f"dbt failed: {error!r}"}, "data": {}})
            self.returncode = 2
        finally:
            self._lines.close()

    def wait(self, timeout: float | None = None) -> int | None:
        self._thread.join(timeout)
        return self.returncode

    def stop(self, timeout: float = STOP_TIMEOUT_SECONDS) -> None:
        """Interrupt dbt if it is still running and wait for it (at most `timeout`)."""
        if self._thread.is_alive():
            self.send_signal(signal.SIGINT)
            self._thread.join(timeout)

    def send_signal(self, _signal) -> None:
        """What SIGINT does to a dbt process: a KeyboardInterrupt where dbt was invoked,
        which dbt handles by cancelling its open queries and ending the invocation (once
        the node it waits on returns). dagster-dbt then waits for the thread before the
        step fails: a thread left inside DuckDB when the process exits aborts it."""
        self._interrupted = True
        if self._thread.is_alive():
            ctypes.pythonapi.PyThreadState_SetAsyncExc(
                ctypes.c_ulong(self._thread.ident), ctypes.py_object(KeyboardInterrupt))


def dbt_in_process(
    dbt: DbtCliResource, args: Sequence[str], *, context: dg.AssetExecutionContext,
    target_path: Path, warehouse: str | Path,
) -> DbtCliInvocation:
    """`dbt.cli(args, context=context, target_path=target_path)`, run in this process on
    the run's one parse of the project (`warehouse`: the file dbt builds in)."""
    from dbt.cli.main import dbtRunner
    from dbt.version import __version__ as dbt_version

    cleaned, selects, excludes = extract_runtime_selection_from_args(args)
    params = get_updated_cli_invocation_params_for_context(
        context=context, manifest={}, dagster_dbt_translator=DagsterDbtTranslator(),
        runtime_selects=selects, runtime_excludes=excludes,
    )
    project_dir = Path(params.dbt_project.project_dir if params.dbt_project else dbt.project_dir)
    manifest = parsed_manifest(dbt, project_dir, target_path, warehouse)
    full_args = [*cleaned, *_common_args(project_dir, dbt, target_path), *_STEP_ARGS,
                 *params.selection_args]
    if params.indirect_selection:
        full_args += ["--indirect-selection", params.indirect_selection]

    _drops_unlogged_debug_events()

    def invoke(callback: Callable) -> bool:
        try:
            result = dbtRunner(manifest=manifest, callbacks=[callback]).invoke(full_args)
        finally:
            _close_duckdb()
        if result.exception is not None:
            raise result.exception
        return result.success

    return DbtCliInvocation(
        process=_ThreadedDbt(["dbt", *full_args], invoke),
        manifest=params.manifest,
        dagster_dbt_translator=params.dagster_dbt_translator,
        project_dir=project_dir,
        target_path=target_path,
        raise_on_error=True,
        context=context,
        adapter=None,
        cli_version=version.parse(dbt_version),
        project=params.dbt_project,
    )


def main() -> None:
    """`make parse`: the manifest the asset definitions read, and the partial parse every
    run starts from (dbt's default target folder, the `duckdb` target)."""
    _parse(DBT_PROJECT_DIR, None, DBT_PROJECT_DIR / "target")


if __name__ == "__main__":
    main()
