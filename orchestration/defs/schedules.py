"""The monthly schedule: the 11th at 06:00 Chicago time, the day after forms are due.

Each Parent Partner's form for a month is due on the 10th of the next month, so on the
11th the month just closed is complete enough to report. The run ingests that month's
activity, rebuilds every model and check for it as of the tick's date, and publishes.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import dagster as dg

from orchestration.defs.jobs import AS_OF_TAG, materialize_everything, partition_range_tags

TIMEZONE = "America/Chicago"


def month_just_closed(tick: dt.date) -> str:
    """The service month (YYYY-MM) before the tick's month."""
    return (tick.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")


@dg.schedule(
    job=materialize_everything,
    cron_schedule="0 6 11 * *",
    execution_timezone=TIMEZONE,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description=(
        "On the 11th at 06:00 (America/Chicago), after forms are due on the 10th: ingest "
        "and rebuild the month just closed as of that day, run every check, publish."
    ),
)
def monthly_refresh(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    tick = context.scheduled_execution_time.astimezone(ZoneInfo(TIMEZONE)).date()
    month = month_just_closed(tick)
    return dg.RunRequest(
        run_key=f"monthly-{month}",
        tags={AS_OF_TAG: tick.isoformat(), **partition_range_tags(month, month)},
    )
