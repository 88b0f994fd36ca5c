"""Ingest of the activity forms three ways, on the same files, into fresh DuckDB files:

- platform: `ingest_files` with `activity_reference`, the path every run takes;
- floor: polars reading each CSV export and fastexcel each workbook, every value as text,
  concatenated into one table and inserted into DuckDB once, with no validation at all:
  the fastest the engines read these files on this machine;
- peer: the pandas implementation of the same rules (orchestration/bench/pandas_peer.py).

Every database starts as a copy of one with the reference kinds (roster, referrals, ...)
ingested by `ingest_files`, so each repetition writes into the same fresh state.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import fastexcel
import polars as pl
import pyarrow as pa

from orchestration.bench.pandas_peer import ingest_with_pandas
from orchestration.config import SEEDS_DIR
from orchestration.defs.assets.raw import activity_reference, ingest_files
from orchestration.ingest.discovery import discover
from orchestration.ingest.schemas import ACTIVITY_ROWS


def reference_database(landing: Path, target: Path) -> None:
    """A DuckDB file holding the reference kinds of `landing`, as a run ingests them."""
    files = [f for f in discover(landing) if f.kind is not ACTIVITY_ROWS]
    with duckdb.connect(str(target)) as con:
        ingest_files(con, files, run_id="bench-reference")


def _fresh_copy(base: Path, work: Path, name: str) -> Path:
    target = work / f"{name}.duckdb"
    target.unlink(missing_ok=True)
    shutil.copyfile(base, target)
    return target


def platform_ingest(database: Path, files, as_of: dt.date) -> dict:
    with duckdb.connect(str(database)) as con:
        began = time.perf_counter()
        counts = ingest_files(con, files, run_id="bench-platform",
                              reference=activity_reference(con, as_of))
        seconds = time.perf_counter() - began
        reasons = dict(con.sql(
            "select reason_code, count(*) from raw.rejected_rows "
            "where file like 'activity_forms/%' group by 1 order by 1"
        ).fetchall())
    return {"seconds": seconds, **counts, "rejected_by_reason": reasons}


def _csv_rows(path: Path) -> pl.DataFrame:
    """One export, every value as text: its bytes decoded (UTF-8 with or without a byte-order
    mark, else Latin-1: the encodings the contract allows) and read by polars."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    return pl.read_csv(io.StringIO(text), infer_schema=False, truncate_ragged_lines=True)


def _workbook_rows(path: Path) -> pa.Table | None:
    try:
        reader = fastexcel.read_excel(str(path))
        sheet = reader.load_sheet(0, header_row=None, skip_rows=0, dtypes="string")
    except (fastexcel.FastExcelError, OSError):
        return None
    table = pa.Table.from_batches([sheet.to_arrow()])
    return table.rename_columns([f"c{i}" for i in range(table.num_columns)])


def floor_ingest(database: Path, files) -> dict:
    """Read without validation: polars per CSV export and fastexcel per workbook (both on
    every core), each half concatenated, one DuckDB insert each; seconds per stage."""
    csvs = [f.path for f in files if f.path.suffix.lower() == ".csv" and f.path.stat().st_size]
    workbooks = [f.path for f in files if f.path.suffix.lower() == ".xlsx"]
    workers = os.cpu_count() or 1
    with duckdb.connect(str(database)) as con:
        began = time.perf_counter()
        with ThreadPoolExecutor(max_workers=workers) as pool:
            exports = pl.concat(list(pool.map(_csv_rows, csvs)),
                                how="diagonal_relaxed").to_arrow() if csvs else None
        read_csvs = time.perf_counter()
        with ThreadPoolExecutor(max_workers=workers) as pool:
            tables = list(pool.map(_workbook_rows, workbooks))
        read = [t for t in tables if t is not None]
        combined = pa.concat_tables(read, promote_options="permissive") if read else None
        read_workbooks = time.perf_counter()
        for table, frame in (("floor_csv", exports), ("floor_xlsx", combined)):
            if frame is not None:
                con.register("floor_frame", frame)
                con.execute(f"create table {table} as select * from floor_frame")
                con.unregister("floor_frame")
        finished = time.perf_counter()
    return {"seconds": finished - began,
            "stages_seconds": {"read_csv": read_csvs - began,
                               "read_workbooks": read_workbooks - read_csvs,
                               "insert": finished - read_workbooks},
            "csv_files": len(csvs), "csv_rows": exports.num_rows if exports is not None else 0,
            "workbooks": len(workbooks), "workbooks_unreadable": len(tables) - len(read),
            "workbook_sheet_rows": combined.num_rows if combined is not None else 0}


