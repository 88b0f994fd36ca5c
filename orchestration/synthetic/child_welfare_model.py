"""The planted child-welfare model: who enters care, how episodes end, what follows.

Every probability is a logistic function of the child's observed covariates
(age band, sex, race/ethnicity, removal reason, prior removals, service area,
removal year) plus, for program participants, a treatment shift. Participants'
covariates are drawn from tilted distributions (selection on observables), so a
naive participant-vs-everyone comparison is biased while a comparison matched on
these covariates recovers the planted effect. Re-entry and re-abuse depend on
covariates and treatment only, never on the draw that decided reunification.
The numbers are calibrated to Iowa's published CFSR context at scale 1 (see
README); the effects follow the direction of Chambers et al. (2019).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from orchestration.reference_data import code_list

AGE_BANDS = ("0", "1-5", "6-12", "13-17")
AGE_BAND_YEARS = ((0, 0), (1, 5), (6, 12), (13, 17))
SEXES = ("female", "male")
RACES = ("white", "black", "hispanic", "multiracial", "native_american", "asian")
# The model's reason_* shares follow the order of seeds/code_lists.csv.
REMOVAL_REASONS = code_list("removal_episodes", "removal_reason")
# Removals that do not start from a maltreatment finding.
NON_MALTREATMENT_REASONS = ("parent_incarceration", "caretaker_inability")
PRIOR_REMOVALS = (0, 1, 2)


@dataclass(frozen=True)
class ChildWelfareModel:
    # Volumes (scale 1 = Iowa). Entries include re-entries and the prior removals
    # of children entering again; the total lands near 2,700 a year.
    comparison_families_per_year: float = 1100.0
    program_families_in_care_share: float = 0.30
    children_per_family: tuple[float, ...] = (0.70, 0.22, 0.08)  # 1, 2, 3 children
    sibling_same_race: float = 0.9
    in_home_victims_per_year: float = 1500.0
    in_home_recurrence_12m: float = 0.24
    unsubstantiated_report_share: float = 0.12
    # Substantiated maltreatment of a child while in care, after its first week (the CFSR
    # indicator's numerator): national performance is about 9 per 100,000 days in care.
    in_care_victimizations_per_100k_days: float = 9.0
    removal_to_match_mean_days: float = 25.0
    entry_seasonality: tuple[float, ...] = (
        1.0, 1.0, 1.05, 1.05, 1.05, 1.0, 0.95, 1.05, 1.05, 1.0, 0.95, 0.85)  # Jan..Dec

    # Covariate distributions: comparison pool vs program participants.
    age_band_pool: tuple[float, ...] = (0.20, 0.30, 0.30, 0.20)
    age_band_participant: tuple[float, ...] = (0.22, 0.48, 0.26, 0.04)
    race_pool: tuple[float, ...] = (0.66, 0.13, 0.11, 0.07, 0.02, 0.01)
    race_participant: tuple[float, ...] = (0.71, 0.10, 0.09, 0.07, 0.02, 0.01)
    reason_pool: tuple[float, ...] = (0.30, 0.12, 0.04, 0.34, 0.04, 0.08, 0.08)
    reason_participant: tuple[float, ...] = (0.27, 0.09, 0.03, 0.45, 0.05, 0.07, 0.04)
    # Participants' prior removals (0, 1, 2). The pool's are not drawn: they are the
    # earlier episodes of its children, generated forward by the outcome model.
    prior_participant: tuple[float, ...] = (0.92, 0.07, 0.01)

    # Reunification (logit).
    reunify_intercept: float = 0.35
    reunify_age: tuple[float, ...] = (-0.35, 0.25, 0.0, -1.0)
    reunify_male: float = 0.0
    reunify_race: tuple[float, ...] = (0.0, -0.2, 0.05, -0.05, -0.35, 0.0)
    reunify_reason: tuple[float, ...] = (0.0, 0.1, -0.45, -0.35, 0.25, -0.2, 0.0)
    reunify_per_prior: float = -0.45
    reunify_area: dict[str, float] = field(default_factory=lambda: {
        "Cedar Rapids": 0.10, "Des Moines": 0.0, "Eastern": -0.10, "Northern": 0.15,
        "Western": -0.15})
    reunify_per_year_since_2020: float = 0.04
    reunify_effect: float = 0.45  # participants, logit scale (about +10 points)
    # Added to reunify_effect by age band (effect_modification.py): +0.75 under 6, +0.15 from 6.
    reunify_effect_shift_by_age_band: tuple[float, ...] = (0.3, 0.3, -0.3, -0.3)

    # Length of stay (days): lognormal on covariates, the same with or without
    # the program (no planted effect on time in care).
    stay_median_days: float = 360.0
    stay_sigma: float = 0.75
    stay_age: tuple[float, ...] = (0.2, 0.0, 0.0, 0.15)
    stay_reason: tuple[float, ...] = (0.0, 0.0, 0.2, 0.15, -0.1, 0.0, 0.0)
    stay_per_prior: float = -0.1
    short_stay_share: float = 0.03  # out within a week (CFSR excludes stays under 8 days)

    # Re-entry after reunification (logit of within 12 months); by 24 months the
    # program's 12-month gain is gone: p24 is the same with or without the program.
    reentry12_intercept: float = -2.0
    reentry_age: tuple[float, ...] = (0.15, 0.15, 0.0, 0.2)
    reentry_race: tuple[float, ...] = (0.0, 0.1, 0.0, 0.05, 0.1, 0.0)
    reentry_reason: tuple[float, ...] = (0.0, 0.1, 0.0, 0.3, 0.0, 0.0, 0.0)
    reentry_per_prior: float = 0.45
    reentry12_effect: float = -0.55  # participants, logit scale (about -5 points)
    reentry24_extra_logit: float = 0.6
    other_permanency_reentry_12m: float = 0.05  # after relative or guardianship exits
    other_permanency_reentry_24m: float = 0.08
    # A child back home and not returned within 24 months comes back later (years
    # 3-5) with this probability: outside every outcome window, it is where most
    # prior removals come from.
    late_reentry_share: float = 0.25

    # Re-abuse without re-entry within 12 months of reunification (logit).
    maltreatment_intercept: float = -3.0
    maltreatment_per_prior: float = 0.3
    maltreatment_effect: float = -0.4


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def logit(p: np.ndarray) -> np.ndarray:
    return np.log(p / (1.0 - p))


@dataclass(frozen=True)
class Covariates:
    """One entry per episode, categories as indexes into the tuples above."""
    age_band: np.ndarray
    male: np.ndarray
    race: np.ndarray
    reason: np.ndarray
    prior: np.ndarray
    area: list[str]
    removal_year: np.ndarray


def reunify_logit(model: ChildWelfareModel, x: Covariates) -> np.ndarray:
    area = np.array([model.reunify_area.get(a, 0.0) for a in x.area])
    return (model.reunify_intercept + np.take(model.reunify_age, x.age_band)
            + model.reunify_male * x.male + np.take(model.reunify_race, x.race)
            + np.take(model.reunify_reason, x.reason) + model.reunify_per_prior * x.prior
            + area + model.reunify_per_year_since_2020 * (x.removal_year - 2020))


def stay_log_mean(model: ChildWelfareModel, x: Covariates) -> np.ndarray:
    return (np.log(model.stay_median_days) + np.take(model.stay_age, x.age_band)
            + np.take(model.stay_reason, x.reason) + model.stay_per_prior * x.prior)


def reentry12_logit(model: ChildWelfareModel, x: Covariates) -> np.ndarray:
    return (model.reentry12_intercept + np.take(model.reentry_age, x.age_band)
            + np.take(model.reentry_race, x.race) + np.take(model.reentry_reason, x.reason)
            + model.reentry_per_prior * x.prior)


def maltreatment_logit(model: ChildWelfareModel, x: Covariates) -> np.ndarray:
    return model.maltreatment_intercept + model.maltreatment_per_prior * x.prior
