"""The publish step: the marts pages read and nothing else, atomic replacement, no personal
data, a file its owner and group alone may read."""

import datetime as dt
import os
import re
import stat
from pathlib import Path

import duckdb
import polars as pl
import pytest

from orchestration.config import REPO_ROOT
from orchestration.defs.assets.publish import (
    PublishError,
    publish_marts,
    publish_staff_directory,
    read_meta_refresh,
)
from orchestration.disclosure.definitions import FILES_BY_KIND
from orchestration.storage.published_tables import PUBLISHED_TABLES


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


# --- what the published file holds, and who may read it --------------------------------

def table_names(path, schema="marts") -> set[str]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {t for t, in con.sql("select table_name from information_schema.tables "
                                    "where table_schema = ?", params=[schema]).fetchall()}


def test_the_allow_list_is_what_the_pages_read():
    named = set()
    for path in (REPO_ROOT / "dashboards").rglob("*.py"):
        named |= set(re.findall(r"\bmarts\.(\w+)", path.read_text()))
    # Leadership's files by kind are in the leadership publication only.
    assert named == PUBLISHED_TABLES | {FILES_BY_KIND.name}


def test_a_mart_no_page_reads_stays_in_the_warehouse(warehouse, tmp_path):
    warehouse.execute(
        "create table marts.fct_child_episode_outcome as select 'E1' as episode_id, "
        "'C1' as child_id, 'comparison_pool' as study_group")
    target = tmp_path / "published.duckdb"
    counts = publish_marts(warehouse, target, dt.date(2025, 3, 31), "run-1")
    assert set(counts) == {"dq_rejected_rows", "fct_pp_month"}
    assert table_names(target) == {"dq_rejected_rows", "fct_pp_month", "meta_refresh"}


def test_a_table_of_the_publish_step_no_page_reads_is_refused(warehouse, tmp_path):
    target = tmp_path / "published.duckdb"
    with pytest.raises(PublishError, match="no page reads: extra_detail"):
        publish_marts(warehouse, target, dt.date(2025, 3, 31), "run-1",
                      extra_tables={"extra_detail": pl.DataFrame({"x": [1]})})
    assert not target.exists()


def test_the_published_file_is_readable_by_its_owner_and_group_only(warehouse, tmp_path):
    target = tmp_path / "published.duckdb"
    publish_marts(warehouse, target, dt.date(2025, 3, 31), "run-1")
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640
    publish_marts(warehouse, target, dt.date(2025, 4, 30), "run-2")
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_the_demo_runs_published_file_holds_what_pages_read_and_no_child_record(demo_run):
    published, warehouse = Path(demo_run["PPA_PUBLISHED"]), Path(demo_run["PPA_WAREHOUSE"])
    assert stat.S_IMODE(os.stat(published).st_mode) == 0o640
    assert table_names(published) == PUBLISHED_TABLES
    # The warehouse keeps the children's episodes, the comparison pool's among them.
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.sql("select count(*) from marts.fct_child_episode_outcome "
                       "where study_group = 'comparison_pool'").fetchall()[0][0] > 0
    with duckdb.connect(str(published), read_only=True) as con:
        schemas = {s for s, in con.sql(
            "select distinct table_schema from information_schema.tables").fetchall()}
        columns = {c for c, in con.sql(
            "select distinct column_name from information_schema.columns").fetchall()}
    assert schemas == {"marts"}
    assert not columns & {"child_id", "episode_id", "study_group", "removal_date",
                          "discharge_date", "maltreatment_12m"}


# --- the staff directory: the Parent Partners' names, beside the published file -----------

ROSTER = [  # pp_id, site_id, first_name, last_name, extract_date, file, row
    ("P1", "S1", "Ann", "Old", "2024-01-31", "roster_2024-01.csv", 2),
    ("P1", "S2", " Ann ", "Smith ", "2024-06-30", "roster_2024-06.csv", 2),
    ("P2", "S1", "", None, "2024-06-30", "roster_2024-06.csv", 3),
    ("P3", "S2", "Bo", None, "2024-06-30", "roster_2024-06.csv", 4),
]


@pytest.fixture
def roster(warehouse):
    warehouse.execute(
        "create table raw.parent_partners (pp_id varchar, site_id varchar, first_name varchar, "
        "last_name varchar, extract_date date, _source_file varchar, _row_number integer, "
        "_ingested_at timestamp)")
    warehouse.executemany("insert into raw.parent_partners values (?, ?, ?, ?, ?, ?, ?, "
                          "timestamp '2024-07-01 06:00')", ROSTER)
    return warehouse


def test_the_staff_directory_holds_each_partners_newest_roster_name(roster, tmp_path):
    target = tmp_path / "published_staff.duckdb"
    assert publish_staff_directory(roster, target) == 3
    assert published_tables(target) == [("staff.parent_partner",)]
    with duckdb.connect(str(target), read_only=True) as con:
        rows = con.sql("select pp_id, site_id, display_name from staff.parent_partner "
                       "order by pp_id").fetchall()
    assert rows == [("P1", "S2", "Ann Smith"), ("P2", "S1", None), ("P3", "S2", "Bo")]
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_the_staff_directory_is_replaced_whole_or_not_at_all(roster, tmp_path):
    target = tmp_path / "published_staff.duckdb"
    publish_staff_directory(roster, target)
    roster.execute("alter table raw.parent_partners drop column first_name")
    with pytest.raises(duckdb.BinderException):
        publish_staff_directory(roster, target)
    with duckdb.connect(str(target), read_only=True) as con:
        assert con.sql("select count(*) from staff.parent_partner").fetchall() == [(3,)]
