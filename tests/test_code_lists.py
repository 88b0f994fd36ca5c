"""The contract's code lists live in seeds/code_lists.csv. dbt's accepted_values tests
on those columns repeat them (a dbt test that reads the seed would run, in the first dbt
step, before the seed is built), so this test keeps every such list equal to the seed."""

from __future__ import annotations

import yaml

from orchestration.config import DBT_PROJECT_DIR
from orchestration.reference_data import code_lists

CODED_COLUMNS = {column: set(codes) for (_, column), codes in code_lists().items()}


def _accepted_values():
    for path in (DBT_PROJECT_DIR / "models").rglob("*.yml"):
        for model in (yaml.safe_load(path.read_text()) or {}).get("models", []):
            for column in model.get("columns", []):
                for test in column.get("data_tests", []):
                    if isinstance(test, dict) and "accepted_values" in test:
                        values = test["accepted_values"]["arguments"]["values"]
                        yield f"{model['name']}.{column['name']}", column["name"], values


def test_every_accepted_values_list_of_a_coded_column_is_the_seeds():
    checked = 0
    for where, column, values in _accepted_values():
        if column in CODED_COLUMNS:
            assert set(values) == CODED_COLUMNS[column], where
            checked += 1
    assert checked >= 9
