"""Personal data is declared once (orchestration/ingest/schemas.py PERSONAL_DATA): the
raw tables hold those columns, the dbt sources describe exactly those as personal data,
no staging model selects them, and the publish guard recognises them."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import duckdb
import yaml

from orchestration.config import DBT_PROJECT_DIR, Paths
from orchestration.ingest.schemas import (
    PERSONAL_DATA,
    REJECTED_ROWS_COLUMNS,
    is_personal_data,
)
from orchestration.storage.warehouse import raw_table_columns

SOURCES = DBT_PROJECT_DIR / "models" / "staging" / "_sources.yml"


def test_every_declared_column_is_a_raw_column():
    for table, columns in PERSONAL_DATA.items():
        raw = REJECTED_ROWS_COLUMNS if table == "rejected_rows" else raw_table_columns(table)
        assert columns <= set(raw), table


def test_the_dbt_sources_describe_exactly_the_declared_columns_as_personal_data():
    (raw,) = yaml.safe_load(SOURCES.read_text())["sources"]
    described = {
        table["name"]: {c["name"] for c in table.get("columns", [])
                        if c.get("description", "").startswith("Personal data")}
        for table in raw["tables"]
    }
    assert {t: c for t, c in described.items() if c} == PERSONAL_DATA


def test_no_staging_model_selects_personal_data():
    for path in (DBT_PROJECT_DIR / "models" / "staging").glob("*.sql"):
        code = re.sub(r"--[^\n]*|\{#.*?#\}", "", path.read_text(), flags=re.DOTALL)
        words = set(re.findall(r"\w+", code))
        # child_birth_date is read once, to compute the age at removal, and not selected on.
        selected = {c for c in words if is_personal_data(c)} - {"child_birth_date"}
        assert not selected, f"{path.name} reads {selected}"


def test_the_publish_guard_knows_prefixed_names_but_not_lookalikes():
    assert is_personal_data("parent_first_name") and is_personal_data("pp_first_name")
    assert is_personal_data("NOTES") and is_personal_data("raw_record")
    assert not is_personal_data("site_name") and not is_personal_data("measure_name")


def _string_cells_holding(path: Path, names: list[str]) -> list[str]:
    """`table.column` of every text column of the file with a cell holding one of `names`."""
    found = []
    with duckdb.connect(str(path), read_only=True) as con:
        columns = con.sql("select table_schema, table_name, column_name from "
                          "information_schema.columns where data_type = 'VARCHAR'").fetchall()
        for schema, table, column in columns:
            [(hits,)] = con.sql(
                f'select count(*) from "{schema}"."{table}" where exists (select 1 from '
                f'unnest($names) as n(name) where contains("{column}", n.name))',
                params={"names": names}).fetchall()
            if hits:
                found.append(f"{table}.{column}")
    return found


def test_the_demo_runs_staff_names_are_in_the_staff_directory_only(demo_run):
    paths = Paths(landing_dir=Path(demo_run["PPA_LANDING_DIR"]),
                  warehouse=Path(demo_run["PPA_WAREHOUSE"]),
                  published=Path(demo_run["PPA_PUBLISHED"]),
                  dagster_home=Path(demo_run["DAGSTER_HOME"]))
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        roster = con.sql("select distinct pp_id, trim(first_name) || ' ' || trim(last_name) "
                         "from raw.parent_partners").fetchall()
    assert stat.S_IMODE(os.stat(paths.staff_directory).st_mode) == 0o640
    with duckdb.connect(str(paths.staff_directory), read_only=True) as con:
        directory = con.sql("select pp_id, display_name from staff.parent_partner").fetchall()
    assert {pp for pp, _ in directory} == {pp for pp, _ in roster}
    assert set(directory) <= set(roster)
    names = [name for _, name in directory]
    assert all(names)
    for published in (paths.published, paths.published_leadership):
        with duckdb.connect(str(published), read_only=True) as con:
            columns = {c for c, in con.sql(
                "select distinct column_name from information_schema.columns").fetchall()}
        assert not {c for c in columns if is_personal_data(c)}, published
        assert not columns & {"display_name", "pp_name"}, published
        assert not _string_cells_holding(published, names), published
