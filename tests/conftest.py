"""What the whole suite shares: one `ppa run` of the demo landing zone, and the test tiers.

`demo_run` runs the checked-in demo landing zone (seeds/demo/) through `ppa run` once per
test session, with hostile and misplaced files planted in it (tests/pipeline_run.py), in a
temporary folder (never the worktree's data/). The pipeline tests and the dashboard tests
read the same run; tests that change the landing zone or the warehouse work on a copy
(`copy_of_demo_run`). Under pytest-xdist every worker asks for it: the first builds it,
under a file lock in the session's shared temporary folder, and the others wait and read
the same files (read-only DuckDB connections, which any number of processes may hold).

Tiers: a test that runs the pipeline or a browser is marked `slow` (`make test-fast` leaves
those out). Tests using the shared run or a Playwright browser are marked here
automatically; any other slow test carries `pytest.mark.slow` itself.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pipeline_run import build_demo_run, demo_env, exclusive, session_folder

# Fixtures that are (or copy, or read) the shared demo run, and fixtures that drive a
# browser: their users are `slow`.
DEMO_RUN_FIXTURES = {"demo_run", "copy_of_demo_run", "published"}
SLOW_FIXTURES = DEMO_RUN_FIXTURES | {"browser", "page", "context"}


def pytest_collection_modifyitems(items):
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
    # Longest first, whole modules kept together: the slow modules of their own (generated
    # data sets, servers), then the users of the shared demo run, then the unit tests. This
    # is the order of a run on one process. Under `make test`, pytest-xdist hands modules to
    # its workers most tests first (its default --loadscope-reorder), whatever this order:
    # replaying the suite's measured durations in either order gave the two workers loads
    # within 3% of each other, so xdist's order is kept.
    rank: dict[str, int] = {}
    for item in items:
        module = item.nodeid.split("::")[0]
        if DEMO_RUN_FIXTURES & set(getattr(item, "fixturenames", ())):
            here = 1
        elif item.get_closest_marker("slow"):
            here = 0
        else:
            here = 2
        rank[module] = min(rank.get(module, 2), here)
    items.sort(key=lambda item: rank[item.nodeid.split("::")[0]])


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory) -> dict[str, str]:
    """The demo landing zone run once, as of 2024-08-01: its environment (landing zone,
    warehouse, published file, Dagster home). Read it; copy it to change it."""
    shared = session_folder(tmp_path_factory)
    root, built, failed = shared / "demo_run", shared / "demo_run.built", shared / "demo_run.failed"
    with exclusive(shared / "demo_run.lock"):
        if failed.exists():
            pytest.fail(f"the shared demo run failed in another worker:\n{failed.read_text()}")
        if not built.exists():
            try:
                build_demo_run(root)
            except BaseException as error:
                failed.write_text(str(error))
                raise
            built.touch()
    return demo_env(root)


@pytest.fixture(scope="module")
def copy_of_demo_run(demo_run, tmp_path_factory) -> dict[str, str]:
    """The shared demo run copied for one module's tests, which may change it."""
    root = tmp_path_factory.mktemp("demo_run_copy")
    source = Path(demo_run["PPA_LANDING_DIR"]).parent
    shutil.copytree(source, root, symlinks=True, dirs_exist_ok=True)
    return demo_env(root)
