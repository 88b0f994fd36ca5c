"""Runs forked warm (orchestration/runner/warm_runs.py): a process forked from the
forkserver begins with the platform loaded, and can use polars and DuckDB (neither is
fork-safe once used: the forkserver must not have used them); Dagster's code server takes
the warm context when, and only when, `ppa serve` asks for it."""

from __future__ import annotations

import multiprocessing
import sys
import types

import pytest

from orchestration.defs.warm_runs import WARM_RUNS_ENV, serve_runs_warm, warm_context


def _probe(reply, target_path) -> None:
    """In the forked process: what it began with (the definitions, and the dbt project
    parsed ahead, which its run's dbt steps take), and a polars and a DuckDB query."""
    preloaded = "orchestration.defs.definitions" in sys.modules
    import duckdb
    import polars as pl

    from orchestration.config import DBT_PROJECT_DIR
    from orchestration.defs import dbt_in_process
    from orchestration.defs.definitions import defs

    (made_ahead,) = [parse for _, parse in dbt_in_process._ahead.values()]
    dbt, warehouse = defs.resources["dbt"], defs.resources["settings"].warehouse
    manifest = dbt_in_process.parsed_manifest(dbt, DBT_PROJECT_DIR, target_path, warehouse)
    parsed_ahead = manifest is made_ahead and "model.parent_partner_analytics.fct_family_month" \
        in manifest.nodes
    total = pl.DataFrame({"n": range(200_000)}).select(pl.col("n").sum()).item()
    answer = duckdb.sql("select sum(range) from range(1000)").fetchall()[0][0]
    reply.send((preloaded, parsed_ahead, total, int(answer)))
    reply.close()


@pytest.mark.slow
def test_a_forked_run_begins_loaded_and_can_query(monkeypatch, tmp_path):
    # multiprocessing runs the starting process's main script again in the child; in a
    # test worker that may be a Streamlit page an earlier test ran. The code server's is
    # Dagster's command line, the bench worker's its own module.
    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))
    context = warm_context()
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_probe, args=(sender, tmp_path / "run-target"))
    process.start()
    sender.close()
    process.join(timeout=180)
    if process.is_alive():  # a thread pool started before the fork hangs the child
        process.kill()
        pytest.fail("the forked process hung: the forkserver used polars or DuckDB")
    assert process.exitcode == 0
    assert receiver.recv() == (True, True, sum(range(200_000)), sum(range(1000)))
    # The run took the parse made ahead: it parsed nothing into its own target folder.
    assert not (tmp_path / "run-target").exists()


@pytest.fixture
def server_class():
    from dagster._grpc.server import DagsterApiServer

    yield DagsterApiServer
    if isinstance(DagsterApiServer.__dict__.get("_mp_ctx"), property):
        del DagsterApiServer._mp_ctx


def _made_server(cls):
    """A server as `DagsterApiServer.__init__` leaves its context (the rest is not used)."""
    server = cls.__new__(cls)
    server._mp_ctx = multiprocessing.get_context("spawn")
    return server


def test_the_code_server_forks_warm_only_when_serve_asks(monkeypatch, server_class):
    monkeypatch.delenv(WARM_RUNS_ENV, raising=False)
    assert serve_runs_warm() is False
    assert _made_server(server_class)._mp_ctx.get_start_method() == "spawn"

    started = []
    monkeypatch.setattr("multiprocessing.forkserver.ensure_running", lambda: started.append(1))
    monkeypatch.setenv(WARM_RUNS_ENV, "1")
    assert serve_runs_warm() is True
    # Taken out of the environment: the forkserver and the runs it forks never act on it.
    assert WARM_RUNS_ENV not in __import__("os").environ
    assert started == [1]  # the forkserver starts with the code server, not with a run
    server = _made_server(server_class)
    assert server._mp_ctx.get_start_method() == "forkserver"
    assert server._mp_ctx is warm_context()
