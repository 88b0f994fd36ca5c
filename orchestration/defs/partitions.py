"""Monthly partitions of the activity data, keyed by service month."""

import dagster as dg

FIRST_SERVICE_MONTH = "2019-07"

# end_offset=1 keeps the current month addressable: a form may arrive before its month ends.
service_month_partitions = dg.MonthlyPartitionsDefinition(
    start_date=FIRST_SERVICE_MONTH, end_offset=1, fmt="%Y-%m"
)
