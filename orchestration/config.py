"""Paths and the as-of date, read from the environment (see README: Configuration).

Relative defaults resolve against the repository root, so `ppa` works from any
working directory inside the repo; absolute env values may point anywhere.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = REPO_ROOT / "seeds"
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
DEMO_LANDING_DIR = SEEDS_DIR / "demo"


def _path(var: str, default: str) -> Path:
    value = os.environ.get(var) or default
    path = Path(value).expanduser()
    return path if path.is_absolute() else (REPO_ROOT / path)


def parse_as_of(value: str | None) -> dt.date:
    """The as-of date: an explicit YYYY-MM-DD, else PPA_AS_OF, else today."""
    value = value or os.environ.get("PPA_AS_OF")
    if not value:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"as-of date {value!r} is not a YYYY-MM-DD date") from exc


@dataclass(frozen=True)
class Paths:
    landing_dir: Path
    warehouse: Path
    published: Path
    dagster_home: Path

    @classmethod
    def from_env(cls) -> Paths:
        return cls(
            landing_dir=_path("PPA_LANDING_DIR", "data/landing"),
            warehouse=_path("PPA_WAREHOUSE", "data/warehouse.duckdb"),
            published=_path("PPA_PUBLISHED", "data/published.duckdb"),
            dagster_home=_path("DAGSTER_HOME", "data/dagster_home"),
        )
