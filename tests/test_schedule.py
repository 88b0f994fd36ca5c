"""The monthly schedule asks for the month just closed, as of the tick's date."""

import datetime as dt
from zoneinfo import ZoneInfo

import dagster as dg

from orchestration.defs.jobs import AS_OF_TAG, RANGE_END_TAG, RANGE_START_TAG
from orchestration.defs.schedules import monthly_refresh

CHICAGO = ZoneInfo("America/Chicago")


def request_at(when: dt.datetime) -> dg.RunRequest:
    context = dg.build_schedule_context(scheduled_execution_time=when)
    return monthly_refresh.evaluate_tick(context).run_requests[0]


def test_the_november_tick_refreshes_october_as_of_the_eleventh():
    request = request_at(dt.datetime(2024, 11, 11, 6, 0, tzinfo=CHICAGO))
    assert request.tags[AS_OF_TAG] == "2024-11-11"
    assert (request.tags[RANGE_START_TAG], request.tags[RANGE_END_TAG]) == ("2024-10", "2024-10")
    assert request.run_key == "monthly-2024-10"


def test_the_january_tick_refreshes_december_of_the_year_before():
    request = request_at(dt.datetime(2025, 1, 11, 6, 0, tzinfo=CHICAGO))
    assert (request.tags[RANGE_START_TAG], request.tags[AS_OF_TAG]) == ("2024-12", "2025-01-11")


def test_the_as_of_date_is_chicagos_date_not_utcs():
    # 03:00 UTC on the 12th is still the 11th in Chicago.
    request = request_at(dt.datetime(2024, 3, 12, 3, 0, tzinfo=dt.UTC))
    assert request.tags[AS_OF_TAG] == "2024-03-11"


def test_runs_on_the_eleventh_at_six_chicago_time():
    assert monthly_refresh.cron_schedule == "0 6 11 * *"
    assert monthly_refresh.execution_timezone == "America/Chicago"
    assert monthly_refresh.job_name == "materialize_everything"
