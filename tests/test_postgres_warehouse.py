"""The whole warehouse on PostgreSQL gives the same marts as on DuckDB.

`ppa run` on the demo landing zone twice - once with the DuckDB warehouse (the suite's
shared demo run, tests/conftest.py, with its hostile and misplaced files), once with
PPA_WAREHOUSE_TARGET=postgres on the same landing zone against a private server this
module starts - then every mart table is compared: the same tables, the same columns, the
same rows in any order, numbers equal within 1e-9 relative. The PostgreSQL run's published
DuckDB file (copied from PostgreSQL's marts) must hold the same marts, those the pages read.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import subprocess
from pathlib import Path

import duckdb
import polars as pl
import psycopg
import pytest
import warm_ppa
from pipeline_run import DEMO_AS_OF as AS_OF  # the shared demo run's date, compared with
from postgres_server import create_database, server_for_tests

from orchestration.defs.assets.publish import publish_staff_directory
from orchestration.storage.postgres import PostgresConnection, connect
from orchestration.storage.published_tables import PUBLISHED_MARTS, PUBLISHED_TABLES

pytestmark = pytest.mark.slow

REL_TOL = 1e-9
# Columns that name the run or the moment of ingestion, not the data: two runs differ there.
RUN_COLUMNS = {"run_id", "ingested_at", "_ingested_at", "_run_id"}


@pytest.fixture(scope="module")
def server():
    yield from server_for_tests()


def _run(root: Path, landing: str, extra_env: dict[str, str]) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "PPA_LANDING_DIR": landing,
        "PPA_WAREHOUSE": str(root / "warehouse.duckdb"),
        "PPA_PUBLISHED": str(root / "published.duckdb"),
        "DAGSTER_HOME": str(root / "dagster_home"),
        **extra_env,
    }
    for name in ("PPA_ALERT_WEBHOOK", "PPA_WAREHOUSE_TARGET", "PPA_POSTGRES_DSN"):
        if name not in extra_env:
            env.pop(name, None)
    return warm_ppa.run(["run", "--as-of", AS_OF], env=env, cwd="/")


@pytest.fixture(scope="module")
def runs(server, demo_run, tmp_path_factory):
    """(DuckDB run's folder, PostgreSQL run's folder, the PostgreSQL warehouse's DSN). The
    DuckDB run is the shared demo run (its warehouse and published file in one folder)."""
    dsn = create_database(server, "warehouse")
    pg_root = tmp_path_factory.mktemp("postgres_run")
    pg = _run(pg_root, demo_run["PPA_LANDING_DIR"],
              {"PPA_WAREHOUSE_TARGET": "postgres", "PPA_POSTGRES_DSN": dsn})
    assert pg.returncode == 0, pg.stderr[-3000:]
    duck_root = Path(demo_run["PPA_WAREHOUSE"]).parent
    assert duck_root == Path(demo_run["PPA_PUBLISHED"]).parent
    return duck_root, pg_root, dsn


def _duckdb_marts(path: Path) -> dict[str, pl.DataFrame]:
    with duckdb.connect(str(path), read_only=True) as con:
        tables = [r[0] for r in con.sql(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()]
        return {t: con.sql(f'select * from marts."{t}"').pl() for t in tables}


def _postgres_marts(dsn: str) -> dict[str, pl.DataFrame]:
    with psycopg.connect(dsn, autocommit=True) as raw:
        con = PostgresConnection(raw)
        tables = [r[0] for r in con.sql(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()]
        return {t: con.sql(f'select * from marts."{t}"').pl() for t in tables}


def _comparable(frame: pl.DataFrame, floats: set[str]) -> pl.DataFrame:
    """Run columns dropped, numeric columns that are floats on either side as Float64,
    rows sorted: exact columns first, so rows differing only in float noise stay aligned."""
    frame = frame.select(sorted(c for c in frame.columns if c not in RUN_COLUMNS))
    frame = frame.with_columns([pl.col(c).cast(pl.Float64) for c in floats if c in frame.columns])
    exact = [c for c in frame.columns if c not in floats]
    return frame.sort(exact + sorted(floats & set(frame.columns)), nulls_last=True)


def _differences(table: str, ours: pl.DataFrame, theirs: pl.DataFrame) -> list[str]:
    if sorted(ours.columns) != sorted(theirs.columns):
        return [f"{table}: columns {sorted(ours.columns)} != {sorted(theirs.columns)}"]
    if ours.height != theirs.height:
        return [f"{table}: {ours.height} rows on DuckDB, {theirs.height} on PostgreSQL"]
    floats = {c for c in ours.columns
              if ours[c].dtype.is_float() or theirs[c].dtype.is_float()
              or (ours[c].dtype.is_numeric() and ours[c].dtype != theirs[c].dtype)}
    ours, theirs = _comparable(ours, floats), _comparable(theirs, floats)
    problems = []
    for column in ours.columns:
        left, right = ours[column].to_list(), theirs[column].to_list()
        for row, (a, b) in enumerate(zip(left, right, strict=True)):
            same = (a == b or (a is None and b is None)) if column not in floats else (
                (a is None and b is None)
                or (a is not None and b is not None and math.isclose(a, b, rel_tol=REL_TOL,
                                                                       abs_tol=1e-12))
            )
            if not same:
                problems.append(f"{table}.{column} row {row}: DuckDB {a!r}, PostgreSQL {b!r}")
                break
    return problems


def test_every_mart_on_postgres_equals_duckdb(runs):
    duck_root, _, dsn = runs
    duck = _duckdb_marts(duck_root / "warehouse.duckdb")
    pg = _postgres_marts(dsn)
    assert len(duck) > 20
    assert sorted(pg) == sorted(duck)
    assert sum(frame.height for frame in duck.values()) > 1000
    problems = [p for t in sorted(duck) for p in _differences(t, duck[t], pg[t])]
    assert not problems, "\n".join(problems[:30])


def test_raw_on_postgres_accounts_for_every_row(runs):
    duck_root, _, dsn = runs
    query = ("select file, sha256, rows_read, rows_accepted, rows_rejected, status "
             "from raw.ingested_files order by file, sha256")
    with duckdb.connect(str(duck_root / "warehouse.duckdb"), read_only=True) as con:
        expected = con.sql(query).fetchall()
        rejected = con.sql("select count(*) from raw.rejected_rows").fetchall()[0][0]
    with psycopg.connect(dsn) as con:
        assert con.execute(query).fetchall() == expected
        assert con.execute("select count(*) from raw.rejected_rows").fetchone()[0] == rejected
        assert con.execute("select count(*) from raw.unrecognised_files").fetchone()[0] >= 0
    assert rejected > 0


def test_the_postgres_run_publishes_its_marts_to_duckdb(runs):
    _, pg_root, dsn = runs
    published = _duckdb_marts(pg_root / "published.duckdb")
    pg = {t: frame for t, frame in _postgres_marts(dsn).items() if t in PUBLISHED_MARTS}
    assert set(published) == PUBLISHED_TABLES and set(pg) == PUBLISHED_MARTS
    for table, frame in pg.items():
        assert published[table].height == frame.height, table
        assert published[table].columns == frame.columns, table
    with duckdb.connect(str(pg_root / "published.duckdb"), read_only=True) as con:
        assert con.sql("select as_of_date::varchar from marts.meta_refresh").fetchall() == [
            (AS_OF,)
        ]


def _published_types(path: Path) -> dict[tuple[str, str], str]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {(t, c): d for t, c, d in con.sql(
            "select table_name, column_name, data_type from information_schema.columns "
            "where table_schema = 'marts'"
        ).fetchall()}


def test_both_warehouses_publish_the_same_column_types(runs):
    """The dashboards read the published file whichever warehouse built it."""
    duck_root, pg_root, _ = runs
    duck, pg = _published_types(duck_root / "published.duckdb"), _published_types(
        pg_root / "published.duckdb")
    assert sorted(duck) == sorted(pg)
    differing = [f"{t}.{c}: DuckDB {duck[t, c]}, PostgreSQL {pg[t, c]}"
                 for t, c in sorted(duck) if duck[t, c] != pg[t, c]]
    assert not differing, "\n".join(differing)


def test_a_second_postgres_run_changes_nothing(runs, demo_run):
    _, pg_root, dsn = runs
    before = _postgres_marts(dsn)
    with psycopg.connect(dsn) as con:
        files_before = con.execute("select count(*) from raw.ingested_files").fetchone()[0]
    again = _run(pg_root, demo_run["PPA_LANDING_DIR"],
                 {"PPA_WAREHOUSE_TARGET": "postgres", "PPA_POSTGRES_DSN": dsn})
    assert again.returncode == 0, again.stderr[-3000:]
    after = _postgres_marts(dsn)
    with psycopg.connect(dsn) as con:
        assert con.execute("select count(*) from raw.ingested_files").fetchone()[0] == files_before
    problems = [p for t in sorted(before) for p in _differences(t, before[t], after[t])]
    assert not problems, "\n".join(problems[:30])


def test_copy_keeps_nulls_empty_strings_quotes_and_line_breaks(server):
    dsn = create_database(server, "copy_check")
    frame = pl.DataFrame(
        {
            "text": [None, "", 'say "hi", then\nleave', "Ã©\\N"],
            "day": [None, dt.date(2024, 2, 29), dt.date(2024, 1, 1), dt.date(2023, 12, 31)],
            "at": [dt.datetime(2024, 1, 1, 8, 30, 0, 123456), None,
                   dt.datetime(2024, 1, 1), dt.datetime(2024, 6, 1, 23, 59, 59)],
            "n": [1, None, -3, 2**40],
            "x": [0.1, None, 1e-300, -2.5],
            "flag": [True, False, None, True],
        },
        schema={"text": pl.String, "day": pl.Date, "at": pl.Datetime("us"), "n": pl.Int64,
                "x": pl.Float64, "flag": pl.Boolean},
    )
    with connect(dsn) as con:
        con.execute("create table t (text varchar, day date, at timestamp, n bigint, "
                    "x double precision, flag boolean)")
        con.copy_frame("t", frame)
        back = con.sql("select * from t").pl()
    assert back.equals(frame)


def test_the_staff_directory_reads_the_same_from_either_warehouse(server, tmp_path):
    """The publish step reads the roster's names with one query on either database."""
    roster = ("create table raw.parent_partners (pp_id varchar, site_id varchar, "
              "first_name varchar, last_name varchar, extract_date date, "
              "_source_file varchar, _row_number integer, _ingested_at timestamp)")
    rows = [("P1", "S1", "Ann", "Old", dt.date(2024, 1, 31), "a.csv", 2),
            ("P1", "S2", " Ann ", "Smith ", dt.date(2024, 6, 30), "b.csv", 2),
            ("P2", "S1", "", None, dt.date(2024, 6, 30), "b.csv", 3)]
    insert = "insert into raw.parent_partners values ({}, timestamp '2024-07-01 06:00')"
    with connect(create_database(server, "staff_check")) as con:
        con.execute("create schema raw")
        con.execute(roster)
        con.connection.cursor().executemany(insert.format(", ".join(["%s"] * 7)), rows)
        publish_staff_directory(con, tmp_path / "from_postgres.duckdb")
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        con.execute("create schema raw")
        con.execute(roster)
        con.executemany(insert.format(", ".join(["?"] * 7)), rows)
        publish_staff_directory(con, tmp_path / "from_duckdb.duckdb")
    read = {}
    for name in ("from_postgres", "from_duckdb"):
        with duckdb.connect(str(tmp_path / f"{name}.duckdb"), read_only=True) as con:
            read[name] = con.sql("select * from staff.parent_partner order by pp_id").pl()
    assert read["from_postgres"].equals(read["from_duckdb"])
    assert read["from_duckdb"].rows() == [("P1", "S2", "Ann Smith"), ("P2", "S1", None)]
