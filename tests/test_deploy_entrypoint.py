"""The container's entrypoint (deploy/entrypoint.sh) with `dagster` and `streamlit` stood in
for: the code server, which has no authentication, never listens on every interface."""

import os
import subprocess

import pytest

from orchestration.config import REPO_ROOT

ENTRYPOINT = str(REPO_ROOT / "deploy" / "entrypoint.sh")


@pytest.fixture
def run(tmp_path):
    """Run the entrypoint with stand-ins that print the command they were given."""
    for program in ("dagster", "streamlit"):
        stand_in = tmp_path / program
        stand_in.write_text(f'#!/bin/sh\necho {program} "$@"\n')
        stand_in.chmod(0o755)

    def entrypoint(*args, **env):
        return subprocess.run(
            ["sh", ENTRYPOINT, *args], capture_output=True, text=True, check=False,
            env={"PATH": f"{tmp_path}:{os.environ['PATH']}", **env},
        )

    return entrypoint


def test_the_code_server_listens_on_loopback_unless_given_a_private_address(run):
    default = run()
    assert default.returncode == 0, default.stderr
    assert " -h 127.0.0.1 -p 4000 " in default.stdout
    named = run("code-location", PPA_CODE_SERVER_HOST="ppa-code-location")
    assert " -h ppa-code-location -p 4000 " in named.stdout


@pytest.mark.parametrize("everywhere", ["0.0.0.0", "::", "[::]"])
def test_every_interface_is_refused_for_the_code_server(run, everywhere):
    result = run("code-location", PPA_CODE_SERVER_HOST=everywhere)
    assert result.returncode == 2
    assert result.stdout == ""
    assert "no authentication" in result.stderr


def test_the_dashboards_role_serves_streamlit(run):
    result = run("dashboards")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("streamlit run dashboards/app.py ")
