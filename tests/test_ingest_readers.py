"""Who reads a run's files changes nothing but speed: processes ingest what threads do,
a reader process dies with its run, and a large batch is never held beside the next."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from orchestration.config import REPO_ROOT
from orchestration.defs.assets.raw import activity_reference, ingest_files
from orchestration.ingest import readers
from orchestration.ingest.batch import read_batches
from orchestration.ingest.discovery import discover
from orchestration.ingest.schemas import ACTIVITY_ROWS

DEMO = REPO_ROOT / "seeds" / "demo"
STAMPS = {"_run_id", "_ingested_at", "run_id", "ingested_at"}


def _raw_tables(con) -> dict[str, list[tuple]]:
    tables = {}
    for (table,) in con.sql("select table_name from information_schema.tables "
                            "where table_schema = 'raw' order by 1").fetchall():
        columns = [c for (c,) in con.execute(
            "select column_name from information_schema.columns where table_schema = 'raw' "
            "and table_name = ? order by ordinal_position", [table]).fetchall()
            if c not in STAMPS]
        listed = ", ".join(f'"{c}"' for c in columns)
        tables[table] = con.sql(f"select {listed} from raw.{table} order by all").fetchall()
    return tables


def test_reader_processes_ingest_exactly_what_threads_do(tmp_path, monkeypatch):
    files = discover(DEMO)
    started = []

    class Counted(readers._Reader):
        def __init__(self):
            started.append(self)
            super().__init__()

    monkeypatch.setattr(readers, "_Reader", Counted)
    ingested = {}
    for way, fewest in (("threads", 10**9), ("processes", 1)):
        monkeypatch.setattr(readers, "PROCESS_READ_FILES", fewest)
        with duckdb.connect(str(tmp_path / f"{way}.duckdb")) as con:
            ingest_files(con, [f for f in files if f.kind is not ACTIVITY_ROWS], run_id=way)
            counts = ingest_files(con, [f for f in files if f.kind is ACTIVITY_ROWS],
                                  run_id=way, reference=activity_reference(con, dt.date(2024, 8, 1)))
            ingested[way] = (counts, _raw_tables(con))
    assert len(started) == 2 * (os.cpu_count() or 1)  # two ingestions, by processes
    counts, tables = ingested["threads"]
    assert counts["files_new"] == 59 and counts["rows_rejected"] > 0
    assert tables["activity_rows"] and tables["rejected_rows"]
    assert ingested["processes"] == ingested["threads"]


_PARENT = """
import threading, time
from orchestration.ingest.readers import file_readers

with file_readers(10**6, workers=2) as map_files:
    busy = map_files(time.sleep, [60] * 64)  # both readers in the middle of a file
    time.sleep(1)
    tid = threading.get_native_id()
    with open(f"/proc/self/task/{tid}/children") as children:
        print(children.read().strip(), flush=True)
    list(busy)
"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in ("Z", "X")  # a zombie has ended; its parent (init) reaps it


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's")
def test_reader_processes_end_with_a_run_killed_outright(tmp_path):
    script = tmp_path / "parent.py"
    script.write_text(_PARENT)
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True,
                              cwd=REPO_ROOT)
    try:
        line = parent.stdout.readline()
        children = [int(p) for p in line.split()]
        assert children and parent.pid not in children
        assert all(_alive(pid) for pid in children)
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(timeout=10)
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(_alive(pid) for pid in children)
    finally:
        parent.kill()


def test_a_batch_is_read_ahead_only_when_both_are_small(tmp_path):
    """With a pool, the next batch is being read while this one is worked on, unless
    either is too large to be held beside the other."""
    started: list[str] = []

    def recording_map(read, chunk, skips):
        started.append(chunk[0].rel_path)
        return map(read, chunk, skips)

    files = sorted(discover(DEMO, ACTIVITY_ROWS), key=lambda f: f.rel_path)[:4]
    chunks = [[f] for f in files]
    large = files[2].rel_path

    def seen_when_each_is_handed_over(ahead):
        started.clear()
        handed = []
        for reads in read_batches(chunks, {}, recording_map, ahead=ahead):
            handed.append((reads[0].file.rel_path, list(started)))
        return handed

    names = [f.rel_path for f in files]
    assert seen_when_each_is_handed_over(lambda chunk: True) == [
        (names[0], names[:2]), (names[1], names[:3]), (names[2], names[:4]),
        (names[3], names[:4]),
    ]
    assert seen_when_each_is_handed_over(lambda chunk: chunk[0].rel_path != large) == [
        (names[0], names[:2]), (names[1], names[:2]), (names[2], names[:3]),
        (names[3], names[:4]),
    ]


def test_a_reader_that_fails_stops_the_ingestion_with_its_reason():
    with readers.file_readers(10**6, workers=2) as map_files, pytest.raises(
        readers.ReaderFailed, match="No such file or directory"
    ):
        list(map_files(os.stat, ["/", "/no/such/file"]))
