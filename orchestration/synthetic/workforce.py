"""The Parent Partner roster (with turnover and role progression) and training records."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from orchestration.synthetic import months
from orchestration.synthetic.fake_people import full_name
from orchestration.synthetic.generation_window import GenerationWindow
from orchestration.synthetic.reference_seeds import Site, TrainingTopic

PARENT_PARTNERS_PER_SCALE = 150
ANNUAL_TURNOVER = 0.14
INELIGIBLE_SHARE = 0.03  # own reunification less than a year before starting
NEVER_MENTORS_SHARE = 0.05  # leave while still in training
EXCEL_USER_SHARE = 0.06  # fill in the paper-style workbook instead of the site's system
MISSING_TOPIC_SHARE = 0.04
LATE_TOPIC_SHARE = 0.04
OPTIONAL_TOPIC_SHARE = 0.3
# Larger towns host bigger sites.
SITE_WEIGHT = {"S01": 1.4, "S02": 1.6, "S03": 1.2, "S04": 1.2, "S05": 1.1}
_DAY = dt.timedelta(days=1)


@dataclass
class ParentPartner:
    pp_id: str
    site_id: str
    first_name: str
    last_name: str
    start_date: dt.date
    own_reunification_date: dt.date
    mentoring_from: dt.date | None  # None: never took a family
    full_from: dt.date | None
    planned_departure: dt.date | None
    capacity: int  # preferred caseload once a full Parent Partner
    uses_excel: bool
    end_date: dt.date | None = None
    match_exits: list[dt.date | None] = field(default_factory=list)

    def role_on(self, day: dt.date) -> str:
        if self.full_from is not None and day >= self.full_from:
            return "parent_partner"
        if self.mentoring_from is not None and day >= self.mentoring_from:
            return "pp_in_training_mentoring"
        return "pp_in_training"

    def capacity_on(self, day: dt.date) -> int:
        role = self.role_on(day)
        if role == "parent_partner":
            return self.capacity
        return min(self.capacity, 4) if role == "pp_in_training_mentoring" else 0

    def takes_new_families_on(self, day: dt.date) -> bool:
        # Coordinators stop assigning families to someone about to leave.
        leaving_soon = (self.planned_departure is not None
                        and day > self.planned_departure - 180 * _DAY)
        return day >= self.start_date and self.capacity_on(day) > 0 and not leaving_soon

    def active_in_month(self, month: int) -> bool:
        return (self.start_date <= months.last_day(month)
                and (self.end_date is None or self.end_date >= months.first_day(month)))


def _days(rng: np.random.Generator, low: float, high: float) -> dt.timedelta:
    return dt.timedelta(days=int(rng.integers(int(low), int(high) + 1)))


def _capacity(rng: np.random.Generator) -> int:
    band = rng.random()
    if band < 0.15:
        return int(rng.integers(2, 6))
    if band < 0.85:
        return int(rng.integers(6, 14))
    if band < 0.97:
        return int(rng.integers(14, 16))
    return int(rng.integers(16, 19))  # the few who run above the caseload limit


def _slots_per_site(sites: tuple[Site, ...], total: int) -> list[int]:
    weights = np.array([SITE_WEIGHT.get(s.site_id, 1.0) for s in sites])
    exact = weights / weights.sum() * total
    slots = np.floor(exact).astype(int)
    for i in np.argsort(-(exact - slots), kind="stable")[: total - slots.sum()]:
        slots[i] += 1
    return [max(1, int(n)) for n in slots]


def _new_partner(rng: np.random.Generator, site_id: str, start: dt.date, veteran: bool,
                 horizon: dt.date, clock_start: dt.date) -> ParentPartner:
    """clock_start: from when the chance of leaving runs (a veteran's: the simulation start)."""
    first, last = full_name(rng)
    if rng.random() < INELIGIBLE_SHARE:
        reunified = start - _days(rng, 110, 350)
    else:
        reunified = start - _days(rng, 400, 3300)
    never_mentors = not veteran and rng.random() < NEVER_MENTORS_SHARE
    mentoring = None if never_mentors else start + _days(rng, 45, 120)
    full = None if mentoring is None else mentoring + _days(rng, 180, 365)
    if never_mentors:
        departure = start + _days(rng, 90, 365)
    else:
        departure = clock_start + dt.timedelta(
            days=int(rng.exponential(365.25 / ANNUAL_TURNOVER)))
    return ParentPartner(
        pp_id="", site_id=site_id, first_name=first, last_name=last, start_date=start,
        own_reunification_date=reunified, mentoring_from=mentoring, full_from=full,
        planned_departure=departure if departure <= horizon else None,
        capacity=_capacity(rng), uses_excel=bool(rng.random() < EXCEL_USER_SHARE),
    )


def build_roster(rng: np.random.Generator, sites: tuple[Site, ...], scale: float,
                 window: GenerationWindow) -> list[ParentPartner]:
    """Slots per site, each held by a chain of Parent Partners: when one leaves, a
    new one starts shortly before, in training."""
    horizon = window.newest_extract
    intake_start = months.first_day(window.intake_start)
    total = max(len(sites), round(PARENT_PARTNERS_PER_SCALE * scale))
    roster: list[ParentPartner] = []
    for site, n_slots in zip(sites, _slots_per_site(sites, total), strict=True):
        for _ in range(n_slots):
            start = intake_start - _days(rng, 150, 2900)
            partner = _new_partner(rng, site.site_id, start, veteran=True, horizon=horizon,
                                   clock_start=intake_start)
            roster.append(partner)
            while partner.planned_departure is not None:
                successor_start = partner.planned_departure - _days(rng, 0, 60)
                partner = _new_partner(rng, site.site_id, successor_start, veteran=False,
                                       horizon=horizon, clock_start=successor_start)
                roster.append(partner)
    roster.sort(key=lambda p: (p.start_date, p.site_id, p.last_name, p.first_name))
    for number, partner in enumerate(roster, start=1):
        partner.pp_id = f"PP{number:04d}"
    return roster


def finalize_end_dates(rng: np.random.Generator, roster: list[ParentPartner],
                       horizon: dt.date) -> None:
    """A Parent Partner leaves once the last family is exited, not before."""
    for partner in roster:
        if partner.planned_departure is None:
            continue
        if any(exit_ is None for exit_ in partner.match_exits):
            continue
        last_exit = max(partner.match_exits, default=partner.planned_departure)
        end = max(partner.planned_departure, last_exit + _days(rng, 0, 14))
        partner.end_date = end if end <= horizon else None


@dataclass(frozen=True)
class TrainingRecord:
    pp_id: str
    topic_code: str
    completed_on: dt.date
    hours: float


def build_training_records(rng: np.random.Generator, roster: list[ParentPartner],
                           topics: tuple[TrainingTopic, ...]) -> list[TrainingRecord]:
    """Core topics mostly done before the first family; a few missing or done late."""
    core = [t for t in topics if t.is_core]
    optional = [t for t in topics if not t.is_core]
    records: list[TrainingRecord] = []
    for partner in roster:
        trained_by = (partner.mentoring_from or partner.start_date + 120 * _DAY) - _DAY
        missing = late = None
        draw = rng.random()
        if draw < MISSING_TOPIC_SHARE:
            missing = int(rng.integers(len(core)))
        elif draw < MISSING_TOPIC_SHARE + LATE_TOPIC_SHARE:
            late = int(rng.integers(len(core)))
        for i, topic in enumerate(core):
            done = min(partner.start_date + _days(rng, 7, 40), trained_by)
            if i == missing:
                continue
            if i == late:
                done = trained_by + _days(rng, 15, 120)
            if partner.end_date is not None and done > partner.end_date:
                continue
            records.append(TrainingRecord(partner.pp_id, topic.code, done, topic.hours))
        for topic in optional:
            if rng.random() < OPTIONAL_TOPIC_SHARE:
                done = partner.start_date + _days(rng, 60, 700)
                if partner.end_date is None or done <= partner.end_date:
                    records.append(TrainingRecord(partner.pp_id, topic.code, done, topic.hours))
    records.sort(key=lambda r: (r.pp_id, r.topic_code))
    return records
