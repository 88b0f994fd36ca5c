"""The thread dbt runs in (orchestration/defs/dbt_in_process.py): its events reach
dagster-dbt as a dbt process's JSON lines, and a stop ends dbt the way SIGINT ends a dbt
process, before the step (and the process) ends."""

from __future__ import annotations

import json
import threading
import time

from orchestration.defs.dbt_in_process import _ThreadedDbt


def _lines(process: _ThreadedDbt) -> list[dict]:
    with process.stdout:
        return [json.loads(line) for line in process.stdout]


def test_a_finished_invocation_gives_its_exit_code():
    def invoke(emit) -> bool:
        return False  # dbt ran and something failed: exit code 1, as a dbt process

    process = _ThreadedDbt(["dbt", "build"], invoke)
    assert _lines(process) == []
    assert process.wait(timeout=10) == 1 and process.args == ["dbt", "build"]


def test_an_exception_in_dbt_is_an_error_line_and_exit_code_2():
    def invoke(emit) -> bool:
        raise RuntimeError("the profile has no target")

    process = _ThreadedDbt(["dbt", "build"], invoke)
    (line,) = _lines(process)
    assert line["info"]["level"] == "error" and "the profile has no target" in line["info"]["msg"]
    assert process.wait(timeout=10) == 2


def test_a_stop_interrupts_dbt_where_it_was_invoked_and_waits_for_it():
    started, interrupted = threading.Event(), threading.Event()

    def invoke(emit) -> bool:
        started.set()
        try:
            while True:  # dbt waiting on its nodes
                time.sleep(0.01)
        except KeyboardInterrupt:  # dbt cancels its queries and ends the invocation
            interrupted.set()
            raise

    process = _ThreadedDbt(["dbt", "build"], invoke)
    assert started.wait(timeout=10)
    process.stop(timeout=30)
    assert interrupted.is_set()
    assert not process._thread.is_alive() and process.returncode == 2
    # Nobody reads the lines of an interrupted invocation: none is written.
    assert _lines(process) == []


# A process whose dbt thread is still querying DuckDB when the main thread ends, as when
# Dagster fails an interrupted step without closing its generator.
LEFT_RUNNING = """
import duckdb, threading
from orchestration.defs.dbt_in_process import _ThreadedDbt
querying = threading.Event()

def invoke(emit):
    con = duckdb.connect()
    try:
        while True:
            con.execute("select sum(range) from range(2000000)").fetchall()
            querying.set()
    except KeyboardInterrupt:
        print("dbt interrupted", flush=True)
        raise

process = _ThreadedDbt(["dbt", "build"], invoke)
querying.wait(30)
"""


def test_a_dbt_thread_left_running_is_stopped_when_the_process_exits():
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-c", LEFT_RUNNING], capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "dbt interrupted" in result.stdout


def test_a_failed_dbt_step_is_reported_by_dbts_own_errors():
    """`ppa run` names what dbt said, not dagster-dbt's first line ("The dbt CLI process with
    command"), which is all a one-line reason kept of it."""
    import inspect

    from dagster_dbt.core.dbt_cli_invocation import DbtCliInvocation

    from orchestration.runner.pipeline import DBT_ERRORS, step_error_text

    assert DBT_ERRORS in inspect.getsource(DbtCliInvocation._format_error_messages)
    message = (
        "The dbt CLI process with command\n\n`dbt build --vars {...}`\n\nfailed with exit code "
        f"`1`. Check the stdout in the Dagster compute logs.\n\n{DBT_ERRORS}\n\n"
        "Runtime Error in model fct_family_month (models/marts/fct_family_month.sql)\n"
        "  Catalog Error: Table with name int_matches does not exist!"
    )
    assert step_error_text(message) == (
        "Runtime Error in model fct_family_month (models/marts/fct_family_month.sql) "
        "Catalog Error: Table with name int_matches does not exist!"
    )
    assert step_error_text("Out of memory\nTraceback ...") == "Out of memory"


