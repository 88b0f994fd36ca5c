"""The publish step: marts only, atomic replacement, no personal data."""

import datetime as dt

import duckdb
import pytest

from orchestration.defs.assets.publish import PublishError, publish_marts, read_meta_refresh


@pytest.fixture
def warehouse(tmp_path):
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    con.execute("create schema raw")
    con.execute("create table raw.activity_rows as select 'P1' as pp_id, 'secret' as notes")
    con.execute("create schema marts")
    con.execute("create table marts.fct_pp_month as select 'P1' as pp_id, 3 as active_families")
    con.execute("create table marts.dq_rejected_rows as select 'f.csv' as file, 2 as row_number")
    yield con
    con.close()


def published_tables(path):
    with duckdb.connect(str(path), read_only=True) as con:
        return con.sql(
            "select table_schema || '.' || table_name from information_schema.tables order by 1"
        ).fetchall()


def test_publishes_only_marts_with_refresh_metadata(warehouse, tmp_path):
    target = tmp_path / "out" / "published.duckdb"
    counts = publish_marts(warehouse, target, dt.date(2025, 3, 31), "run-1")
    assert counts == {"dq_rejected_rows": 1, "fct_pp_month": 1}
    assert published_tables(target) == [
        ("marts.dq_rejected_rows",), ("marts.fct_pp_month",), ("marts.meta_refresh",)
    ]
    as_of, refreshed = read_meta_refresh(target)
    assert as_of == dt.date(2025, 3, 31)
    assert isinstance(refreshed, dt.datetime)


def test_republishing_replaces_the_file_and_leaves_no_temporary(warehouse, tmp_path):
    target = tmp_path / "published.duckdb"
    publish_marts(warehouse, target, dt.date(2025, 3, 31), "run-1")
    reader = duckdb.connect(str(target), read_only=True)  # a dashboard reading meanwhile
    warehouse.execute("insert into marts.fct_pp_month values ('P2', 16)")
    publish_marts(warehouse, target, dt.date(2025, 4, 30), "run-2")
    assert reader.sql("select count(*) from marts.fct_pp_month").fetchall() == [(1,)]
    reader.close()
    with duckdb.connect(str(target), read_only=True) as con:
        assert con.sql("select count(*) from marts.fct_pp_month").fetchall() == [(2,)]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_refuses_to_publish_personal_data(warehouse, tmp_path):
    warehouse.execute("create table marts.leaky as select 'Ann' as parent_first_name")
    target = tmp_path / "published.duckdb"
    with pytest.raises(PublishError, match="leaky.parent_first_name"):
        publish_marts(warehouse, target, dt.date(2025, 3, 31), "run-1")
    assert not target.exists()
