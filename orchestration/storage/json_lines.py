"""Append-only JSON-lines records (failed runs, packet deliveries): small files that a
sensor, a run and the command line may append to at once.

Writers hold an exclusive lock on the file while they append (and, past a given size,
keep only the newest records), so two writers at once neither interleave nor
lose a line; appending never waits on the warehouse's DuckDB write lock.
"""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path


def append_record(path: Path, record: dict, max_bytes: int, keep: int) -> None:
    """Append `record` as one line; past `max_bytes`, keep the newest `keep` lines."""
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(record, default=str, sort_keys=True) + "\n"
    with path.open("a+", encoding="utf-8") as out:
        fcntl.flock(out, fcntl.LOCK_EX)
        try:
            out.write(line)
            out.flush()
            if out.tell() > max_bytes:
                _keep_newest(out, keep)
        finally:
            fcntl.flock(out, fcntl.LOCK_UN)


def read_records(path: Path) -> list[dict]:
    """Every record, in the order written (none when the file does not exist)."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def _keep_newest(locked, keep: int) -> None:
    """Rewrite the file in place with its newest `keep` lines (the caller holds the
    lock; the file is truncated and written through the same open file)."""
    locked.seek(0)
    lines = [line for line in locked.read().splitlines(keepends=True) if line.strip()]
    locked.seek(0)
    locked.truncate()
    locked.writelines(lines[-keep:])
    locked.flush()
    os.fsync(locked.fileno())
