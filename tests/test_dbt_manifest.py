"""The manifest the definitions load (orchestration/defs/dbt_manifest.py): parsed again
when a project file changed after it, never by the processes `dagster dev` starts when it is
current, so every run's parse stays a partial parse of the one `make parse` keeps."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from dagster_dbt import DbtCliResource

from orchestration.config import DBT_PROJECT_DIR, REPO_ROOT
from orchestration.defs.dbt_in_process import PARTIAL_PARSE_FILE, parsed_manifest
from orchestration.defs.dbt_manifest import ensure_dbt_manifest, manifest_is_current


def _touch(path: Path, mtime: float) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("x")
    os.utime(path, (mtime, mtime))
    return path


def test_the_manifest_is_stale_when_a_file_dbt_parses_is_newer(tmp_path):
    project = tmp_path / "dbt_project"
    manifest = _touch(project / "target" / "manifest.json", 2_000)
    _touch(project / "models" / "marts" / "m.sql", 1_000)
    _touch(project / "dbt_project.yml", 1_000)
    _touch(tmp_path / "seeds" / "sites.csv", 1_000)
    assert manifest_is_current(project)

    # dbt's own output, dbt's `.user.yml` and the demo landing zone under seeds/ are not
    # project files.
    for path in ("target/run-1/run_results.json", "logs/dbt.log", ".user.yml"):
        _touch(project / path, 3_000)
    _touch(tmp_path / "seeds" / "demo" / "activity_forms" / "a.csv", 3_000)
    assert manifest_is_current(project)

    for changed in (project / "models" / "marts" / "m.sql", tmp_path / "seeds" / "sites.csv",
                    project / "macros" / "new.sql"):
        _touch(changed, 3_000)
        assert not manifest_is_current(project), changed
        _touch(changed, 1_000)
    manifest.unlink()
    assert not manifest_is_current(project)


def test_definitions_under_dagster_dev_keep_the_parse_every_run_starts_from(tmp_path):
    ensure_dbt_manifest()
    kept = DBT_PROJECT_DIR / "target" / PARTIAL_PARSE_FILE
    before = kept.stat().st_mtime_ns
    warehouse = tmp_path / "warehouse.duckdb"
    env = {**os.environ, "DAGSTER_IS_DEV_CLI": "1", "PPA_WAREHOUSE": str(warehouse)}
    loaded = subprocess.run(
        [sys.executable, "-c", "import orchestration.defs.definitions"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False,
    )
    assert loaded.returncode == 0, loaded.stderr[-2000:]
    assert kept.stat().st_mtime_ns == before, "loading the definitions parsed the project again"

    # A run's parse, with the run's warehouse, starts from the kept one.
    run_target = tmp_path / "run-target"
    dbt = DbtCliResource(project_dir=str(DBT_PROJECT_DIR), profiles_dir=str(DBT_PROJECT_DIR),
                         dbt_executable=str(Path(sys.executable).parent / "dbt"), target="duckdb")
    assert parsed_manifest(dbt, DBT_PROJECT_DIR, run_target, warehouse) is not None
    log = (run_target / "dbt.log").read_text()
    assert "Partial parsing enabled" in log
    assert "Unable to do partial parsing" not in log
