"""`ppa serve`: the Dagster UI with the code location loaded, the dashboards, and a clean Ctrl-C."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

PPA = str(Path(sys.executable).parent / "ppa")
# Brings up the Dagster webserver and Streamlit: a minute or more.
pytestmark = pytest.mark.slow
GRAPHQL_ASSETS = {
    "query": "{ repositoriesOrError { __typename ... on RepositoryConnection "
    "{ nodes { assetNodes { id } sensors { name } } } } }"
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, body: dict | None = None):
    data = json.dumps(body).encode() if body else None
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.read()


def wait_for(check, seconds: float):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            result = check()
            if result:
                return result
        except OSError:
            pass
        time.sleep(2)
    raise AssertionError("timed out")


def warm_forkservers(session: int) -> list[int]:
    """The processes of `session` that are a forkserver preloading the platform."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if not proc.name.isdigit() or os.getsid(int(proc.name)) != session:
                continue
            command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, ProcessLookupError):
            continue
        if "multiprocessing.forkserver" in command and "warm_preload" in command:
            found.append(int(proc.name))
    return found


def test_serve_brings_up_both_uis_and_stops_on_ctrl_c(tmp_path):
    dagster_port, streamlit_port = free_port(), free_port()
    env = {
        **os.environ,
        "PPA_LANDING_DIR": str(tmp_path / "landing"),
        "PPA_WAREHOUSE": str(tmp_path / "warehouse.duckdb"),
        "PPA_PUBLISHED": str(tmp_path / "published.duckdb"),
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
        "PATH": "/usr/bin:/bin",  # the venv's bin is not on PATH: ppa must find dbt itself
    }
    serve = subprocess.Popen(
        [PPA, "serve", "--dagster-port", str(dagster_port), "--streamlit-port", str(streamlit_port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        wait_for(lambda: get(f"http://127.0.0.1:{streamlit_port}/")[0] == 200, 120)

        def assets_loaded():
            _, body = get(f"http://127.0.0.1:{dagster_port}/graphql", GRAPHQL_ASSETS)
            repos = json.loads(body)["data"]["repositoriesOrError"]
            nodes = repos.get("nodes") or []
            return nodes and nodes[0]

        repository = wait_for(assets_loaded, 180)
        assert len(repository["assetNodes"]) > 50
        assert "landing_zone_sensor" in {s["name"] for s in repository["sensors"]}
        # The code server forks its runs from a forkserver that preloads the platform
        # (orchestration/defs/warm_runs.py), started with it rather than by the first run.
        assert wait_for(lambda: warm_forkservers(serve.pid), 120)

        serve.send_signal(signal.SIGINT)
        assert serve.wait(timeout=60) == 0
        time.sleep(2)
        for port in (dagster_port, streamlit_port):
            with socket.socket() as s:
                assert s.connect_ex(("127.0.0.1", port)) != 0, f"port {port} still served"
        # and it ends with the code server
        assert wait_for(lambda: not warm_forkservers(serve.pid), 30)
    finally:
        if serve.poll() is None:
            os.killpg(serve.pid, signal.SIGKILL)
