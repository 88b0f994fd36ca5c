"""The `ppa` console script: help everywhere, one-line reasons and non-zero exits on failure."""

import subprocess
import sys
from pathlib import Path

import pytest

PPA = str(Path(sys.executable).parent / "ppa")
COMMANDS = ["generate", "run", "serve", "validate-outcomes"]


def ppa(*args, env_extra=None, **kwargs):
    import os

    env = {**os.environ, **(env_extra or {})}
    return subprocess.run([PPA, *args], capture_output=True, text=True, env=env, check=False, **kwargs)


def test_top_level_help_lists_every_command():
    result = ppa("--help")
    assert result.returncode == 0
    for command in COMMANDS:
        assert command in result.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command):
    result = ppa(command, "--help")
    assert result.returncode == 0
    assert "Usage: ppa " + command in result.stdout


def test_bad_as_of_date_fails_with_one_line_reason(tmp_path):
    result = ppa("run", "--as-of", "2024-02-30", env_extra={"PPA_LANDING_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "ppa: error: as-of date '2024-02-30' is not a YYYY-MM-DD date"
    ]


def test_missing_landing_zone_fails_with_one_line_reason(tmp_path):
    missing = tmp_path / "nowhere"
    result = ppa("run", env_extra={"PPA_LANDING_DIR": str(missing)})
    assert result.returncode != 0
    assert result.stderr.strip() == (
        f"ppa: error: landing zone {missing} does not exist (set PPA_LANDING_DIR)"
    )


def test_generate_rejects_a_bad_scale(tmp_path):
    result = ppa("generate", "--out", str(tmp_path / "lz"), "--scale", "0")
    assert result.returncode != 0
    assert "--scale" in result.stderr


def test_default_months_end_before_last_month_so_extracts_predate_today():
    import datetime as dt

    from orchestration.cli.generate import default_months

    # 2019-07 .. 2026-09: the newest extract (2026-10-31) is before 2026-11-22.
    assert default_months("2019-07", dt.date(2026, 11, 22)) == 87
    assert default_months("2026-10", dt.date(2026, 11, 1)) == 1
