"""`ppa serve`: the Dagster UI (with its daemon) and the dashboards, until Ctrl-C."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import click

from orchestration.cli.shared import fail, require_dbt_manifest
from orchestration.config import REPO_ROOT, Paths
from orchestration.defs.warm_runs import WARM_RUNS_ENV
from orchestration.runner.dagster_home import prepare_dagster_home


def free_slots_of_dead_runs() -> None:
    """Runs killed while the platform was down would hold the warehouse slot forever."""
    import dagster as dg

    from orchestration.runner.run_liveness import reap_dead_runs

    with dg.DagsterInstance.get() as instance:
        for run in reap_dead_runs(instance):
            click.echo(f"ppa: {run.describe()} is gone: marked failed, its slot freed", err=True)


@click.command("serve")
@click.option("--dagster-port", default=3000, show_default=True, type=int)
@click.option("--streamlit-port", default=8501, show_default=True, type=int)
def serve(dagster_port: int, streamlit_port: int) -> None:
    """Serve the Dagster UI and the dashboards on 127.0.0.1 until Ctrl-C."""
    # Started in the background by a script, the process inherits SIGINT ignored: restore
    # Ctrl-C so it reaches the handler below.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    paths = Paths.from_env()
    prepare_dagster_home(paths)
    require_dbt_manifest()
    free_slots_of_dead_runs()
    bin_dir = Path(sys.executable).parent
    # `env --default-signal` undoes the SIGINT-ignore a backgrounded shell hands down.
    wrapper = ["env", "--default-signal=INT,TERM,HUP"] if shutil.which("env") else []
    commands = {
        "dagster": [*wrapper, str(bin_dir / "dagster"), "dev", "-m", "orchestration.defs.definitions",
                    "-h", "127.0.0.1", "-p", str(dagster_port)],
        "streamlit": [*wrapper, str(bin_dir / "streamlit"), "run",
                      str(REPO_ROOT / "dashboards" / "app.py"),
                      "--server.address", "127.0.0.1", "--server.port", str(streamlit_port),
                      "--server.headless", "true", "--browser.gatherUsageStats", "false"],
    }
    # dagster-dbt and the dbt parse of `dagster dev` look for `dbt` on PATH.
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    # The code server `dagster dev` starts forks its runs from a process that has loaded the
    # platform (orchestration/defs/warm_runs.py): about 4 s less for every run.
    envs = {"dagster": {**env, WARM_RUNS_ENV: "1"}, "streamlit": env}
    children = {
        name: subprocess.Popen(cmd, cwd=REPO_ROOT, env=envs[name])
        for name, cmd in commands.items()
    }
    click.echo(
        f"Dagster UI: http://127.0.0.1:{dagster_port}  dashboards: http://127.0.0.1:{streamlit_port}"
        "  (Ctrl-C stops both)", err=True,
    )

    def stop(*_):
        for child in children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGINT)
        deadline = time.monotonic() + 20
        for child in children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()

    signal.signal(signal.SIGTERM, lambda *_: (stop(), sys.exit(0)))
    try:
        while True:
            for name, child in children.items():
                if child.poll() is not None:
                    stop()
                    fail(f"{name} exited with code {child.returncode}")
            time.sleep(1)
    except KeyboardInterrupt:
        stop()
