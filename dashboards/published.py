"""Read-only access to the published warehouse: the only data the dashboards see."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import streamlit as st

from orchestration.config import REPO_ROOT, Paths

__all__ = ["REPO_ROOT", "published_path", "query"]


def published_path() -> Path:
    """PPA_PUBLISHED, resolved as `ppa` resolves it (orchestration/config.py)."""
    return Paths.from_env().published


def query(sql: str, params: dict | list | None = None) -> pl.DataFrame:
    """Run one query on the published file, cached per file version.

    A publish swaps in a new file (`os.replace`): a new inode, so the cache key changes and
    the next query reads the new file; a cached answer is never one of a replaced file.
    Each miss opens a fresh read-only connection, so a publish never waits on a reader and
    no connection holds on to a replaced file."""
    path = published_path()
    stat = path.stat()
    return _cached(str(path), stat.st_ino, stat.st_mtime_ns, sql, params)


@st.cache_data(max_entries=512, show_spinner=False)
def _cached(path: str, inode: int, mtime_ns: int, sql: str,
            params: dict | list | None) -> pl.DataFrame:
    with duckdb.connect(path, read_only=True) as con:
        return con.sql(sql, params=params).pl() if params else con.sql(sql).pl()
