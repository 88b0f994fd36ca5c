"""The dashboards read each version of the published file once opened, and never a
replaced one."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from dashboards import published


def _write(path: Path, value: int) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(f"create table marts.meta_refresh as select {value} as run_id")


def test_a_swapped_in_file_is_read_while_the_replaced_one_is_still_open(tmp_path, monkeypatch):
    path, staged = tmp_path / "published.duckdb", tmp_path / "published.duckdb.new"
    monkeypatch.setenv("PPA_PUBLISHED", str(path))
    sql = "select run_id from marts.meta_refresh"
    _write(path, 1)
    assert published.read(path, sql).item() == 1
    assert published.query(sql).item() == 1

    # A publish: a complete copy swapped in while the first copy's attachment is held.
    # Opened by path, DuckDB would hand back the database still open in the process.
    _write(staged, 2)
    os.replace(staged, path)
    assert published.read(path, sql).item() == 2
    assert published.query(sql).item() == 2


def test_queries_on_one_version_share_one_attachment(tmp_path):
    path = tmp_path / "published.duckdb"
    _write(path, 7)
    version = (path.stat().st_ino, path.stat().st_mtime_ns)
    first = published._attached(str(path), version)
    assert published.read(path, "select count(*) from marts.meta_refresh").item() == 1
    assert published._attached(str(path), version) is first
    # Parameters reach DuckDB as parameters, on the shared attachment's cursor too.
    assert published.read(path, "select run_id from marts.meta_refresh where run_id = ?",
                          [7]).item() == 7
