"""Referrals, matches to Parent Partners (caseload-aware) and match exits."""

from __future__ import annotations

import datetime as dt
import heapq
from dataclasses import dataclass

import numpy as np

from orchestration.reference_data import code_list
from orchestration.synthetic import months
from orchestration.synthetic.child_welfare import COUNTY_WEIGHT
from orchestration.synthetic.fake_people import full_name
from orchestration.synthetic.generation_window import GenerationWindow
from orchestration.synthetic.reference_seeds import County, Site
from orchestration.synthetic.workforce import ParentPartner

MATCHES_PER_YEAR_PER_SCALE = 1800
MATCH_SHARE = 0.9  # referrals that lead to a match
# Referrals dip around the holidays.
REFERRAL_SEASONALITY = (0.95, 1.0, 1.08, 1.05, 1.05, 1.02, 1.0, 1.05, 1.05, 1.03, 0.95, 0.72)
# Shares in the order of seeds/code_lists.csv (caseworker, court, self, other).
REFERRAL_SOURCES = code_list("referrals", "referral_source")
REFERRAL_SOURCE_P = (0.70, 0.15, 0.10, 0.05)
PARENT_GENDERS = ("female", "male")
PARENT_RACES = ("white", "black", "hispanic", "multiracial", "native_american", "asian")
PARENT_RACE_P = (0.71, 0.11, 0.09, 0.06, 0.02, 0.01)
EXIT_REASONS_OTHER = ("case_closed", "parent_declined", "moved", "other")
EXIT_REASONS_OTHER_P = (0.55, 0.22, 0.10, 0.13)
OVERFLOW_SHARE = 0.03  # a full site still takes the family, on the lightest caseload
_DAY = dt.timedelta(days=1)


@dataclass
class Family:
    referral_id: str
    family_id: str
    site_id: str
    county_fips: str
    referral_date: dt.date
    referral_source: str
    parent_first_name: str
    parent_last_name: str
    parent_birth_date: dt.date
    parent_gender: str
    parent_race_ethnicity: str
    match_date: dt.date | None = None
    pp_id: str | None = None
    exit_date: dt.date | None = None
    exit_reason: str | None = None
    children_in_care: bool = False
    engaged: bool = True  # low-engagement families get fewer contacts


def _referral_dates(rng: np.random.Generator, scale: float, window: GenerationWindow
                    ) -> list[dt.date]:
    rate = MATCHES_PER_YEAR_PER_SCALE * scale / 12 / MATCH_SHARE
    mean = np.mean(REFERRAL_SEASONALITY)
    dates: list[dt.date] = []
    for month in range(window.intake_start, window.last_month + 1):
        n = int(rng.poisson(rate * REFERRAL_SEASONALITY[month % 12] / mean))
        first = months.first_day(month)
        days = np.sort(rng.integers(0, months.days_in(month), size=n))
        dates.extend(first + dt.timedelta(days=int(d)) for d in days)
    return dates


def build_referrals(rng: np.random.Generator, scale: float, window: GenerationWindow,
                    sites: tuple[Site, ...], counties: tuple[County, ...],
                    roster: list[ParentPartner]) -> list[Family]:
    """Referrals with match dates; pp_id and exits are filled in later."""
    capacity = {s.site_id: 0.0 for s in sites}
    for partner in roster:
        capacity[partner.site_id] += partner.capacity
    site_p = np.array([capacity[s.site_id] for s in sites])
    site_p /= site_p.sum()
    by_area = {a: [c for c in counties if c.service_area == a]
               for a in {c.service_area for c in counties}}
    families: list[Family] = []
    last_match_day = window.intake_end_date
    for number, referred in enumerate(_referral_dates(rng, scale, window), start=1):
        site = sites[int(rng.choice(len(sites), p=site_p))]
        local = by_area[site.service_area]
        weights = np.array([COUNTY_WEIGHT.get(c.fips, 0.6) for c in local])
        county = local[int(rng.choice(len(local), p=weights / weights.sum()))]
        first, last = full_name(rng)
        gender = PARENT_GENDERS[0] if rng.random() < 0.8 else PARENT_GENDERS[1]
        family = Family(
            referral_id=f"R{number:07d}", family_id=f"F{number:07d}", site_id=site.site_id,
            county_fips=county.fips, referral_date=referred,
            referral_source=REFERRAL_SOURCES[rng.choice(len(REFERRAL_SOURCES), p=REFERRAL_SOURCE_P)],
            parent_first_name=first, parent_last_name=last,
            parent_birth_date=referred - dt.timedelta(days=int(rng.integers(18 * 365, 48 * 365))),
            parent_gender=gender,
            parent_race_ethnicity=PARENT_RACES[rng.choice(len(PARENT_RACES), p=PARENT_RACE_P)],
            engaged=bool(rng.random() < 0.85),
        )
        if rng.random() < MATCH_SHARE:
            match = referred + dt.timedelta(days=1 + min(20, int(rng.exponential(4))))
            if match <= last_match_day:
                family.match_date = match
                family.children_in_care = bool(rng.random() < 0.30)
        elif rng.random() < 0.8:
            family.exit_date = referred + dt.timedelta(days=int(rng.integers(5, 31)))
            family.exit_reason = "parent_declined"
        families.append(family)
    return families


