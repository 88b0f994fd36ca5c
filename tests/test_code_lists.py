"""The contract's code lists live in seeds/code_lists.csv only. dbt tests a coded column
with `in_code_list` (dbt_project/tests/generic/in_code_list.sql), which reads the seed;
no YAML repeats a list as `accepted_values`."""

from __future__ import annotations

import yaml

from orchestration.config import DBT_PROJECT_DIR
from orchestration.reference_data import code_lists

CODED_COLUMNS = {column for (_, column) in code_lists()}


def _column_tests():
    for path in (DBT_PROJECT_DIR / "models").rglob("*.yml"):
        for model in (yaml.safe_load(path.read_text()) or {}).get("models", []):
            for column in model.get("columns", []):
                for test in column.get("data_tests", []):
                    if isinstance(test, dict):
                        (name, config), = test.items()
                        yield model["name"], column["name"], name, config.get("arguments", {})


def test_no_yaml_repeats_a_code_list():
    repeated = [f"{model}.{column}" for model, column, name, _ in _column_tests()
                if name == "accepted_values" and column in CODED_COLUMNS]
    assert repeated == []


def test_every_code_list_is_tested_where_it_is_staged():
    tested = {(arguments["file_kind"], arguments.get("code_column") or column): model
              for model, column, name, arguments in _column_tests() if name == "in_code_list"}
    assert set(tested) == set(code_lists())
    assert all(model.startswith("stg_") for model in tested.values())
