"""The suite's warm `ppa` (tests/warm_ppa.py) does what the `ppa` executable does: the same
output, errors and exit status, under the environment and working folder each call gives,
also for calls made at the same time."""

from __future__ import annotations

import json
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor

import warm_ppa


def _cold(args, env, cwd):
    return subprocess.run([warm_ppa.PPA, *args], env=env, cwd=cwd, capture_output=True,
                          text=True, check=False)


def _env(tmp_path, name):
    return {**os.environ, "PPA_WAREHOUSE": str(tmp_path / f"{name}.duckdb"),
            "PPA_LANDING_DIR": str(tmp_path / name / "landing"), "PPA_AS_OF": "2024-08-01"}


def test_a_refused_command_fails_alike(tmp_path):
    env = _env(tmp_path, "refused")
    for args in (["run", "--as-of", "2024-02-30"], ["no-such-command"]):
        cold, warm = _cold(args, env, tmp_path), warm_ppa.run(args, env=env, cwd=tmp_path)
        assert warm.returncode == cold.returncode != 0
        assert (warm.stdout, warm.stderr) == (cold.stdout, cold.stderr)
        assert warm.stderr


def test_each_call_has_its_own_environment_and_folder(tmp_path):
    calls = [(_env(tmp_path, name), tmp_path / name) for name in ("first", "second", "third")]
    for _, folder in calls:
        folder.mkdir()
    args = ["config", "--json"]
    with ThreadPoolExecutor(len(calls)) as pool:
        warm = list(pool.map(lambda call: warm_ppa.run(args, env=call[0], cwd=call[1],
                                                       check=True), calls))
    for (env, folder), result in zip(calls, warm, strict=True):
        settings = json.loads(result.stdout)
        assert settings["PPA_WAREHOUSE"] == env["PPA_WAREHOUSE"]
        assert result.stdout == _cold(args, env, folder).stdout
    # A relative path is the working folder's.
    generate = ["generate", "--out", "zone", "--scale", "0.01", "--months", "2",
                "--start", "2023-07"]
    with ThreadPoolExecutor(len(calls)) as pool:
        list(pool.map(lambda call: warm_ppa.run(generate, env=call[0], cwd=call[1],
                                                check=True), calls))
    for _, folder in calls:
        assert sorted(p.name for p in folder.iterdir()) == ["zone"]
        assert (folder / "zone" / "activity_forms").is_dir()
