"""Ingest of the activity forms three ways, on the same files, into fresh DuckDB files:

- platform: `ingest_files` with `activity_reference`, the path every run takes;
- floor: DuckDB's read_csv of the CSV exports plus fastexcel reading the workbooks into
  one table, with no validation at all: what the engines can do on this machine;
- peer: the pandas implementation of the same rules (orchestration/bench/pandas_peer.py).

Every database starts as a copy of one with the reference kinds (roster, referrals, ...)
ingested by `ingest_files`, so each repetition writes into the same fresh state.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import fastexcel
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


def _encoding(path: Path) -> str:
    try:
        path.read_bytes().decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return "latin-1"


def _workbook_rows(path: Path) -> pa.Table | None:
    try:
        reader = fastexcel.read_excel(str(path))
        sheet = reader.load_sheet(0, header_row=None, skip_rows=0, dtypes="string")
    except (fastexcel.FastExcelError, OSError):
        return None
    table = pa.Table.from_batches([sheet.to_arrow()])
    return table.rename_columns([f"c{i}" for i in range(table.num_columns)])


def floor_ingest(database: Path, files) -> dict:
    """Read without validation: DuckDB read_csv (per encoding) and fastexcel, into tables."""
    csvs = [f.path for f in files if f.path.suffix.lower() == ".csv" and f.path.stat().st_size]
    workbooks = [f.path for f in files if f.path.suffix.lower() == ".xlsx"]
    with duckdb.connect(str(database)) as con:
        began = time.perf_counter()
        by_encoding: dict[str, list[str]] = {}
        for path in csvs:
            by_encoding.setdefault(_encoding(path), []).append(str(path))
        csv_rows, unread = 0, 0
        for number, (encoding, paths) in enumerate(sorted(by_encoding.items())):
            con.execute(
                f"create table floor_csv_{number} as select * from read_csv($files, "
                "all_varchar = true, union_by_name = true, header = true, "
                f"strict_mode = false, null_padding = true, encoding = '{encoding}')",
                {"files": paths},
            )
            csv_rows += con.sql(f"select count(*) from floor_csv_{number}").fetchall()[0][0]
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            tables = list(pool.map(_workbook_rows, workbooks))
        read = [t for t in tables if t is not None]
        unread = len(tables) - len(read)
        workbook_rows = 0
        if read:
            combined = pa.concat_tables(read, promote_options="permissive")
            con.register("floor_workbooks", combined)
            con.execute("create table floor_xlsx as select * from floor_workbooks")
            con.unregister("floor_workbooks")
            workbook_rows = combined.num_rows
        seconds = time.perf_counter() - began
    return {"seconds": seconds, "csv_files": len(csvs), "csv_rows": int(csv_rows),
            "workbooks": len(workbooks), "workbooks_unreadable": unread,
            "workbook_sheet_rows": int(workbook_rows)}


def peer_ingest(database: Path, files, as_of: dt.date) -> dict:
    with duckdb.connect(str(database)) as con:
        began = time.perf_counter()
        reference = activity_reference(con, as_of)
        counts = ingest_with_pandas(con, files, reference, SEEDS_DIR / "activity_types.csv")
        seconds = time.perf_counter() - began
    return {"seconds": seconds, **counts}


def _median(samples: list[dict], key: str = "seconds") -> float:
    return statistics.median(s[key] for s in samples)


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
            **{k: v for k, v in samples["floor"][-1].items() if k != "seconds"},
            "samples_seconds": [s["seconds"] for s in samples["floor"]],
        },
        "pandas": {
            "seconds": peer,
            "rows_per_second": rows / peer,
            **{k: v for k, v in samples["pandas"][-1].items() if k not in ("seconds", "as_of")},
            "samples_seconds": [s["seconds"] for s in samples["pandas"]],
        },
        "ingest_vs_floor": platform / floor,
        "pandas_vs_ingest": peer / platform,
    }
