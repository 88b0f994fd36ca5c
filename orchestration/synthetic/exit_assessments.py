"""The Fidelity Checklist and Parent Outcome assessment completed at a match's exit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from orchestration.reference_data import code_list
from orchestration.synthetic.referrals import Family

ON_TIME_CHECKLIST = 0.91  # within 30 days of the exit
LATE_CHECKLIST = 0.05
OUTCOME_ASSESSMENT = 0.85
# Shares in the order of seeds/code_lists.csv (yes, no, na).
RESPONSES = code_list("fidelity_checklists", "response")
RESPONSE_P = (0.85, 0.10, 0.05)
SCORE_P = (0.03, 0.07, 0.20, 0.35, 0.35)


@dataclass(frozen=True)
class ChecklistRow:
    family_id: str
    pp_id: str
    match_date: dt.date
    completed_on: dt.date
    item_code: str
    response: str


@dataclass(frozen=True)
class OutcomeRow:
    family_id: str
    match_date: dt.date
    completed_on: dt.date
    item_code: str
    score: int


def build_exit_assessments(rng: np.random.Generator, families: list[Family],
                           fidelity_items: tuple[str, ...], outcome_items: tuple[str, ...],
                           horizon: dt.date) -> tuple[list[ChecklistRow], list[OutcomeRow]]:
    checklists: list[ChecklistRow] = []
    outcomes: list[OutcomeRow] = []
    for family in families:
        if family.match_date is None or family.exit_date is None:
            continue
        u = rng.random()
        completed: dt.date | None = None
        if u < ON_TIME_CHECKLIST:
            completed = family.exit_date + dt.timedelta(days=int(rng.integers(-10, 26)))
        elif u < ON_TIME_CHECKLIST + LATE_CHECKLIST:
            completed = family.exit_date + dt.timedelta(days=int(rng.integers(31, 76)))
        responses = rng.choice(len(RESPONSES), size=len(fidelity_items), p=RESPONSE_P)
        if completed is not None and completed <= horizon:
            completed = max(completed, family.match_date)
            checklists.extend(
                ChecklistRow(family.family_id, family.pp_id, family.match_date, completed,
                             item, RESPONSES[r]) for item, r in zip(fidelity_items, responses))
        scores = 1 + rng.choice(5, size=len(outcome_items), p=SCORE_P)
        if rng.random() < OUTCOME_ASSESSMENT:
            done = (completed or family.exit_date) + dt.timedelta(days=int(rng.integers(0, 8)))
            if done <= horizon:
                outcomes.extend(OutcomeRow(family.family_id, family.match_date, done, item,
                                           int(s)) for item, s in zip(outcome_items, scores))
    return checklists, outcomes
