"""Month arithmetic on a single integer per month (year * 12 + month - 1)."""

from __future__ import annotations

import calendar
import datetime as dt


def parse_month(text: str) -> int:
    year, month = text.split("-")
    return int(year) * 12 + int(month) - 1


def month_text(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def first_day(index: int) -> dt.date:
    return dt.date(index // 12, index % 12 + 1, 1)


def last_day(index: int) -> dt.date:
    year, month = index // 12, index % 12 + 1
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def days_in(index: int) -> int:
    return calendar.monthrange(index // 12, index % 12 + 1)[1]


def month_of(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def sfy_of(index: int) -> int:
    """Iowa's state fiscal year: SFY s runs from July of s-1 to June of s."""
    year, month = index // 12, index % 12 + 1
    return year + 1 if month >= 7 else year


def due_date(index: int) -> dt.date:
    """A form is due on the 10th of the month after its service month."""
    return first_day(index + 1).replace(day=10)
