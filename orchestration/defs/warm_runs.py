"""Runs that start warm: forked from a process that has already imported the platform and
loaded its definitions, instead of a new interpreter doing both again (about 4 s a run,
most of a month run's fixed cost: docs/benchmarks.md).

Dagster's code server starts each run it is asked for (the sensor's, a backfill's, one
launched from the UI) in a new process: `StartRun` in `dagster/_grpc/server.py`, through
`multiprocessing`'s spawn context held as `DagsterApiServer._mp_ctx`. Under `ppa serve` the
code server's runs come from a forkserver instead (`serve_runs_warm`): one process, started
when the code server loads the definitions, that imports `orchestration.runner.warm_preload`
once and forks a run from there. The rest of Dagster's handling is unchanged: the run is a
`multiprocessing.Process` like before, with the same termination event, event queue and
liveness check, and it ends with the code server (the forkserver exits when its parent
does).

Fork safety: the forkserver only imports modules and builds the definitions. It opens no
DuckDB connection and runs no polars query (polars' thread pool, once started, does not
survive a fork: the child would hang on its first query). tests/test_warm_runs.py runs a
polars query and a DuckDB query in a forked run process.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.context
import multiprocessing.forkserver
import os

# Set by `ppa serve` for the code server `dagster dev` starts; taken out of the environment
# by the code server, so neither its forkserver nor the runs see it.
WARM_RUNS_ENV = "PPA_WARM_RUNS"
PRELOAD = ["orchestration.runner.warm_preload"]


def warm_context() -> multiprocessing.context.ForkServerContext:
    """multiprocessing's forkserver context, its server preloading the platform."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context


def _nothing() -> None:
    """A process that does nothing (picklable by name, as forkserver targets must be)."""


def wait_until_warm(context: multiprocessing.context.ForkServerContext) -> None:
    """Start the forkserver if it is not running and return once it serves forks: after its
    preload. A run started before then waits for it anyway; this makes the wait happen
    here."""
    process = context.Process(target=_nothing)
    process.start()
    process.join()


def serve_runs_warm() -> bool:
    """In a code server started with PPA_WARM_RUNS=1: make Dagster's code server start its
    runs from a warm forkserver, and start that forkserver now (it loads beside the code
    server instead of in the first run's time). True when it did.

    `_mp_ctx` is set once in `DagsterApiServer.__init__`, before the code server loads the
    definitions (which is when this is called): a property on the class takes precedence
    over that instance attribute, and ignores its assignment in servers made later."""
    if os.environ.pop(WARM_RUNS_ENV, None) != "1":
        return False
    from dagster._grpc.server import DagsterApiServer

    context = warm_context()
    DagsterApiServer._mp_ctx = property(lambda _server: context, lambda _server, _value: None)
    multiprocessing.forkserver.ensure_running()
    return True
