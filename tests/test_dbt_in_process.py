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
