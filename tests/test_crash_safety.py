"""kill -9 of `ppa run` mid ingest, mid dbt build, mid outcomes and mid publish, and a
stop (SIGTERM) mid dbt build.

One landing zone and one uninterrupted run to compare with (the suite's shared demo run:
its landing zone, only read, and its warehouse and published file), and one warehouse
whose runs are killed one after the other - each kill point found by polling the run's
step events in its Dagster storage, never by sleeping a guessed time. Each run after a
kill must start (the dead run's warehouse slot freed), and after a normal re-run the
marts equal the uninterrupted run's and no raw row is duplicated or lost. While a run is
killed mid publish, and while the last run publishes, a reader loop queries the
published file: it must see the previous copy or the new one, whole, and no error.
"""

import datetime as dt
import hashlib
import shutil
import signal
from pathlib import Path

import pytest
from robustness import (
    RUN_TIMEOUT,
    PublishedReader,
    kill_group,
    marts_fingerprint,
    materialized,
    published_run_id,
    query,
    raw_fingerprint,
    run_databases,
    run_env,
    run_to_the_end,
    start_run,
    started,
    step_events,
    succeeded,
    wait_for,
)

KILL_POINTS = Path(__file__).parent / "kill_points"
HOLD = "PPA_TEST_HOLD_ACTIVITY_APPEND"  # read by kill_points/sitecustomize.py

# Runs the pipeline or a server: the slow tier (docs/development.md).
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def zone(demo_run, tmp_path_factory):
    """The shared demo run's landing zone, with a warehouse and Dagster instance of its own
    for the killed runs; the shared run itself is the uninterrupted one."""
    root = tmp_path_factory.mktemp("crash")
    return {
        "root": root,
        "published": Path(demo_run["PPA_PUBLISHED"]),
        "warehouse": Path(demo_run["PPA_WAREHOUSE"]),
        "crashed": run_env(Path(demo_run["PPA_LANDING_DIR"]), root / "crashed"),
    }


def uninterrupted(zone) -> dict:
    """The uninterrupted run's marts and raw fingerprints."""
    if "marts" not in zone:
        zone["marts"] = marts_fingerprint(zone["published"])
        zone["raw"] = raw_fingerprint(zone["warehouse"])
    return zone


def _paths(zone):
    env = zone["crashed"]
    return (Path(env["PPA_WAREHOUSE"]), Path(env["PPA_PUBLISHED"]),
            zone["root"] / "crashed" / "dagster_home")


def kill_at(zone, name: str, ready, step: str, env=None):
    """Start `ppa run` on the crashed warehouse (with `env` added to its environment),
    kill -9 it once `ready`; check the step was still running. Returns the run's log."""
    proc, log, started_run = _start(zone, f"killed-{name}.log", env)
    try:
        run_db = started_run(ready)
    finally:
        kill_group(proc)
    assert not succeeded(step_events(run_db), step), f"{step} had ended before the kill"
    return log.read_text()


def _start(zone, log_name: str, env=None):
    """`ppa run` on the crashed warehouse: the process, its log, and a wait for the point
    `ready` of its step events that returns the run's file."""
    _, _, dagster_home = _paths(zone)
    log = zone["root"] / log_name
    known = run_databases(dagster_home)
    proc = start_run({**zone["crashed"], **(env or {})}, log)
    return proc, log, lambda ready: wait_for(proc, dagster_home, known, ready, log)[0]


def raw_rows(fingerprint) -> dict[str, int]:
    return {table: rows for table, (rows, _) in fingerprint.items()}


@pytest.fixture(scope="module")
def killed_mid_ingest(zone):
    # The activity forms' step writes all its files in one transaction, which the kill
    # must never leave half done. It lands inside that transaction, every row inserted
    # and none committed: the run holds there (tests/kill_points/sitecustomize.py) and
    # says so in a file, since the demo's append commits within a second of the step's
    # start, sooner than a kill timed by that start.
    hold = zone["root"] / "activity-append-held"
    return kill_at(zone, "ingest", lambda events: started("raw__activity_rows")(events)
                   and hold.exists(), "raw__activity_rows",
                   env={"PYTHONPATH": str(KILL_POINTS), HOLD: str(hold)})


def test_a_kill_mid_ingest_leaves_the_warehouse_as_before_the_step(zone, killed_mid_ingest):
    warehouse, _, _ = _paths(zone)
    partial = raw_rows(raw_fingerprint(warehouse))
    assert partial["activity_rows"] == 0
    assert query(warehouse, """
        select count(*) from raw.ingested_files where kind = 'activity_rows'
    """) == [(0,)]
    assert query(warehouse, """
        select count(*) from raw.rejected_rows where file like 'activity_forms/%'
    """) == [(0,)]
    # The snapshot kinds, ingested by earlier steps, are whole: each file's log row
    # matches the rows it holds.
    assert partial["referrals"] > 0 and partial["parent_partners"] > 0
    for kind in ("referrals", "parent_partners", "removal_episodes"):
        assert query(warehouse, f"""
            select f.file from raw.ingested_files f left join raw.{kind} a
              on a._source_file = f.file and a._sha256 = f.sha256
            where f.kind = '{kind}' group by f.file, f.rows_accepted
            having count(a._source_file) <> f.rows_accepted
        """) == []


