"""Read-only access to the published files: the only data the dashboards see.

Two files: the published marts (PPA_PUBLISHED) for the coordinators, and the leadership
publication (PPA_PUBLISHED_LEADERSHIP), which holds only the suppressed aggregates and the
reference tables leadership's pages read. Which file a session reads is the data-access
module's choice, by the viewer's role; what a file does not hold cannot leak from it.
Beside them the staff directory (PPA_STAFF_DIRECTORY): the Parent Partners' names, which
only the coordinators' pages read."""

from __future__ import annotations

import threading
from pathlib import Path

import duckdb
import polars as pl
import streamlit as st

from orchestration.config import REPO_ROOT, Paths

__all__ = ["REPO_ROOT", "published_path", "query", "query_staff", "read"]


def published_path(leadership: bool = False) -> Path:
    """PPA_PUBLISHED, or with `leadership` PPA_PUBLISHED_LEADERSHIP, resolved as `ppa`
    resolves them (orchestration/config.py)."""
    paths = Paths.from_env()
    return paths.published_leadership if leadership else paths.published


def query(sql: str, params: dict | list | None = None, *,
          leadership: bool = False) -> pl.DataFrame:
    """Run one query on the published file (with `leadership`, on the leadership
    publication), cached per file version.

    A publish swaps in a new file (`os.replace`): a new inode, so the cache key changes and
    the next query reads the new file; a cached answer is never one of a replaced file."""
    path = published_path(leadership)
    stat = path.stat()
    return _cached(str(path), stat.st_ino, stat.st_mtime_ns, sql, params)


def query_staff(sql: str, params: dict | list | None = None) -> pl.DataFrame | None:
    """Run one query on the staff directory, cached per file version as `query` is; None
    when there is none (the data was published before the directory existed)."""
    path = Paths.from_env().staff_directory
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return _cached(str(path), stat.st_ino, stat.st_mtime_ns, sql, params)


def read(path: Path, sql: str, params: dict | list | None = None) -> pl.DataFrame:
    """One query, uncached, on the copy of the file at `path` now (as `query` reads it)."""
    stat = path.stat()
    return _read(str(path), (stat.st_ino, stat.st_mtime_ns), sql, params)


@st.cache_data(max_entries=512, show_spinner=False)
def _cached(path: str, inode: int, mtime_ns: int, sql: str,
            params: dict | list | None) -> pl.DataFrame:
    return _read(path, (inode, mtime_ns), sql, params)


def _read(path: str, version: tuple[int, int], sql: str,
          params: dict | list | None) -> pl.DataFrame:
    cursor = _attached(path, version).cursor()
    try:
        cursor.execute(f"USE {_ALIAS}")
        return cursor.sql(sql, params=params).pl() if params else cursor.sql(sql).pl()
    finally:
        cursor.close()


# Opening the file costs about 20 ms, a query on an open one under 1 ms: each version of
# the published file is opened once and every query takes a cursor of it. The file is
# attached to a private in-memory database rather than opened by path, because DuckDB
# hands a second connect() to a path still open in the process the database already open
# there - the replaced file, not the one now at the path.
_ALIAS = "published"
_lock = threading.Lock()
_held: dict[str, tuple[tuple[int, int], duckdb.DuckDBPyConnection]] = {}


def _attached(path: str, version: tuple[int, int]) -> duckdb.DuckDBPyConnection:
    """The read-only attachment of this version of the file, opened on first use.

    A newer version replaces the held one, which is dropped rather than closed: a query
    still running on a cursor of it finishes, and the replaced file is let go with the last
    cursor. A publish never waits on a reader."""
    with _lock:
        held = _held.get(path)
        if held is None or held[0] != version:
            con = duckdb.connect()
            con.execute(f"ATTACH ? AS {_ALIAS} (READ_ONLY)", [path])
            held = _held[path] = (version, con)
        return held[1]