def _planned_match_days(rng: np.random.Generator) -> int:
    """Typically 4..12 months; some leave early, a few stay long."""
    band = rng.random()
    if band < 0.10:
        return int(rng.integers(30, 110))
    if band < 0.92:
        return int(np.clip(rng.lognormal(np.log(235), 0.3), 120, 380))
    return int(rng.integers(380, 600))


def set_exits(rng: np.random.Generator, families: list[Family],
              focal_discharge: dict[str, tuple[dt.date, str]]) -> None:
    """The match ends when the children come home, when parental rights end, or at
    its own pace; exits after the newest extract are simply not known yet."""
    for family in families:
        if family.match_date is None:
            continue
        planned = family.match_date + dt.timedelta(days=_planned_match_days(rng))
        discharge = focal_discharge.get(family.family_id)
        if discharge is not None and discharge[1] == "reunification" and \
                family.match_date <= discharge[0] <= planned + 60 * _DAY:
            family.exit_date = discharge[0] + dt.timedelta(days=int(rng.integers(0, 31)))
            family.exit_reason = "reunified"
        elif discharge is not None and discharge[1] == "adoption" and discharge[0] <= planned:
            family.exit_date = max(discharge[0] - 120 * _DAY, family.match_date + 30 * _DAY)
            family.exit_reason = "rights_terminated"
        else:
            family.exit_date = planned
            family.exit_reason = EXIT_REASONS_OTHER[
                rng.choice(len(EXIT_REASONS_OTHER), p=EXIT_REASONS_OTHER_P)]


def assign_parent_partners(rng: np.random.Generator, families: list[Family],
                           roster: list[ParentPartner]) -> None:
    """In match order, each family goes to a Parent Partner of its site with room,
    weighted by free places; a full site overflows onto the lightest caseload."""
    by_site: dict[str, list[ParentPartner]] = {}
    for partner in roster:
        by_site.setdefault(partner.site_id, []).append(partner)
    open_exits: dict[str, list[dt.date]] = {p.pp_id: [] for p in roster}
    no_exit = dt.date.max
    for family in sorted((f for f in families if f.match_date is not None),
                         key=lambda f: (f.match_date, f.referral_id)):
        day = family.match_date
        candidates = [p for p in by_site[family.site_id] if p.takes_new_families_on(day)]
        if not candidates:
            candidates = [p for p in by_site[family.site_id]
                          if p.start_date <= day and (p.planned_departure is None
                                                      or p.planned_departure > day)]
        if not candidates:
            candidates = by_site[family.site_id]
        loads = []
        for partner in candidates:
            heap = open_exits[partner.pp_id]
            while heap and heap[0] < day:
                heapq.heappop(heap)
            loads.append(len(heap))
        free = np.array([max(0, p.capacity_on(day) - n) for p, n in zip(candidates, loads)],
                        dtype=float)
        if free.sum() > 0 and rng.random() >= OVERFLOW_SHARE * (free.sum() < 3):
            chosen = candidates[int(rng.choice(len(candidates), p=free / free.sum()))]
        else:
            chosen = candidates[int(np.argmin(np.array(loads) - 0.01 * np.array(
                [p.capacity for p in candidates])))]
        family.pp_id = chosen.pp_id
        heapq.heappush(open_exits[chosen.pp_id], family.exit_date or no_exit)
        chosen.match_exits.append(family.exit_date)


def hide_future(families: list[Family], horizon: dt.date) -> None:
    """What happened after the newest extract is not in any file."""
    for family in families:
        if family.exit_date is not None and family.exit_date > horizon:
            family.exit_date = None
            family.exit_reason = None