@pytest.fixture(scope="module")
def killed_mid_dbt(zone, killed_mid_ingest):
    # A model built and the step still running: dbt is writing the warehouse.
    return kill_at(zone, "dbt", materialized("dbt_upstream"), "dbt_upstream")


def test_the_run_after_a_kill_frees_the_dead_runs_slot_and_finishes_ingestion(zone, killed_mid_dbt):
    assert "is gone: marked failed" in killed_mid_dbt
    warehouse, _, _ = _paths(zone)
    assert raw_fingerprint(warehouse) == uninterrupted(zone)["raw"]


@pytest.fixture(scope="module")
def killed_mid_outcomes(zone, killed_mid_dbt):
    return kill_at(zone, "outcomes", started("outcomes__matched_pairs"), "outcomes__matched_pairs")


def test_a_kill_mid_outcomes_publishes_nothing(zone, killed_mid_outcomes):
    assert "is gone: marked failed" in killed_mid_outcomes
    _, published, _ = _paths(zone)
    assert not published.exists()


def _publishing(published):
    """The publish step has begun writing its new copy beside the published file."""
    folder = published.parent

    def ready(events):
        return started("published__marts")(events) and any(
            folder.glob(f".{published.name}.*.tmp"))
    return ready


def test_a_kill_mid_publish_leaves_the_previous_copy_whole(zone, killed_mid_outcomes):
    _, published, _ = _paths(zone)
    # The previous copy: the uninterrupted run's, as if an earlier run had published it.
    uninterrupted(zone)
    shutil.copyfile(zone["published"], published)
    before = hashlib.sha256(published.read_bytes()).hexdigest()
    previous_run = published_run_id(published)
    with PublishedReader(published, list(zone["marts"])) as reader:
        kill_at(zone, "publish", _publishing(published), "published__marts")
    assert reader.errors == []
    assert reader.reads > 0 and set(reader.seen) == {previous_run}
    assert hashlib.sha256(published.read_bytes()).hexdigest() == before
    zone["previous_run"] = previous_run


def terminate_at(zone, name: str, ready) -> tuple[int, str, Path]:
    """Start `ppa run` on the crashed warehouse and stop it with SIGTERM (a service
    manager's stop; Ctrl-C alike) once `ready`: its exit code, log and run file."""
    proc, log, started_run = _start(zone, f"terminated-{name}.log")
    try:
        run_db = started_run(ready)
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=RUN_TIMEOUT)
    finally:
        if proc.poll() is None:
            kill_group(proc)
    return code, log.read_text(), run_db


def test_a_stop_mid_dbt_ends_the_run_with_its_reason(zone):
    # After the kill mid publish, before the normal re-run that must then equal the
    # uninterrupted run. dbt runs inside the run's process: a stop must end dbt there and
    # the process exit with its reason, where a thread left inside DuckDB aborted it.
    if "previous_run" not in zone:
        pytest.skip("the kill mid publish did not happen")
    code, log, run_db = terminate_at(zone, "dbt", materialized("dbt_downstream"))
    assert code == 1, log[-3000:]  # an exit, not a death by signal nor an abort
    assert "step dbt_downstream failed" in log
    assert "terminate called" not in log and "FATAL" not in log
    assert not succeeded(step_events(run_db), "dbt_downstream")


def test_after_a_normal_re_run_marts_and_raw_equal_the_uninterrupted_runs(zone):
    if "previous_run" not in zone:
        pytest.skip("the kill mid publish did not happen")
    warehouse, published, _ = _paths(zone)
    with PublishedReader(published, list(zone["marts"])) as reader:
        run_to_the_end(zone["crashed"], zone["root"] / "re-run.log")
    assert reader.errors == []
    # Readers saw the previous copy, then the new one, each whole.
    assert zone["previous_run"] in reader.seen and len(reader.seen) <= 2
    assert marts_fingerprint(published) == uninterrupted(zone)["marts"]
    assert raw_fingerprint(warehouse) == uninterrupted(zone)["raw"]
    assert not list(published.parent.glob(f".{published.name}.*.tmp")), "a dead copy is left"


def test_a_copy_left_by_a_dead_publisher_is_removed_and_a_live_ones_kept(tmp_path):
    import os

    import duckdb

    from orchestration.defs.assets.publish import publish_marts

    target = tmp_path / "published.duckdb"
    dead = tmp_path / ".published.duckdb.4194305.tmp"  # above Linux's largest pid
    live = tmp_path / f".published.duckdb.{os.getppid()}.tmp"
    for copy in (dead, live):
        copy.write_bytes(b"half a copy")
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        con.execute("create schema marts")
        con.execute("create table marts.t as select 1 as x")
        publish_marts(con, target, dt.date(2024, 8, 1), "run-1")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["published.duckdb", live.name, "warehouse.duckdb"])
