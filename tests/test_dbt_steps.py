"""The pipeline builds the dbt project in four steps (orchestration/defs/assets/dbt.py). dbt
picks a step's tests from its selection, so a test with two parents (a relationship, a
code list, a program parameter) could run before one of its parents is built, or never.
This asks dbt itself which nodes each step's `dbt build` runs, with the steps' own
select/exclude, and checks every data test runs exactly once, after all of its parents are
built, and no unit test runs in a run (tests/test_dbt_unit_tests.py runs them)."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from dagster_dbt.asset_utils import (
    DAGSTER_DBT_EXCLUDE_METADATA_KEY,
    DAGSTER_DBT_SELECT_METADATA_KEY,
)
from dbt.cli.main import dbtRunner

from orchestration.config import DBT_PROJECT_DIR
from orchestration.defs.assets.dbt import RUN_EXCLUDES, dbt_definitions

pytestmark = pytest.mark.slow


def _step_nodes(tmp_path) -> list[list[str]]:
    runner = dbtRunner()
    steps = []
    for definition in dbt_definitions:
        tags = definition.op.tags
        args = ["ls", "--quiet", "--output", "json",
                "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
                "--target-path", str(tmp_path), "--select", tags[DAGSTER_DBT_SELECT_METADATA_KEY],
                *RUN_EXCLUDES]
        if tags.get(DAGSTER_DBT_EXCLUDE_METADATA_KEY):
            args += ["--exclude", tags[DAGSTER_DBT_EXCLUDE_METADATA_KEY]]
        result = runner.invoke(args)
        assert result.success, result.exception
        steps.append([json.loads(line)["unique_id"] for line in result.result])
    return steps


def test_every_test_runs_once_after_all_its_parents(tmp_path):
    steps = _step_nodes(tmp_path)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    tests = {k: v for k, v in manifest["nodes"].items() if v["resource_type"] == "test"}
    unit_tests = set(manifest.get("unit_tests", {}))
    assert unit_tests, "the project has unit tests"
    assert unit_tests.isdisjoint(node for nodes in steps for node in nodes)

    built: set[str] = set()
    too_early = []
    for number, nodes in enumerate(steps, start=1):
        here = set(nodes)
        for node in here & tests.keys():
            parents = {p for p in tests[node]["depends_on"]["nodes"]
                       if not p.startswith("source.")}
            if parents - here - built:
                too_early.append((number, node, sorted(parents - here - built)))
        built |= here
    assert not too_early, too_early

    runs = Counter(node for nodes in steps for node in nodes)
    assert sorted(tests.keys() - runs.keys()) == []
    assert [node for node, count in runs.items() if count > 1] == []
    # The checks above hold of any split; this one that the split is the one described.
    assert "seed.parent_partner_analytics.code_lists" in steps[0]
    assert any(".in_code_list_stg_invoices_" in node for node in steps[0])
