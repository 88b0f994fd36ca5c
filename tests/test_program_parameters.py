"""The program's rules live in seeds/program_parameters.csv only: every name the SQL or
Python reads is defined there, every defined rule is read, and no rule is left as a
literal in the SQL that the seed would then silently disagree with."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from orchestration.config import DBT_PROJECT_DIR, REPO_ROOT
from orchestration.defs.dbt_manifest import project_files
from orchestration.reference_data import program_parameter, program_parameters, read_seed

SQL_READ = re.compile(r"program_parameter\(\s*'(\w+)'\s*\)")
YAML_READ = re.compile(r"(?:min|max)_parameter:\s*(\w+)")
PYTHON_READ = re.compile(r"program_parameter\(\s*[\"'](\w+)[\"']\s*\)")


def _texts(root: Path, pattern: str) -> dict[Path, str]:
    return {path: path.read_text() for path in root.rglob(pattern)}


def _dbt_texts(suffix: str) -> dict[Path, str]:
    """The dbt project's own files, as a parse reads them: never its output folders, which
    the runs of other test workers add to and prune while this reads (an rglob that listed
    a run folder being removed failed with FileNotFoundError)."""
    return {path: path.read_text() for path in project_files(DBT_PROJECT_DIR)
            if path.suffix == suffix}


def _names_read() -> set[str]:
    names: set[str] = set()
    for text in _dbt_texts(".sql").values():
        names |= set(SQL_READ.findall(text))
    for text in _dbt_texts(".yml").values():
        names |= set(YAML_READ.findall(text))
    for text in _texts(REPO_ROOT / "orchestration", "*.py").values():
        names |= set(PYTHON_READ.findall(text))
    return names


def test_the_seed_has_one_whole_number_per_rule_with_its_words():
    rows = read_seed("program_parameters.csv")
    names = [r["parameter"] for r in rows]
    assert len(names) == len(set(names))
    for row in rows:
        assert int(row["value"]) > 0
        assert row["unit"] and row["description"] and row["source"]


def test_every_rule_read_is_defined_and_every_defined_rule_is_read():
    assert _names_read() == set(program_parameters())


@pytest.mark.parametrize(("literal", "where"), [
    (r"active_families\s*(<=|>)\s*\d", "the caseload limit"),
    (r"face_to_face_contacts\s*>=\s*\d", "initial-intensity contacts"),
    (r"match_month_index\s*<=\s*\d", "initial-intensity months"),
    (r"total_minutes\s*>=\s*\d", "monthly minutes"),
    (r"add_days\('[^']*',\s*-?\d+\)", "a window or lag in days"),
    (r"add_months\([^)]*\),\s*\d+\)", "the form due day"),
])
def test_no_rule_is_a_literal_in_the_sql(literal, where):
    offending = [
        str(path.relative_to(DBT_PROJECT_DIR))
        for path, text in _dbt_texts(".sql").items()
        # The CFSR indicators and the child-episode outcomes follow federal and
        # study definitions (12 and 24 months, 8-day short stays), not program rules.
        if not path.name.startswith(("int_cfsr_", "fct_cfsr_indicator", "fct_child_episode_outcome"))
        and re.search(literal, text)
    ]
    assert not offending, f"{where} is written as a literal in {offending}"


def test_unknown_parameter_names_the_seed():
    with pytest.raises(KeyError, match="program_parameters.csv"):
        program_parameter("caseload_limt")
