"""The seed CSVs (`seeds/`) as Python reads them: program parameters and code lists.

dbt loads the same files as seeds, so ingestion, the generator and the tests read each
rule and code list from where the SQL reads it, never from a copy. No Dagster here:
`ingest` and `synthetic` import this module.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

from orchestration.config import SEEDS_DIR

PROGRAM_PARAMETERS = "program_parameters.csv"
CODE_LISTS = "code_lists.csv"


def read_seed(name: str, seeds_dir: Path = SEEDS_DIR) -> list[dict[str, str]]:
    """The rows of seeds/<name> as dicts of text (a broken seed raises: it is code)."""
    with open(Path(seeds_dir) / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@lru_cache(maxsize=8)
def program_parameters(seeds_dir: Path = SEEDS_DIR) -> dict[str, int]:
    """parameter -> value of seeds/program_parameters.csv (every value is a whole number)."""
    return {r["parameter"]: int(r["value"]) for r in read_seed(PROGRAM_PARAMETERS, seeds_dir)}


def program_parameter(name: str, seeds_dir: Path = SEEDS_DIR) -> int:
    """One program rule, e.g. program_parameter('max_activity_minutes') -> 720."""
    parameters = program_parameters(seeds_dir)
    if name not in parameters:
        raise KeyError(f"program parameter {name!r} is not in seeds/{PROGRAM_PARAMETERS}")
    return parameters[name]


def seed_column(name: str, column: str, seeds_dir: Path = SEEDS_DIR) -> tuple[str, ...]:
    """One column of a seed, in file order (e.g. the activity type codes)."""
    return tuple(r[column] for r in read_seed(name, seeds_dir))


@lru_cache(maxsize=8)
def code_lists(seeds_dir: Path = SEEDS_DIR) -> dict[tuple[str, str], tuple[str, ...]]:
    """(file kind, column) -> its allowed codes, in file order, from seeds/code_lists.csv:
    the code lists the landing-zone contract fixes (referral_source, exit_reason, ...)."""
    lists: dict[tuple[str, str], list[str]] = {}
    for row in read_seed(CODE_LISTS, seeds_dir):
        lists.setdefault((row["file_kind"], row["column_name"]), []).append(row["code"])
    return {key: tuple(codes) for key, codes in lists.items()}


def code_list(file_kind: str, column: str, seeds_dir: Path = SEEDS_DIR) -> tuple[str, ...]:
    """The allowed codes of one column of one landing file kind."""
    lists = code_lists(seeds_dir)
    if (file_kind, column) not in lists:
        raise KeyError(f"no code list for {file_kind}.{column} in seeds/{CODE_LISTS}")
    return lists[(file_kind, column)]