def peer_ingest(database: Path, files, as_of: dt.date) -> dict:
    with duckdb.connect(str(database)) as con:
        began = time.perf_counter()
        reference = activity_reference(con, as_of)
        referenced = time.perf_counter()
        counts = ingest_with_pandas(con, files, reference, SEEDS_DIR / "activity_types.csv")
        ended = time.perf_counter()
    # Stage by stage from one clock, each to the next stage's start: the stages add up to
    # the whole (writing runs until the peer has returned, its frames freed).
    ends = counts.pop("stage_ends")
    read, validated = ends["read"], ends["validate"]
    stages = {"reference": referenced - began, "read": read - referenced,
              "validate": validated - read, "write": ended - validated}
    return {"seconds": ended - began, "stages_seconds": stages, **counts}


def _median(samples: list[dict], key: str = "seconds") -> float:
    return statistics.median(s[key] for s in samples)


def _median_stages(samples: list[dict]) -> dict[str, float]:
    """Each stage's median over the repetitions (so they need not add up to the median)."""
    return {stage: statistics.median(s["stages_seconds"][stage] for s in samples)
            for stage in samples[0]["stages_seconds"]}


def measure_ingest(landing: Path, as_of: dt.date, work: Path, repeat: int,
                   say=lambda _: None) -> dict:
    """Each way `repeat` times, interleaved (platform, floor, peer, platform, ...), so a
    burst of load on a shared machine falls on all three alike."""
    work.mkdir(parents=True, exist_ok=True)
    base = work / "reference.duckdb"
    base.unlink(missing_ok=True)
    reference_database(landing, base)
    files = [f for f in discover(landing) if f.kind is ACTIVITY_ROWS]
    samples: dict[str, list[dict]] = {"platform": [], "floor": [], "pandas": []}
    for rep in range(repeat):
        say(f"ingest repetition {rep + 1}/{repeat}: platform")
        samples["platform"].append(platform_ingest(_fresh_copy(base, work, "platform"),
                                                   files, as_of))
        say(f"ingest repetition {rep + 1}/{repeat}: floor")
        samples["floor"].append(floor_ingest(_fresh_copy(base, work, "floor"), files))
        say(f"ingest repetition {rep + 1}/{repeat}: pandas")
        samples["pandas"].append(peer_ingest(_fresh_copy(base, work, "pandas"), files, as_of))
    for name in samples:
        (work / f"{name}.duckdb").unlink(missing_ok=True)
    base.unlink(missing_ok=True)

    platform, floor, peer = (_median(samples[k]) for k in ("platform", "floor", "pandas"))
    rows = samples["platform"][0]["rows_read"]
    last = samples["platform"][-1]
    return {
        "files": len(files),
        "workbooks": sum(f.path.suffix.lower() == ".xlsx" for f in files),
        "rows": rows,
        "repetitions": repeat,
        "platform": {
            "seconds": platform,
            "rows_per_second": rows / platform,
            "rows_accepted": last["rows_accepted"],
            "rows_rejected": last["rows_rejected"],
            "files_rejected": last["files_rejected"],
            "rejected_by_reason": last["rejected_by_reason"],
            "samples_seconds": [s["seconds"] for s in samples["platform"]],
        },
        "floor": {
            "seconds": floor,
            "rows_per_second": rows / floor,
            **{k: v for k, v in samples["floor"][-1].items()
               if k not in ("seconds", "stages_seconds")},
            "stages_seconds": _median_stages(samples["floor"]),
            "samples_seconds": [s["seconds"] for s in samples["floor"]],
        },
        "pandas": {
            "seconds": peer,
            "rows_per_second": rows / peer,
            **{k: v for k, v in samples["pandas"][-1].items()
               if k not in ("seconds", "stages_seconds", "as_of")},
            "stages_seconds": _median_stages(samples["pandas"]),
            "samples_seconds": [s["seconds"] for s in samples["pandas"]],
        },
        "ingest_vs_floor": platform / floor,
        "pandas_vs_ingest": peer / platform,
    }
