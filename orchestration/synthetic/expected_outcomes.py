"""The outcome model's probabilities per episode in each world, given the episode.

`child_welfare._potential_outcomes` draws both worlds' outcomes from one set of
uniforms; this module gives the probabilities those draws are taken from, given
the covariates, the stay and the age at removal (all the same in both worlds).
Their treated-minus-untreated mean over the participant episodes is the expected
ATT on the treated: the effect a matched comparison estimates, free of the
participants' own outcome noise that the sample ATT of the draws carries.

The timing draws enter too: a return to care only counts while the child is under
18, so for children close to 18 the probability of a countable return is the
model's probability times the chance that the drawn return day falls before 18.
"""

from __future__ import annotations

import numpy as np

from orchestration.synthetic.child_welfare_model import (
    NON_MALTREATMENT_REASONS,
    REMOVAL_REASONS,
    ChildWelfareModel,
    Covariates,
    maltreatment_logit,
    reentry12_logit,
    reunify_logit,
    sigmoid,
)
from orchestration.synthetic.effect_modification import reunify_effect

ADULT_DAYS = 18 * 365.25
NON_MALTREATMENT = np.array([REMOVAL_REASONS.index(r) for r in NON_MALTREATMENT_REASONS])


def chance_minor_at_12(days_to_adult: np.ndarray) -> np.ndarray:
    """P(8 + floor(357 U^1.5) < D), U uniform: the 12-month return day's law."""
    limit = np.clip(np.ceil(days_to_adult - 8) / 357, 0.0, 1.0)
    return limit ** (2 / 3)


def chance_minor_at_24(days_to_adult: np.ndarray) -> np.ndarray:
    """P(366 + J < D), J uniform on 0..364: the 13-24 month return day's law."""
    return np.clip(np.ceil(days_to_adult - 366), 0, 365) / 365


def outcome_probabilities(model: ChildWelfareModel, x: Covariates, stay: np.ndarray,
                          age_days: np.ndarray) -> dict[str, np.ndarray]:
    """Per episode and world ("_1" with the program, "_0" without): the probability
    of each outcome as `_potential_outcomes` defines it, given x, stay and age."""
    days_to_adult = ADULT_DAYS - age_days - stay
    m12, m24 = chance_minor_at_12(days_to_adult), chance_minor_at_24(days_to_adult)
    r_logit, e_logit, a_logit = (reunify_logit(model, x), reentry12_logit(model, x),
                                 maltreatment_logit(model, x))
    p24 = sigmoid(e_logit + model.reentry24_extra_logit)
    maltreatment_reason = ~np.isin(x.reason, NON_MALTREATMENT)
    out: dict[str, np.ndarray] = {}
    for world, t in (("1", 1.0), ("0", 0.0)):
        early = sigmoid(e_logit + model.reentry12_effect * t)
        reentry12 = early * m12
        # Not early, but under the untreated 24-month probability (same uniform).
        late = np.clip(p24 - early, 0.0, None) * m24
        abuse = sigmoid(a_logit + model.maltreatment_effect * t)
        out[f"reunified_{world}"] = sigmoid(r_logit + reunify_effect(model, x) * t)
        out[f"reentry12_{world}"] = reentry12
        out[f"reentry24_{world}"] = reentry12 + late
        # Re-abuse counts for children not back within 12 months (independent
        # uniforms); a return for a maltreatment reason carries its own report.
        out[f"maltreatment12_{world}"] = (abuse * (1 - reentry12)
                                          + reentry12 * maltreatment_reason)
    return out
