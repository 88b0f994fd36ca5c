"""The dbt vars a run passes: its as-of date, and the month window of a partial run."""

import datetime as dt

from orchestration.assets.dbt import dbt_vars
from orchestration.partitions import service_month_partitions

AS_OF = dt.date(2024, 8, 1)


def test_unpartitioned_run_passes_only_the_as_of_date():
    assert dbt_vars(AS_OF) == {"as_of_date": "2024-08-01"}


def test_a_range_of_months_becomes_the_window():
    assert dbt_vars(AS_OF, ["2024-03", "2024-04", "2024-05"]) == {
        "as_of_date": "2024-08-01",
        "min_service_month": "2024-03-01",
        "max_service_month": "2024-05-01",
    }


def test_a_run_over_every_month_rebuilds_everything():
    assert dbt_vars(AS_OF, service_month_partitions.get_partition_keys()) == {
        "as_of_date": "2024-08-01"
    }


def test_a_configured_reporting_start_is_passed_as_its_first_day():
    assert dbt_vars(AS_OF, reporting_start="2021-07") == {
        "as_of_date": "2024-08-01",
        "reporting_start": "2021-07-01",
    }
