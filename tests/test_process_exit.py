"""A `ppa` process ends without its interpreter's teardown, but with everything it wrote
out, every exit handler run and the exit status `sys.exit` would give."""

from __future__ import annotations

import subprocess
import sys

import pytest

from orchestration.config import REPO_ROOT
from orchestration.runner.process_exit import exit_code

_SCRIPT = """
import atexit, sys
from orchestration.runner.process_exit import exit_now
atexit.register(lambda: print("exit handler ran", file=sys.stderr))
sys.stdout.write("buffered, never flushed by hand")
exit_now(int(sys.argv[1]))
"""


@pytest.mark.parametrize("code", [0, 3])
def test_exit_now_flushes_runs_the_exit_handlers_and_keeps_the_status(code):
    done = subprocess.run([sys.executable, "-c", _SCRIPT, str(code)], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == code
    assert done.stdout == "buffered, never flushed by hand"
    assert done.stderr.strip() == "exit handler ran"


def test_the_status_is_what_sys_exit_gives(capsys):
    assert exit_code(SystemExit()) == 0
    assert exit_code(SystemExit(2)) == 2
    assert exit_code(SystemExit("ppa: error: no")) == 1
    assert capsys.readouterr().err == "ppa: error: no\n"


def test_the_ppa_executable_keeps_its_exit_statuses(tmp_path):
    ppa = [sys.executable, "-c", "from orchestration.cli import run_ppa; run_ppa()"]
    assert subprocess.run([*ppa, "--help"], capture_output=True, check=False).returncode == 0
    bad = subprocess.run([*ppa, "run", "--as-of", "garbage"], capture_output=True, text=True,
                         check=False, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert bad.returncode == 1 and "as-of date 'garbage'" in bad.stderr
    unknown = subprocess.run([*ppa, "nosuch"], capture_output=True, text=True, check=False)
    assert unknown.returncode == 2 and "No such command" in unknown.stderr
