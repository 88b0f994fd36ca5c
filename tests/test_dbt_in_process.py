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
