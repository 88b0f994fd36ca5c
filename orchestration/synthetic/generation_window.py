"""The calendar of one generated landing zone: service months, extracts, as-of date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from orchestration.synthetic import months

# Matches active in the first service month began up to a year earlier; the
# program is simulated from then on so caseloads start at their steady state.
INTAKE_BURN_IN_MONTHS = 12
# The state's case system holds history: prior removals need years before the window.
CHILD_WELFARE_HISTORY_MONTHS = 36


@dataclass(frozen=True)
class GenerationWindow:
    first_month: int
    last_month: int

    @classmethod
    def from_args(cls, start: str, n_months: int) -> GenerationWindow:
        if n_months < 1:
            raise ValueError("months must be at least 1")
        first = months.parse_month(start)
        return cls(first, first + n_months - 1)

    @property
    def service_months(self) -> range:
        return range(self.first_month, self.last_month + 1)

    @property
    def intake_start(self) -> int:
        return self.first_month - INTAKE_BURN_IN_MONTHS

    @property
    def history_start(self) -> int:
        return self.first_month - CHILD_WELFARE_HISTORY_MONTHS

    @property
    def intake_end_date(self) -> dt.date:
        """No match after the last service month: its forms would have no folder."""
        return months.last_day(self.last_month)

    @property
    def newest_extract(self) -> dt.date:
        """End of the month after the last service month: its forms are due by then."""
        return months.last_day(self.last_month + 1)

    @property
    def older_extract(self) -> dt.date:
        return months.last_day(max(self.first_month, self.last_month - 3))

    @property
    def extract_dates(self) -> tuple[dt.date, dt.date]:
        return (self.older_extract, self.newest_extract)

    @property
    def as_of(self) -> dt.date:
        return self.newest_extract + dt.timedelta(days=1)
