"""Raw writes on PostgreSQL: COPY inside one transaction, so a crash mid-write leaves raw
as it was."""

from __future__ import annotations

import datetime as dt

import dagster as dg
import polars as pl
import pytest
from postgres_server import create_database, server_for_tests
from test_warehouse import contract_file, counts

from orchestration.config import Settings
from orchestration.defs.assets.unrecognised import unrecognised_files
from orchestration.defs.resources import platform_settings
from orchestration.storage import warehouse
from orchestration.storage.outcome_tables import MATCHED_PAIRS_TABLE, read_table, replace_table
from orchestration.storage.postgres import PostgresWarehouse, connect
from orchestration.storage.warehouse import ensure_raw_schema, ingested_versions, write_read_results

# Runs the pipeline or a server: the slow tier (docs/development.md).
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server():
    yield from server_for_tests()


def test_a_failure_mid_write_leaves_raw_on_postgres_as_it_was(server, tmp_path, monkeypatch):
    dsn = create_database(server, "raw_crash")
    good = contract_file(tmp_path / "a", [(2024, "100.00")])
    with connect(dsn) as con:
        ensure_raw_schema(con)
        write_read_results(con, [good], "run-1", dt.datetime(2024, 8, 1))
        before = counts(con)
        assert before == [1, 1, 0]
        assert ingested_versions(con) == {("contract/contract_terms.csv", good.sha256)}

        real_insert = warehouse.insert_frame
        written = []

        def insert_then_crash(con, table, frame):
            if written:
                raise OSError("disk full")
            real_insert(con, table, frame)
            written.append(table)

        monkeypatch.setattr(warehouse, "insert_frame", insert_then_crash)
        second = contract_file(tmp_path / "b", [(2025, "200.00")])
        with pytest.raises(OSError, match="disk full"):
            write_read_results(con, [second], "run-2", dt.datetime(2024, 9, 1))
        assert written == ["raw.contract_terms"]
        assert counts(con) == before


def test_tables_replaced_each_run_keep_the_views_dbt_built_on_them(server, tmp_path,
                                                                   monkeypatch):
    """raw.unrecognised_files and the outcome tables are replaced on every run; on
    PostgreSQL dbt's staging views depend on them, so a second run must not drop them."""
    dsn = create_database(server, "replaced_tables")
    landing = tmp_path / "landing"
    (landing / "activity_forms").mkdir(parents=True)
    (landing / "activity_forms" / "export.csv").write_text("pp_id\n")
    monkeypatch.setenv("PPA_LANDING_DIR", str(landing))
    resources = {"duckdb": PostgresWarehouse(dsn=dsn),
                 "settings": platform_settings(Settings.from_env())}
    pairs = pl.DataFrame({"episode_id": ["E1", "E2"], "matched_pair_id": [1, 1],
                          "study_group": ["participant", "comparison"],
                          "propensity_logit": [0.5, 0.25]})
    for files in (1, 2):
        if files == 2:
            (landing / "referrals").mkdir()
            (landing / "referrals" / "referrals.csv").write_text("family_id\n")
        assert dg.materialize([unrecognised_files], resources=resources).success
        with connect(dsn) as con:
            replace_table(con, MATCHED_PAIRS_TABLE, pairs.head(files))
            con.execute("create or replace view public.unrecognised as "
                        "select * from raw.unrecognised_files")
            con.execute("create or replace view public.pairs as "
                        f"select * from {MATCHED_PAIRS_TABLE}")
            assert con.sql("select count(*) from public.unrecognised").fetchone() == (files,)
            assert read_table(con, MATCHED_PAIRS_TABLE).equals(
                pairs.head(files).cast({"matched_pair_id": pl.Int32})
            )
