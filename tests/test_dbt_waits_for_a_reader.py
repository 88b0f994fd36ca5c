"""A process reading the warehouse holds a lock no writer may take (DuckDB: one writer or
many readers): dbt waits for it, as the run's Python steps do, instead of failing the run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb

from orchestration.config import DBT_PROJECT_DIR

READER = """
import duckdb, sys, time
con = duckdb.connect(sys.argv[1], read_only=True)
print("reading", flush=True)
time.sleep(float(sys.argv[2]))
con.close()
"""


def test_dbt_connects_once_a_reader_lets_go_of_the_warehouse(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    duckdb.connect(str(warehouse)).close()
    reader = subprocess.Popen([sys.executable, "-c", READER, str(warehouse), "3"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline().strip() == "reading"
        # While the reader holds it, a writer is refused at once.
        try:
            duckdb.connect(str(warehouse)).close()
            raise AssertionError("the warehouse opened for writing beside a reader")
        except duckdb.IOException as exc:
            assert "Could not set lock" in str(exc)
        debug = subprocess.run(
            [str(Path(sys.executable).parent / "dbt"), "debug", "--project-dir",
             str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR), "--target", "duckdb",
             "--log-path", str(tmp_path / "logs"),
             "--vars", json.dumps({"warehouse_path": str(warehouse)})],
            capture_output=True, text=True, check=False, cwd=DBT_PROJECT_DIR,
        )
        assert reader.poll() is not None, "dbt connected while the reader held the warehouse"
    finally:
        reader.kill()
    assert debug.returncode == 0, debug.stdout[-2000:]
    assert "Connection test: [OK connection ok]" in debug.stdout.replace("\x1b[32m", "").replace(
        "\x1b[0m", "")
