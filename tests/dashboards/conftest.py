"""One published warehouse for every dashboard test: the demo landing zone through `ppa run`
once per test session (`demo_run` of tests/conftest.py), in a temporary folder (never the
worktree's data/)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pytest

from orchestration.config import REPO_ROOT, Paths

HARNESS = str(REPO_ROOT / "tests" / "dashboard_apps" / "page_as.py")
# Columns naming a person, a family, an episode or a landing file's row. (Invoices are the
# contractor's bills to the state: leadership reviews each of them.)
RECORD_ID_COLUMNS = {"pp_id", "family_id", "match_id", "episode_id", "child_id", "file",
                     "row_number"}
# Integers that count no person: years, a step's rank, the contract's seven measures.
NOT_COUNTS = {"sfy", "exit_sfy", "step_order", "measures_applicable", "measures_met"}


@pytest.fixture(scope="session")
def published(request, tmp_path_factory) -> Path:
    """The demo data set's published file: the suite's shared `demo_run` (tests/conftest.py).

    PPA_TEST_PUBLISHED_FROM names an already built demo published file to copy, with the
    leadership publication beside it, instead of running the pipeline (for iterating on
    pages; CI always builds)."""
    if os.environ.get("PPA_TEST_PUBLISHED_FROM"):
        source = Path(os.environ["PPA_TEST_PUBLISHED_FROM"])
        built = tmp_path_factory.mktemp("dashboards") / "published.duckdb"
        for copy_from, copy_to in ((source, built),
                                   (leadership_beside(source), leadership_beside(built))):
            shutil.copyfile(copy_from, copy_to)
        # A file published before the staff directory existed has none beside it.
        if staff_beside(source).exists():
            shutil.copyfile(staff_beside(source), staff_beside(built))
        return built
    return Path(request.getfixturevalue("demo_run")["PPA_PUBLISHED"])


def leadership_beside(published: Path) -> Path:
    """Where the run writes the leadership publication by default: beside the published file."""
    return Paths(landing_dir=published.parent, warehouse=published, published=published,
                 dagster_home=published.parent).published_leadership


def staff_beside(published: Path) -> Path:
    """Where the run writes the staff directory by default: beside the published file."""
    return Paths(landing_dir=published.parent, warehouse=published, published=published,
                 dagster_home=published.parent).staff_directory


@pytest.fixture
def dashboard_env(published, tmp_path, monkeypatch) -> Path:
    """Point the dashboards at the shared published file (and leadership at the publication
    and the staff directory beside it); audit into this test's folder."""
    monkeypatch.setenv("PPA_PUBLISHED", str(published))
    monkeypatch.delenv("PPA_PUBLISHED_LEADERSHIP", raising=False)
    monkeypatch.delenv("PPA_STAFF_DIRECTORY", raising=False)
    monkeypatch.setenv("PPA_AUDIT_LOG", str(tmp_path / "audit.log"))
    return tmp_path


def staff_directory(published: Path, sql: str = "select pp_id, site_id, display_name "
                    "from staff.parent_partner order by pp_id"):
    """The staff directory the run published beside `published` (its names)."""
    with duckdb.connect(str(staff_beside(published)), read_only=True) as con:
        return con.sql(sql).pl()


def marts(published: Path, sql: str, params=None):
    with duckdb.connect(str(published), read_only=True) as con:
        return con.sql(sql, params=params).pl()
