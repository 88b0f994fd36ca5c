"""Quote- and semicolon-shaped values reach SQL only as bound values, never as SQL text.

Through the dashboards' data access (the query-string filters are in
tests/dashboards/test_query_string_injection.py), through `ppa` options and settings,
and through landing file names: each payload is refused as a value of the wrong type or
stored and shown as the text it is; no table changes.
"""

import ast
import datetime as dt
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from orchestration.cli import main
from orchestration.config import REPO_ROOT
from orchestration.defs.assets.publish import publish_marts
from orchestration.defs.assets.raw import ingest_files
from orchestration.ingest.discovery import discover

PPA = str(Path(sys.executable).parent / "ppa")
PAYLOADS = [
    "2024-08-01'; drop table marts.fct_pp_month; --",
    "x'); delete from raw.activity_rows; --",
    "S01\" or 1=1; --",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_an_as_of_payload_is_refused_before_anything_runs(tmp_path, payload):
    env = {
        "PPA_LANDING_DIR": str(REPO_ROOT / "seeds" / "demo"),
        "PPA_WAREHOUSE": str(tmp_path / "warehouse.duckdb"),
        "PPA_PUBLISHED": str(tmp_path / "published.duckdb"),
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
    }
    result = CliRunner().invoke(main, ["run", "--as-of", payload], env=env)
    assert result.exit_code == 1
    assert "ppa: error:" in result.output and payload in result.output
    assert not (tmp_path / "warehouse.duckdb").exists()
    checked = CliRunner().invoke(main, ["check", "--as-of", payload, str(tmp_path)], env=env)
    assert checked.exit_code == 2 and "--as-of" in checked.output


@pytest.fixture
def warehouse(tmp_path):
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    con.execute("create schema marts")
    con.execute("create table marts.fct_pp_month as select 'P1' as pp_id, 3 as active_families")
    yield con
    con.close()


def test_a_published_path_with_quotes_and_semicolons_is_a_path(warehouse, tmp_path):
    folder = tmp_path / "o'brien'; drop table marts.fct_pp_month; --"
    target = folder / "published.duckdb"
    counts = publish_marts(warehouse, target, dt.date(2024, 8, 1), "run-1")
    assert counts["fct_pp_month"] == 1
    assert sorted(p.name for p in folder.iterdir()) == ["published.duckdb"]
    with duckdb.connect(str(target), read_only=True) as con:
        assert con.execute("select * from marts.fct_pp_month").fetchall() == [("P1", 3)]
    assert warehouse.execute("select count(*) from marts.fct_pp_month").fetchall() == [(1,)]


def test_landing_file_names_with_sql_payloads_are_stored_as_text(tmp_path):
    landing = tmp_path / "landing"
    month = landing / "activity_forms" / "2024-03"
    month.mkdir(parents=True)
    source = next((REPO_ROOT / "seeds/demo/activity_forms/2024-03").glob("site_S02_export.csv"))
    names = ["x'); delete from raw.activity_rows; --.csv", "a\"; drop table raw.rejected_rows.csv"]
    for name in names:
        (month / name).write_bytes(source.read_bytes())
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    ingest_files(con, discover(landing), run_id="r'; --")
    files = con.execute("select file, run_id, rows_read from raw.ingested_files order by file")
    rows = files.fetchall()
    assert [r[0] for r in rows] == sorted(f"activity_forms/2024-03/{n}" for n in names)
    assert {r[1] for r in rows} == {"r'; --"}
    per_file = con.execute(
        "select _source_file, count(*) from raw.activity_rows group by 1 order by 1").fetchall()
    rejected = dict(con.execute(
        "select file, count(*) from raw.rejected_rows group by 1").fetchall())
    assert [(f, n + rejected.get(f, 0)) for f, n in per_file] == [(r[0], r[2]) for r in rows]

    result = CliRunner().invoke(main, ["check", *(str(month / n) for n in names)],
                                env={"PPA_WAREHOUSE": str(tmp_path / "none.duckdb")})
    for name in names:
        assert f"{month / name}: activity_rows, {rows[0][2]} rows read" in result.output


# --- the dashboards' data access: SQL text is built from constants only --------------

DATA_ACCESS = REPO_ROOT / "dashboards" / "data_access.py"


def _parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


# Functions whose SQL text depends on the viewer only through the role (which publication
# and which select list), built from their constant arguments and the disclosure
# definitions' column names: a call passing `viewer` and constants is constant text.
ROLE_ONLY = {"_shown"}


def _unsafe_interpolations(source: str) -> list[str]:
    """Every value formatted into an f-string that could reach SQL and is not built from
    the module's own constants (directly, through a local name every binding of which is
    built from them, or through a function called only with them)."""
    tree = ast.parse(source)
    parents = _parents(tree)
    constants = {
        t.id for node in tree.body if isinstance(node, ast.Assign)
        for t in node.targets if isinstance(t, ast.Name)
    }
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)]

    def function_of(node: ast.AST) -> ast.FunctionDef | None:
        while node in parents and not isinstance(node, ast.FunctionDef):
            node = parents[node]
        return node if isinstance(node, ast.FunctionDef) else None

    def constant_argument(call: ast.Call, argument: ast.AST) -> bool:
        if isinstance(argument, ast.Constant):
            return True
        if isinstance(argument, ast.Name) and argument.id in constants:
            return True
        if isinstance(argument, ast.Name) and argument.id == "viewer":
            return call.func.id in ROLE_ONLY
        return isinstance(argument, ast.JoinedStr) and all(
            not isinstance(part, ast.FormattedValue) or safe(part.value, argument)
            for part in argument.values)

    def constant_call(call: ast.Call) -> bool:
        return call.func.id in functions and all(
            constant_argument(call, a) for a in (*call.args, *(k.value for k in call.keywords)))

    def constant_parameter(name: str, node: ast.AST) -> bool:
        function = function_of(node)
        if function is None or name not in {a.arg for a in function.args.args}:
            return False
        callers = [c for c in calls if c.func.id == function.name]
        return bool(callers) and all(constant_call(c) for c in callers)

    def constant_local(name: str, node: ast.AST) -> bool:
        function = function_of(node)
        if function is None:
            return False
        bindings = [
            n.value for n in ast.walk(function) if isinstance(n, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == name for t in n.targets)
        ]
        rebound = any(
            isinstance(n, (ast.For, ast.AugAssign, ast.AnnAssign, ast.NamedExpr))
            and any(isinstance(t, ast.Name) and t.id == name for t in ast.walk(n.target))
            for n in ast.walk(function) if hasattr(n, "target"))
        return bool(bindings) and not rebound and all(safe(b, b) for b in bindings)

    def safe(value: ast.AST, where: ast.AST) -> bool:
        if isinstance(value, ast.Constant):
            return True
        if isinstance(value, ast.Name):
            return (value.id in constants or constant_parameter(value.id, where)
                    or constant_local(value.id, where))
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Name):
            return constant_call(value)
        if isinstance(value, ast.IfExp):
            return safe(value.body, where) and safe(value.orelse, where)
        if isinstance(value, ast.JoinedStr):
            return all(not isinstance(part, ast.FormattedValue) or safe(part.value, where)
                       for part in value.values)
        return False

    def not_sql(joined: ast.JoinedStr) -> bool:
        parent = parents.get(joined)
        # An exception's message, or a text compared with the SQL (`f"${name}" in sql`).
        return isinstance(parent, ast.Compare) or (
            isinstance(parent, ast.Call) and isinstance(parents.get(parent), ast.Raise))

    unsafe = []
    for joined in (n for n in ast.walk(tree) if isinstance(n, ast.JoinedStr)):
        if not_sql(joined):
            continue
        for part in joined.values:
            if isinstance(part, ast.FormattedValue) and not safe(part.value, joined):
                unsafe.append(f"line {part.value.lineno}: {ast.unparse(part.value)}")
    return unsafe


