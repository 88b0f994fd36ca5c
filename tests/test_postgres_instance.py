"""The shared-instance configuration (deploy/dagster.yaml) on a private PostgreSQL server:
it loads, queues runs, limits the warehouse pool to one slot, and stores a project
asset's materialization in PostgreSQL."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import dagster as dg
import psycopg
import pytest
from dagster._core.run_coordinator import QueuedRunCoordinator
from dagster_duckdb import DuckDBResource
from postgres_server import create_database, server_for_tests

from orchestration.config import Settings
from orchestration.defs.assets.unrecognised import UNRECOGNISED_FILES_KEY, unrecognised_files
from orchestration.defs.resources import platform_settings

# Runs the pipeline or a server: the slow tier (docs/development.md).
pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def server():
    yield from server_for_tests()


@pytest.fixture
def instance(server, tmp_path, monkeypatch):
    url = create_database(server, f"dagster_{uuid.uuid4().hex[:8]}")
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO / "deploy" / "dagster.yaml", home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.setenv("DAGSTER_POSTGRES_URL", url.replace("postgresql://", "postgresql+psycopg2://"))
    with dg.DagsterInstance.get() as instance:
        yield instance, url


def test_the_deploy_config_queues_runs_and_gives_the_warehouse_one_slot(instance):
    instance, _ = instance
    assert type(instance.run_storage).__name__ == "PostgresRunStorage"
    assert type(instance.event_log_storage).__name__ == "PostgresEventLogStorage"
    assert isinstance(instance.run_coordinator, QueuedRunCoordinator)
    settings = instance.get_concurrency_config()
    assert settings.pool_config.default_pool_limit == 1
    assert settings.pool_config.pool_granularity.value == "run"
    assert settings.run_queue_config.max_concurrent_runs == 4


def test_a_materialization_is_recorded_in_postgres(instance, tmp_path, monkeypatch):
    instance, url = instance
    landing = tmp_path / "landing"
    (landing / "activity_forms").mkdir(parents=True)
    (landing / "activity_forms" / "export.csv").write_text("pp_id\n")
    monkeypatch.setenv("PPA_LANDING_DIR", str(landing))
    result = dg.materialize(
        [unrecognised_files],
        instance=instance,
        resources={"duckdb": DuckDBResource(database=str(tmp_path / "warehouse.duckdb")),
                   "settings": platform_settings(Settings.from_env())},
    )
    assert result.success
    event = instance.get_latest_materialization_event(UNRECOGNISED_FILES_KEY)
    assert event is not None and event.run_id == result.run_id
    assert event.asset_materialization.metadata["files"].value == 1
    with psycopg.connect(url) as con:
        stored = con.execute(
            "select count(*) from event_logs where run_id = %s "
            "and dagster_event_type = 'ASSET_MATERIALIZATION'",
            (result.run_id,),
        ).fetchone()[0]
        runs = con.execute("select status from runs where run_id = %s",
                           (result.run_id,)).fetchall()
    assert stored == 1
    assert runs == [("SUCCESS",)]
