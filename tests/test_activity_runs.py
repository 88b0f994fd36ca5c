"""A run for new activity forms alone: the assets downstream of raw.activity_rows, when
the last complete run left the rest as a complete run would now; the same published
figures as a complete run."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import pytest
import warm_ppa
from dagster._core.instance.ref import InstanceRef
from pipeline_run import DEMO_AS_OF, demo_env

from orchestration.config import Settings
from orchestration.defs import sensors
from orchestration.defs.activity_runs import (
    ACTIVITY_ONLY,
    activity_assets,
    why_not_activity_alone,
)
from orchestration.defs.definitions import defs
from orchestration.defs.jobs import AS_OF_TAG, CODE_TAG, SELECTION_TAG, materialize_everything
from orchestration.defs.resources import platform_settings

pytestmark = pytest.mark.slow

AS_OF = dt.date(2024, 8, 1)
CODE = "code-1"
# Columns that name the run, its moments or its timings (in a dbt test's message), not
# the data.
RUN_COLUMNS = {"run_id", "ingested_at", "_ingested_at", "_run_id", "last_ingested_at", "evaluated_at",
               "refreshed_at", "run_started_at"}
VARYING = {"dq_check_results": {"message"}}
CHANGED = "activity_forms/2024-06/site_S01_export.csv"


# --- when the activity assets alone will do -------------------------------------------


def add_run(instance, *, job=materialize_everything.name, status="SUCCESS", code=CODE,
            as_of=AS_OF, selection=None, subset=None):
    tags = {} if code is None else {CODE_TAG: code}
    if as_of is not None:
        tags[AS_OF_TAG] = as_of.isoformat()
    if selection is not None:
        tags[SELECTION_TAG] = selection
    run = dg.DagsterRun(job_name=job, status=dg.DagsterRunStatus[status], tags=tags,
                        asset_selection=subset)
    instance.add_run(run)
    return run


@pytest.fixture
def instance():
    with dg.DagsterInstance.ephemeral() as instance:
        yield instance


def test_no_complete_run_yet_means_every_asset(instance):
    assert why_not_activity_alone(instance, AS_OF, CODE) == "no complete run yet"


def test_after_a_complete_run_of_the_same_code_and_date_the_activity_assets_do(instance):
    add_run(instance)
    assert why_not_activity_alone(instance, AS_OF, CODE) is None
    # Activity runs since, done or under way, and runs of other jobs change nothing.
    add_run(instance, selection=ACTIVITY_ONLY)
    add_run(instance, selection=ACTIVITY_ONLY, status="STARTED")
    add_run(instance, job="deliver_monthly_packets", code=None, as_of=None)
    assert why_not_activity_alone(instance, AS_OF, CODE) is None


@pytest.mark.parametrize("status", ["FAILURE", "CANCELED"])
def test_an_activity_run_that_did_not_finish_means_every_asset_next(instance, status):
    # It may have failed for want of the rest (a new warehouse under the same instance).
    add_run(instance)
    add_run(instance, selection=ACTIVITY_ONLY, status=status)
    assert f"({status.lower()}, the activity assets) is the newest run" in (
        why_not_activity_alone(instance, AS_OF, CODE))


@pytest.mark.parametrize(("newest", "reason"), [
    ({"status": "FAILURE"}, "(failure, every asset) is the newest run"),
    ({"status": "STARTED"}, "(started, every asset) is the newest run"),
    ({"subset": {dg.AssetKey(["raw", "referrals"])}}, "(success, some assets)"),
    ({"job": "__ASSET_JOB", "subset": {dg.AssetKey(["raw", "referrals"])}},
     "(success, some assets)"),
    ({"code": "code-0"}, "the code changed since run"),
    ({"as_of": AS_OF - dt.timedelta(days=1)},
     "computed as of 2024-07-31, this run is as of 2024-08-01"),
    ({"as_of": None}, "computed as of a date it did not record"),
])
def test_anything_else_since_means_every_asset(instance, newest, reason):
    add_run(instance)
    add_run(instance, **newest)
    assert reason in why_not_activity_alone(instance, AS_OF, CODE)


def test_the_activity_assets_are_what_reads_the_forms():
    graph = defs.resolve_asset_graph()
    keys = set(activity_assets(graph))
    assert dg.AssetKey(["raw", "activity_rows"]) in keys
    assert {dg.AssetKey(["marts", "fct_family_month"]),
            dg.AssetKey(["published", "marts"])} <= keys
    # What the reference extracts alone feed is left as it is.
    assert not {dg.AssetKey(["raw", "referrals"]), dg.AssetKey(["outcomes", "matched_pairs"]),
                dg.AssetKey(["marts", "fct_cfsr_indicator"])} & keys
    assert keys == set(dg.AssetSelection.assets(dg.AssetKey(["raw", "activity_rows"]))
                       .downstream().resolve(graph))


# --- the run itself, against a complete run on the same files --------------------------


FAMILY = "F0000268"


def _new_version_of_a_form(landing: Path, again: bool = False) -> None:
    """A re-export of one site's June forms in which one family's form was submitted
    again, later, without its last three activities (`again`: one more row gone)."""
    path = landing / CHANGED
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    if again:
        path.write_text("".join(lines[:-1]), encoding="utf-8")
        return
    assert all(f",{FAMILY},2024-06,2024-07-05T19:22:00," in line for line in lines[-3:])
    lines = [line.replace("2024-07-05T19:22:00", "2024-07-09T08:00:00")
             if f",{FAMILY}," in line else line for line in lines[:-3]]
    path.write_text("".join(lines), encoding="utf-8")


def _copy(demo_run: dict[str, str], root: Path) -> dict[str, str]:
    shutil.copytree(Path(demo_run["PPA_LANDING_DIR"]).parent, root, symlinks=True)
    _new_version_of_a_form(root / "landing")
    return demo_env(root)


def _month_run(env):
    return subprocess.run(
        [sys.executable, "-m", "orchestration.bench.month_run", "--as-of", DEMO_AS_OF,
         "--month", "2024-06"], env=env, capture_output=True, text=True, cwd="/", check=False)


def _complete_run(env):
    return warm_ppa.run(["run", "--as-of", DEMO_AS_OF], env=env, cwd="/")


@pytest.fixture(scope="module")
def two_runs(demo_run, tmp_path_factory):
    """(the activity run's environment, the complete run's), each after the same new
    version of a June export, from copies of the demo run."""
    base = tmp_path_factory.mktemp("activity_runs")
    activity, complete = _copy(demo_run, base / "activity"), _copy(demo_run, base / "complete")
    with ThreadPoolExecutor(2) as pool:
        first, second = pool.submit(_month_run, activity), pool.submit(_complete_run, complete)
        first, second = first.result(), second.result()
    assert first.returncode == 0, first.stderr[-3000:]
    assert second.returncode == 0, second.stderr[-3000:]
    return activity, complete


def _sensor_request(demo_run, root: Path, monkeypatch, empty_warehouse=False):
    env = _copy(demo_run, root)
    for name in ("PPA_LANDING_DIR", "PPA_WAREHOUSE", "PPA_PUBLISHED"):
        monkeypatch.setenv(name, env[name])
    monkeypatch.setenv("PPA_AS_OF", DEMO_AS_OF)
    sensors._last_look.clear()
    with dg.DagsterInstance.from_ref(InstanceRef.from_dir(env["DAGSTER_HOME"])) as instance:
        context = dg.build_sensor_context(
            instance=instance, definitions=defs,
            resources={"settings": platform_settings(Settings.from_env())},
        )
        sensors.landing_zone_sensor(context)  # the first look, which finds the re-export
        _new_version_of_a_form(root / "landing", again=True)
        if empty_warehouse:
            Path(env["PPA_WAREHOUSE"]).unlink()
        request = sensors.landing_zone_sensor(context)
    sensors._last_look.clear()
    assert isinstance(request, dg.RunRequest)
    return request


def test_the_sensor_asks_for_the_activity_assets_alone(demo_run, tmp_path, monkeypatch):
    request = _sensor_request(demo_run, tmp_path / "copy", monkeypatch)
    assert set(request.asset_selection) == set(activity_assets(defs.resolve_asset_graph()))
    assert request.tags[SELECTION_TAG] == ACTIVITY_ONLY
    assert request.tags[AS_OF_TAG] == DEMO_AS_OF


def test_a_warehouse_without_the_reference_files_gets_every_asset(demo_run, tmp_path,
                                                                  monkeypatch):
    # The forms would be checked against an empty roster and no referrals.
    request = _sensor_request(demo_run, tmp_path / "copy", monkeypatch, empty_warehouse=True)
    assert request.asset_selection is None
    assert SELECTION_TAG not in request.tags


def _instance_runs(env) -> list[dg.DagsterRun]:
    with dg.DagsterInstance.from_ref(InstanceRef.from_dir(env["DAGSTER_HOME"])) as instance:
        return [r.dagster_run for r in instance.get_run_records(limit=5)]


def test_the_month_run_ran_the_activity_assets_alone(two_runs):
    activity, _ = two_runs
    newest = _instance_runs(activity)[0]
    assert newest.tags[SELECTION_TAG] == ACTIVITY_ONLY
    assert set(newest.asset_selection) == set(activity_assets(defs.resolve_asset_graph()))


def _tables(path: str | Path, schemas: tuple[str, ...]) -> dict[str, pl.DataFrame]:
    with duckdb.connect(str(path), read_only=True) as con:
        names = con.sql(
            "select table_schema || '.' || table_name from information_schema.tables "
            f"where table_schema in {schemas!r} order by 1".replace(",)", ")")
        ).fetchall()
        frames = {}
        for (name,) in names:
            frame = con.sql(f"select * from {name}").pl()
            varying = RUN_COLUMNS | VARYING.get(name.split(".")[-1], set())
            frame = frame.select(sorted(c for c in frame.columns if c not in varying))
            frames[name] = frame.sort(frame.columns, nulls_last=True) if frame.width else frame
        return frames


@pytest.mark.parametrize(("file", "schemas"), [
    ("PPA_WAREHOUSE", ("marts",)),
    # The activity forms' staging and intermediate models rebuild the run's months alone.
    ("PPA_WAREHOUSE", ("staging", "intermediate")),
    ("PPA_PUBLISHED", ("marts",)),
    ("published_leadership.duckdb", ("marts", "main")),
])
def test_the_activity_run_publishes_what_a_complete_run_does(two_runs, demo_run, file,
                                                            schemas):
    activity, complete = two_runs

    def path(env):
        return env[file] if file.startswith("PPA_") else Path(env["PPA_PUBLISHED"]).parent / file

    ours, theirs = _tables(path(activity), schemas), _tables(path(complete), schemas)
    assert len(ours) > 10 and sorted(ours) == sorted(theirs)
    different = [name for name in ours if not ours[name].equals(theirs[name])]
    assert not different
    # The new version was read, and it changed the family's month.
    with duckdb.connect(activity["PPA_WAREHOUSE"], read_only=True) as con:
        versions = con.sql("select count(*) from raw.ingested_files where file = ?",
                           params=(CHANGED,)).fetchall()[0][0]
        after = _family_june(con)
    with duckdb.connect(demo_run["PPA_WAREHOUSE"], read_only=True) as con:
        before = _family_june(con)
    assert versions == 2
    assert after != before


def _family_june(con) -> list[tuple]:
    return con.sql("select total_contacts, total_minutes from marts.fct_family_month "
                   "where family_id = ? and service_month = date '2024-06-01'",
                   params=(FAMILY,)).fetchall()
