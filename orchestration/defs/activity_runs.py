"""The run for new activity forms alone: only the assets that read them.

A month's new forms change raw.activity_rows and what is computed from it; the reference
extracts, what is built from them alone (staging, CFSR indicators, the outcome study) and
the seeds are as the last complete run left them, provided nothing else ran since, it
ran the same code, it computed as of the same date (most of those models count days to
the as-of date), and the warehouse still holds every reference file of the landing zone.
Then the landing-zone sensor asks for the assets downstream of raw.activity_rows only:
33 of the 109 assets. Otherwise it asks for every asset, as before, and says why.
"""

from __future__ import annotations

import datetime as dt

import dagster as dg

from orchestration.defs.jobs import AS_OF_TAG, CODE_TAG, SELECTION_TAG, materialize_everything
from orchestration.ingest.schemas import ACTIVITY_ROWS

# The value of SELECTION_TAG on a run of the activity assets alone.
ACTIVITY_ONLY = "activity"
# The jobs whose runs write the warehouse: every run of them counts (the UI's
# materializations run as __ASSET_JOB).
WAREHOUSE_JOBS = {materialize_everything.name, "__ASSET_JOB"}
# How far back the last complete run is looked for.
RUNS_LOOKED_AT = 200

ACTIVITY_KEY = dg.AssetKey(["raw", ACTIVITY_ROWS.name])
STOPPED = {dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED,
           dg.DagsterRunStatus.CANCELING}


def activity_assets(asset_graph) -> list[dg.AssetKey]:
    """raw.activity_rows and every asset downstream of it."""
    return sorted(dg.AssetSelection.assets(ACTIVITY_KEY).downstream().resolve(asset_graph))


def is_activity_run(run: dg.DagsterRun) -> bool:
    return run.tags.get(SELECTION_TAG) == ACTIVITY_ONLY


def why_not_activity_alone(instance: dg.DagsterInstance, as_of: dt.date,
                           code: str) -> str | None:
    """None when a run of the activity assets alone leaves the warehouse as a complete run
    would (as of `as_of`, with code `code`); else why every asset must run."""
    records = instance.get_run_records(limit=RUNS_LOOKED_AT)
    for record in records:  # newest first
        run = record.dagster_run
        if run.job_name not in WAREHOUSE_JOBS:
            continue
        # An activity run that failed or was stopped may have found the rest missing (a
        # new warehouse under the same instance): the next run is complete, and heals it.
        if is_activity_run(run) and run.status not in STOPPED:
            continue
        complete = run.job_name == materialize_everything.name and not run.asset_selection
        if not complete or run.status != dg.DagsterRunStatus.SUCCESS:
            assets = ("the activity assets" if is_activity_run(run)
                      else "every asset" if complete else "some assets")
            return f"run {run.run_id[:8]} ({run.status.value.lower()}, {assets}) is the newest run"
        if run.tags.get(CODE_TAG) != code:
            return f"the code changed since run {run.run_id[:8]}"
        if run.tags.get(AS_OF_TAG) != as_of.isoformat():
            computed = run.tags.get(AS_OF_TAG, "a date it did not record")
            return (f"run {run.run_id[:8]} computed as of {computed}, this run is as of "
                    f"{as_of.isoformat()}")
        return None
    return "no complete run yet"


def activity_run(instance: dg.DagsterInstance, asset_graph, as_of: dt.date, *,
                 references_held: bool
                 ) -> tuple[list[dg.AssetKey] | None, dict[str, str], str | None]:
    """For a run of new activity forms only: (its assets, its extra tags, None) when the
    activity assets alone will do, else (None, {}, why every asset must run).

    `references_held`: whether the warehouse holds every reference file of the landing zone
    (the forms are checked against its roster and referrals: against an emptied or new
    warehouse's, none, they would be rejected for good)."""
    why_not = why_not_activity_alone(instance, as_of, materialize_everything.tags[CODE_TAG])
    if why_not is None and not references_held:
        why_not = "the warehouse does not hold (or cannot be read for) every reference file"
    if why_not is not None:
        return None, {}, why_not
    tags = {AS_OF_TAG: as_of.isoformat(), SELECTION_TAG: ACTIVITY_ONLY}
    return activity_assets(asset_graph), tags, None
