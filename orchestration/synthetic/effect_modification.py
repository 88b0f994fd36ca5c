"""The planted difference of effect between groups: the program helps young children home.

Parent Partners work with the parents; the younger the child, the more the return home
turns on the parents alone. The model's reunification effect (`reunify_effect`, logit
scale) is shifted by the child's age band at removal (`reunify_effect_shift_by_age_band`):
+0.75 for children under 6, +0.15 for children of 6 and over (70 % of participants are
under 6, so the average effect on the logit is about 0.57).

The truth file states, per age band, the expected and sample ATT on reunification over
the participant episodes discharged by the as-of date (the population of the overall
reunification ATT), and the planted difference between PLANTED_GROUPS: the contrast a
subgroup analysis by age band should recover (marts.fct_outcome_by_subgroup).
"""

from __future__ import annotations

import numpy as np

from orchestration.synthetic.child_welfare_model import AGE_BANDS, ChildWelfareModel, Covariates

GROUPING = "age_band"
OUTCOME = "reunified"
# The two groups whose difference of effect is stated: the largest band on each side.
PLANTED_GROUPS = ("1-5", "6-12")


def reunify_effect(model: ChildWelfareModel, x: Covariates) -> np.ndarray:
    """The program's shift of the reunification logit, per episode."""
    return model.reunify_effect + np.take(model.reunify_effect_shift_by_age_band, x.age_band)


def effect_by_group(outcomes: dict[str, np.ndarray], expected: dict[str, np.ndarray],
                    population: np.ndarray, age_band: np.ndarray) -> dict:
    """Per age band: n, the expected and the sample ATT on reunification over `population`
    (participant episodes discharged by the as-of date); and the planted difference."""
    groups = {}
    for index, band in enumerate(AGE_BANDS):
        mask = population & (age_band == index)
        n = int(mask.sum())
        groups[band] = {
            "n": n,
            "att_expected": round(float(
                (expected["reunified_1"][mask] - expected["reunified_0"][mask]).mean()), 6)
            if n else None,
            "att": round(float(outcomes["reunified_1"][mask].mean()
                               - outcomes["reunified_0"][mask].mean()), 6) if n else None,
        }
    first, second = (groups[g] for g in PLANTED_GROUPS)
    difference = {
        key: round(first[key] - second[key], 6)
        if first[key] is not None and second[key] is not None else None
        for key in ("att_expected", "att")
    }
    return {"grouping": GROUPING, "outcome": OUTCOME, "groups": groups,
            "difference": {"between": list(PLANTED_GROUPS), **difference}}
