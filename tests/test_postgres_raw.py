"""Raw writes on PostgreSQL: COPY inside one transaction, so a crash mid-write leaves raw
as it was."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from postgres_server import create_database, postgres_bin, private_postgres
from test_warehouse import contract_file, counts

from orchestration import warehouse
from orchestration.postgres import connect
from orchestration.warehouse import ensure_raw_schema, ingested_versions, write_read_results


@pytest.fixture(scope="module")
def server():
    if postgres_bin() is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed: `make test` installs it")
        pytest.skip("PostgreSQL is not installed (make test installs it)")
    with private_postgres() as dsn:
        yield dsn


def test_a_failure_mid_write_leaves_raw_on_postgres_as_it_was(server, tmp_path, monkeypatch):
    dsn = create_database(server, "raw_crash")
    good = contract_file(tmp_path / "a", [(2024, "100.00")])
    with connect(dsn) as con:
        ensure_raw_schema(con)
        write_read_results(con, [good], "run-1", dt.datetime(2024, 8, 1))
        before = counts(con)
        assert before == [1, 1, 0]
        assert ingested_versions(con) == {("contract/contract_terms.csv", good.sha256)}

        real_insert = warehouse._insert
        written = []

        def insert_then_crash(con, table, frame):
            if written:
                raise OSError("disk full")
            real_insert(con, table, frame)
            written.append(table)

        monkeypatch.setattr(warehouse, "_insert", insert_then_crash)
        second = contract_file(tmp_path / "b", [(2025, "200.00")])
        with pytest.raises(OSError, match="disk full"):
            write_read_results(con, [second], "run-2", dt.datetime(2024, 9, 1))
        assert written == ["raw.contract_terms"]
        assert counts(con) == before
