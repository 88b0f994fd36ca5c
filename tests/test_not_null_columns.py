"""The `not_null_columns` data test (dbt_project/tests/generic/not_null_columns.sql): one
query per model for all its required columns. Its SQL as dbt compiles it for a real mart,
run on a copy of that mart's columns: it names each column holding a null and how many rows
do, and returns nothing when none does."""

from __future__ import annotations

import json

import duckdb
import pytest
from dbt.cli.main import dbtRunner

from orchestration.config import DBT_PROJECT_DIR

pytestmark = pytest.mark.slow

# A mart whose required columns include `group`, a reserved word the test must quote.
MODEL = "fct_reach_by_group"


@pytest.fixture(scope="module")
def compiled(tmp_path_factory) -> tuple[str, list[str], str]:
    """The compiled test, its columns and the relation it reads."""
    target = tmp_path_factory.mktemp("target")
    warehouse = target / "warehouse.duckdb"
    result = dbtRunner().invoke([
        "compile", "--quiet", "--project-dir", str(DBT_PROJECT_DIR),
        "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(target),
        "--select", f"test_name:not_null_columns,{MODEL}",
        "--vars", json.dumps({"warehouse_path": str(warehouse)}),
    ])
    assert result.success, result.exception
    manifest = json.loads((target / "manifest.json").read_text())
    (test,) = [node for node in manifest["nodes"].values()
               if node["resource_type"] == "test" and MODEL in node["depends_on"]["nodes"][0]
               and node["test_metadata"]["name"] == "not_null_columns"]
    columns = test["test_metadata"]["kwargs"]["columns"]
    sql = test["compiled_code"]
    model = manifest["nodes"][test["depends_on"]["nodes"][0]]
    return sql, columns, f'"{model["database"]}"."{model["schema"]}"."{model["alias"]}"'


def _findings(compiled, rows: list[dict]) -> dict[str, int]:
    sql, columns, relation = compiled
    database, schema, _ = (part.strip('"') for part in relation.split("."))
    with duckdb.connect() as con:
        con.execute(f"attach ':memory:' as \"{database}\"")
        con.execute(f'create schema "{database}"."{schema}"')
        definitions = ", ".join(f'"{column}" varchar' for column in columns)
        con.execute(f"create table {relation} ({definitions})")
        for row in rows:
            con.execute(f"insert into {relation} values ({', '.join('?' for _ in columns)})",
                        [row.get(column, "x") for column in columns])
        return dict(con.sql(sql).fetchall())


def test_the_mart_requires_several_columns_among_them_a_reserved_word(compiled):
    _, columns, _ = compiled
    assert "group" in columns and len(columns) > 3


def test_a_table_without_nulls_passes(compiled):
    assert _findings(compiled, [{}, {}]) == {}


def test_each_column_holding_a_null_is_named_with_its_count(compiled):
    _, columns, _ = compiled
    first, last = columns[0], columns[-1]
    rows = [{}, {"group": None}, {"group": None, last: None}, {first: None}]
    assert _findings(compiled, rows) == {"group": 2, last: 1, first: 1}
