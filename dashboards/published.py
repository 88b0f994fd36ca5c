"""Read-only access to the published warehouse: the only data the dashboards see."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import polars as pl

REPO_ROOT = Path(__file__).resolve().parent.parent


def resolve_repo_path(value: str) -> Path:
    """Relative paths resolve against the repository root, as in `ppa` itself."""
    path = Path(value).expanduser()
    return path if path.is_absolute() else REPO_ROOT / path


def published_path() -> Path:
    return resolve_repo_path(os.environ.get("PPA_PUBLISHED") or "data/published.duckdb")


def query(sql: str, params: list | None = None) -> pl.DataFrame:
    """Run one query on a fresh read-only connection: a publish never waits on a reader."""
    with duckdb.connect(str(published_path()), read_only=True) as con:
        return con.sql(sql, params=params).pl() if params else con.sql(sql).pl()
