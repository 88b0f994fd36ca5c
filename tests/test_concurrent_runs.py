"""Two `ppa run`s at once on one warehouse and Dagster instance (a sensor's run and a
manual one): the second waits for the first and says for whom; both end; nothing is
duplicated; and a reader loop over the published file, while the second run writes and
publishes, sees no error and only whole copies."""

import re
import time

import pytest
from robustness import (
    PublishedReader,
    demo_landing,
    marts_fingerprint,
    published_run_id,
    query,
    raw_fingerprint,
    run_databases,
    run_env,
    start_run,
    started,
    step_times,
    wait_for,
)

# Runs the pipeline or a server: the slow tier (docs/development.md).
pytestmark = pytest.mark.slow

TIMEOUT = 1800


def _wait_for_line(proc, log, pattern: str, timeout: float = TIMEOUT) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = re.search(pattern, log.read_text())
        if found:
            return found.group(0)
        assert proc.poll() is None, f"ended (code {proc.returncode}):\n{log.read_text()[-3000:]}"
        time.sleep(0.2)
    raise AssertionError(f"no {pattern!r} within {timeout} s:\n{log.read_text()[-3000:]}")


def test_a_second_run_waits_for_the_first_and_both_end_with_the_same_marts(tmp_path):
    landing = demo_landing(tmp_path)
    env = run_env(landing, tmp_path / "shared")
    dagster_home = tmp_path / "shared" / "dagster_home"
    published = tmp_path / "shared" / "published.duckdb"
    warehouse = tmp_path / "shared" / "warehouse.duckdb"

    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    first = start_run(env, first_log)
    first_db, _ = wait_for(first, dagster_home, set(), started("raw__contract_terms"), first_log)
    first_run_id = first_db.stem
    second = start_run(env, second_log)
    try:
        waiting = _wait_for_line(second, second_log, r"waiting for run \S+ .*")
        assert first_run_id in waiting and f"pid {first.pid}" in waiting
        assert first.wait(timeout=TIMEOUT) == 0, first_log.read_text()[-3000:]
        # The second has waited all along: the published copy is the first run's.
        assert published_run_id(published) == first_run_id
        first_marts, first_raw = marts_fingerprint(published), raw_fingerprint(warehouse)
        assert len(run_databases(dagster_home)) <= 2
        with PublishedReader(published, list(first_marts)) as reader:
            assert second.wait(timeout=TIMEOUT) == 0, second_log.read_text()[-3000:]
    finally:
        for proc in (first, second):
            if proc.poll() is None:
                proc.kill()
    assert reader.errors == []
    assert reader.reads > 0 and first_run_id in reader.seen and len(reader.seen) <= 2
    second_run_id = published_run_id(published)
    assert second_run_id != first_run_id
    # The second ran no step before the first's last had ended: it waited for the run, not
    # only for a step between two of the first run's steps.
    second_db = dagster_home / "history" / "runs" / f"{second_run_id}.db"
    assert step_times(second_db)[0] > step_times(first_db)[1]
    assert marts_fingerprint(published) == first_marts
    assert raw_fingerprint(warehouse) == first_raw
    # The first run's raw was read while the second may already have run a step: the
    # second's re-ingestion of the same files must have added no row, read then or now.
    keys = {"ingested_files": "file, sha256", "rejected_rows": "file, sha256, row_number",
            "unrecognised_files": "file"}
    for table in first_raw:
        key = keys.get(table, "_source_file, _sha256, _row_number")
        [(rows, distinct)] = query(
            warehouse, f'select count(*), count(distinct ({key})) from raw."{table}"')
        assert rows == distinct, f"raw.{table} holds a row twice"
