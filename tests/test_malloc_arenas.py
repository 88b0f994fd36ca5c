"""`ppa` limits glibc's malloc arenas for itself and the processes it starts (the run
worker and dbt under `ppa serve`), unless MALLOC_ARENA_MAX is set already."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

# What `ppa` has set by the time a command runs: the command prints it from the child
# process it starts, as `ppa serve` starts Dagster.
PROBE = """
import subprocess, sys
from orchestration.runner.memory import limit_malloc_arenas
limit_malloc_arenas()
print(subprocess.run([sys.executable, "-c", "import os; print(os.environ['MALLOC_ARENA_MAX'])"],
                     capture_output=True, text=True, check=True).stdout.strip())
"""


@pytest.mark.parametrize(("preset", "expected"), [(None, "2"), ("4", "4")])
def test_children_inherit_the_arena_limit(preset, expected):
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    if preset:
        env["MALLOC_ARENA_MAX"] = preset
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True,
                         text=True, check=True).stdout.strip()
    assert out == expected


def test_every_ppa_command_sets_it_first():
    from click.testing import CliRunner

    from orchestration.cli import main

    env_before = os.environ.pop("MALLOC_ARENA_MAX", None)
    try:
        result = CliRunner().invoke(main, ["config", "--help"])
        assert result.exit_code == 0
        assert os.environ["MALLOC_ARENA_MAX"] == "2"
    finally:
        os.environ.pop("MALLOC_ARENA_MAX", None)
        if env_before is not None:
            os.environ["MALLOC_ARENA_MAX"] = env_before


# polars computes 400 MB and drops it; the process says what it still holds.
FREED = """
import sys
from orchestration.runner.memory import limit_malloc_arenas
if sys.argv[1] == "ppa":
    limit_malloc_arenas()
import polars as pl
frame = pl.DataFrame({"a": range(10)}).select(pl.int_range(50_000_000, dtype=pl.Int64) * 2)
assert frame.height == 50_000_000
del frame
held = [l for l in open("/proc/self/status") if l.startswith("VmRSS")][0].split()[1]
print(int(held) // 1024)
"""


def test_polars_returns_what_it_freed_under_ppa():
    env = {k: v for k, v in os.environ.items() if k != "_RJEM_MALLOC_CONF"}

    def held_mb(mode: str) -> int:
        return int(subprocess.run([sys.executable, "-c", FREED, mode], env=env,
                                  capture_output=True, text=True, check=True).stdout)

    # jemalloc's own default keeps the 400 MB for a while; under `ppa` they go back at once.
    assert held_mb("default") - held_mb("ppa") > 250
