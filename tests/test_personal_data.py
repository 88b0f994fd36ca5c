"""Personal data is declared once (orchestration/ingest/schemas.py PERSONAL_DATA): the
raw tables hold those columns, the dbt sources describe exactly those as personal data,
no staging model selects them, and the publish guard recognises them."""

from __future__ import annotations

import re

import yaml

from orchestration.config import DBT_PROJECT_DIR
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
