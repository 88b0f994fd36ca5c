"""The planted reach gap: in one service area, the families of one race/ethnicity are
referred to the program at a lower rate than the model's, so the program reaches fewer of
their removed children there (marts.fct_reach_by_group should find it).

Program families are drawn from the referrals before their children are, so the gap is
planted on the children: in the area, a family whose children were drawn in the group keeps
them with probability `referral_rate_ratio`; otherwise its place went to a family of
another group (its children redrawn from the participants' other groups). The area's
number of participants is unchanged; its share of the group's removals falls to about
`referral_rate_ratio` of what the model gives. The gap draws from its own stream, so every
other value of a data set is what it was before the gap was planted, except what the
relabelled children's group changes (their outcome model's race terms).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass

import numpy as np

from orchestration.synthetic import months


@dataclass(frozen=True)
class ReachGap:
    service_area: str = "Des Moines"
    race_ethnicity: str = "black"
    referral_rate_ratio: float = 0.3


def plant_reach_gap(gap: ReachGap, rng: np.random.Generator, races: Sequence[str],
                    shares: Sequence[float], family_ids: Sequence[str], race: np.ndarray,
                    area: Sequence[str]) -> tuple[np.ndarray, int]:
    """The participants' races with the gap planted, and how many families lost their place.

    `race` indexes `races` per child; `shares` are the participants' race shares; children
    of one family are consecutive (as the generator draws them)."""
    group = races.index(gap.race_ethnicity)
    others = np.array([s if i != group else 0.0 for i, s in enumerate(shares)])
    others /= others.sum()
    race = race.copy()
    families = list(dict.fromkeys(family_ids))
    kept = rng.random(len(families)) < gap.referral_rate_ratio
    replacement = rng.choice(len(races), size=len(families), p=others)
    of_family = {family: i for i, family in enumerate(families)}
    moved: set[str] = set()
    for child, family in enumerate(family_ids):
        i = of_family[family]
        if area[child] == gap.service_area and race[child] == group and not kept[i]:
            race[child] = replacement[i]
            moved.add(family)
    return race, len(moved)


@dataclass(frozen=True)
class Removal:
    """What the reach measures need of a written removal episode."""
    child_id: str
    removal_date: dt.date
    race_ethnicity: str
    service_area: str


def reach_gap_truth(gap: ReachGap, removals: Iterable[Removal],
                    reached: set[tuple[str, dt.date]], families_moved: int,
                    as_of: dt.date) -> dict:
    """The gap and, per state fiscal year of removal, the planted group's removals in the
    area and how many of them the program reached (the participants' own episodes, open on
    their family's match date), beside the statewide figures and the disparity ratio they
    make - counted from what the generator wrote, not from the pipeline's reading of it."""
    counts: dict[int, dict[str, int]] = {}
    for removal in removals:
        if removal.removal_date > as_of:
            continue
        sfy = months.sfy_of(months.month_of(removal.removal_date))
        row = counts.setdefault(sfy, {"removals": 0, "matched": 0, "statewide_removals": 0,
                                      "statewide_matched": 0})
        hit = (removal.child_id, removal.removal_date) in reached
        row["statewide_removals"] += 1
        row["statewide_matched"] += hit
        if (removal.service_area == gap.service_area
                and removal.race_ethnicity == gap.race_ethnicity):
            row["removals"] += 1
            row["matched"] += hit
    return {**asdict(gap), "grouping": "race_ethnicity", "families_moved": families_moved,
            "by_sfy": {str(sfy): {**row, "disparity_ratio": _ratio(row)}
                       for sfy, row in sorted(counts.items())}}


def _ratio(row: Mapping[str, int]) -> float | None:
    if not row["removals"] or not row["statewide_matched"]:
        return None
    share = row["matched"] / row["removals"]
    return round(share / (row["statewide_matched"] / row["statewide_removals"]), 6)