def test_the_data_access_formats_only_its_own_constants_into_sql():
    assert _unsafe_interpolations(DATA_ACCESS.read_text()) == []


def test_the_scan_finds_a_filter_formatted_into_sql():
    """The scan above can fail: a filter value formatted into a query is found."""
    leaky = DATA_ACCESS.read_text() + (
        "\n\ndef leaky(viewer, filters):\n"
        "    return query(f\"select * from marts.dim_site where site_id = '{filters.site_id}'\")\n"
    )
    assert _unsafe_interpolations(leaky) == [
        f"line {len(leaky.splitlines())}: filters.site_id"]


def test_ppa_run_refuses_a_payload_as_of_in_its_own_process(tmp_path):
    """The installed command, not only the click group: the same refusal, exit 1."""
    env = {"PATH": "/usr/bin:/bin", "PPA_LANDING_DIR": str(REPO_ROOT / "seeds" / "demo"),
           "PPA_WAREHOUSE": str(tmp_path / "w.duckdb"), "DAGSTER_HOME": str(tmp_path / "d")}
    result = subprocess.run([PPA, "run", "--as-of", PAYLOADS[0]], env=env, capture_output=True,
                            text=True, check=False, timeout=300)
    assert result.returncode == 1 and "ppa: error:" in result.stderr
    assert not (tmp_path / "w.duckdb").exists()