def test_a_parse_made_ahead_serves_one_run_and_only_while_the_project_is_unchanged(
        tmp_path, monkeypatch):
    """The forkserver of warm runs parses once (`parse_ahead`); a run forked from it takes
    that parse instead of parsing, unless a project file changed since; a second run in the
    same process parses its own (the first compiled its nodes into the one made ahead)."""
    from types import SimpleNamespace

    from orchestration.defs import dbt_in_process

    project = tmp_path / "project"
    project.mkdir()
    (project / "model.sql").write_text("select 1")
    parses = []

    def parse(dbt, project_dir, target_path, warehouse):
        parses.append(target_path)
        return object()

    monkeypatch.setattr(dbt_in_process, "_parse_from_kept", parse)
    monkeypatch.setattr(dbt_in_process, "_parsed", {})
    monkeypatch.setattr(dbt_in_process, "_ahead", {})
    dbt = SimpleNamespace(project_dir=str(project), target="duckdb")

    dbt_in_process.parse_ahead(dbt, "/data/warehouse.duckdb")
    assert len(parses) == 1
    made_ahead = dbt_in_process._ahead[(str(project), "duckdb", "warehouse.duckdb")][1]
    run = dbt_in_process.parsed_manifest(dbt, project, tmp_path / "run-1", "/data/warehouse.duckdb")
    assert run is made_ahead and len(parses) == 1
    # The run's later steps share it; the next run in this process parses its own.
    assert dbt_in_process.parsed_manifest(dbt, project, tmp_path / "run-1", "warehouse.duckdb") is run
    assert dbt_in_process.parsed_manifest(dbt, project, tmp_path / "run-2", "warehouse.duckdb") is not run
    assert parses[-1] == tmp_path / "run-2"

    # A project file changed after the parse made ahead: the run parses again.
    dbt_in_process.parse_ahead(dbt, "warehouse.duckdb")
    stale = dbt_in_process._ahead[(str(project), "duckdb", "warehouse.duckdb")][1]
    (project / "model.sql").write_text("select 2 as changed")
    changed = dbt_in_process.parsed_manifest(dbt, project, tmp_path / "run-3", "warehouse.duckdb")
    assert changed is not stale
    assert parses[-1] == tmp_path / "run-3" and len(parses) == 4
    # Made for another warehouse file name or dbt target, it does not serve either.
    dbt_in_process.parse_ahead(dbt, "warehouse.duckdb")
    dbt_in_process.parsed_manifest(dbt, project, tmp_path / "run-4", "other.duckdb")
    dbt_in_process.parsed_manifest(SimpleNamespace(project_dir=str(project), target="postgres"),
                                   project, tmp_path / "run-5", "warehouse.duckdb")
    assert parses[-2:] == [tmp_path / "run-4", tmp_path / "run-5"]


def test_debug_events_are_dropped_only_while_no_logger_writes_them(tmp_path):
    from dbt.adapters.events.types import SQLQuery
    from dbt_common.events.base_types import EventLevel
    from dbt_common.events.logger import LoggerConfig
    from dbt_common.events.types import Note

    from orchestration.defs.dbt_in_process import _LoggedEventManager

    manager, seen = _LoggedEventManager(), []
    manager.add_callback(lambda msg: seen.append((msg.info.name, msg.info.level)))
    manager.add_logger(LoggerConfig(name="file", level=EventLevel.INFO,
                                    output_file_name=str(tmp_path / "info.log")))
    manager.fire_event(SQLQuery(conn_name="main", sql="select 1", node_info={}))
    manager.fire_event(Note(msg="a debug note"), level=EventLevel.DEBUG)
    manager.fire_event(Note(msg="an info note"), level=EventLevel.INFO)
    manager.fire_event(Note(msg="a warning"), level=EventLevel.WARN)
    assert seen == [("Note", "info"), ("Note", "warn")]
    manager.flush()
    written = (tmp_path / "info.log").read_text()
    assert "an info note" in written and "a warning" in written and "select 1" not in written

    # A logger at debug level (dbt --debug, --log-level-file debug) gets them all.
    seen.clear()
    manager.add_logger(LoggerConfig(name="debug", level=EventLevel.DEBUG,
                                    output_file_name=str(tmp_path / "debug.log")))
    manager.fire_event(SQLQuery(conn_name="main", sql="select 1", node_info={}))
    manager.fire_event(Note(msg="a debug note"), level=EventLevel.DEBUG)
    assert seen == [("SQLQuery", "debug"), ("Note", "debug")]
    manager.flush()
    assert "select 1" in (tmp_path / "debug.log").read_text()
