"""The state case system's extract: removal episodes and maltreatment reports for
program families and a larger comparison pool, with both potential outcomes of
every participant episode kept for the truth file."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from orchestration.synthetic import months
from orchestration.synthetic.child_welfare_model import (
    AGE_BAND_YEARS,
    RACES,
    REMOVAL_REASONS,
    SEXES,
    ChildWelfareModel,
    Covariates,
    maltreatment_logit,
    reentry12_logit,
    reunify_logit,
    sigmoid,
    stay_log_mean,
)
from orchestration.synthetic.effect_modification import effect_by_group, reunify_effect
from orchestration.synthetic.expected_outcomes import (
    ADULT_DAYS,
    NON_MALTREATMENT,
    outcome_probabilities,
)
from orchestration.synthetic.generation_window import GenerationWindow
from orchestration.synthetic.planted_reach import (
    ReachGap,
    Removal,
    plant_reach_gap,
    reach_gap_truth,
)
from orchestration.synthetic.reference_seeds import County

# Where the comparison pool lives: the big counties carry most removals.
COUNTY_WEIGHT = {"19153": 14.0, "19113": 6.0, "19163": 5.0, "19013": 4.0, "19193": 3.5,
                 "19103": 3.0, "19155": 3.0, "19061": 2.5, "19169": 2.0, "19049": 2.0,
                 "19057": 1.5, "19179": 1.5, "19187": 1.5, "19033": 1.5, "19111": 1.5,
                 "19045": 1.5, "19127": 1.5}
DISCHARGE_LATER = ("adoption", "guardianship", "live_with_relative", "other", "transfer")
DISCHARGE_LATER_P = (0.5, 0.25, 0.15, 0.05, 0.05)
DISCHARGE_EARLY = ("live_with_relative", "guardianship", "transfer", "runaway", "other")
DISCHARGE_EARLY_P = (0.45, 0.25, 0.10, 0.08, 0.12)
OTHER_PERMANENCY = ("live_with_relative", "guardianship")


@dataclass(frozen=True)
class ProgramCase:
    """A matched program family whose children are in care on the match date."""
    family_id: str
    match_date: dt.date
    county_fips: str
    service_area: str


@dataclass(frozen=True)
class EpisodeRow:
    child_id: str
    family_id: str
    removal_date: dt.date
    discharge_date: dt.date | None
    discharge_reason: str | None
    child_birth_date: dt.date
    child_sex: str
    child_race_ethnicity: str
    county_fips: str
    removal_reason: str


@dataclass(frozen=True)
class ReportRow:
    child_id: str
    family_id: str
    report_date: dt.date
    finding: str


@dataclass
class ChildWelfareHistory:
    episodes: list[tuple[str, EpisodeRow]]  # (episode_id, row), sorted by id
    reports: list[tuple[str, ReportRow]]
    focal_discharge: dict[str, tuple[dt.date, str]]  # program family -> first child's exit
    reach_gap: dict  # the planted reach gap and its counts (planted_reach.py)
    att: dict[str, float]  # sample ATT of the drawn outcomes
    att_expected: dict[str, float]  # expected ATT on the same episodes
    att_details: dict[str, dict[str, float]]
    effect_by_group: dict  # the planted difference of effect (effect_modification.py)


@dataclass
class _Children:
    """The main episode of every child entering care, as parallel arrays."""
    family_id: list[str]
    treated: np.ndarray
    removal: np.ndarray  # ordinal days
    min_stay: np.ndarray
    county: list[str]
    area: list[str]
    reason: np.ndarray
    race: np.ndarray
    prior: np.ndarray
    age_band: np.ndarray
    age_days: np.ndarray
    male: np.ndarray


def _families_in_care(model: ChildWelfareModel, rng: np.random.Generator, scale: float,
                      window: GenerationWindow, counties: tuple[County, ...]
                      ) -> tuple[np.ndarray, list[str]]:
    """Removal dates and counties of comparison-pool families, month by month."""
    weights = np.array([COUNTY_WEIGHT.get(c.fips, 0.6) for c in counties])
    weights /= weights.sum()
    dates: list[int] = []
    picked: list[int] = []
    for month in range(window.history_start, window.last_month + 2):
        rate = model.comparison_families_per_year * scale / 12 * model.entry_seasonality[month % 12]
        n = int(rng.poisson(rate))
        first = months.first_day(month).toordinal()
        days = first + rng.integers(0, months.days_in(month), size=n)
        dates.extend(int(d) for d in days)
        picked.extend(int(i) for i in rng.choice(len(counties), size=n, p=weights))
    return np.array(dates, dtype=np.int64), [counties[i].fips for i in picked]


def _draw_children(model: ChildWelfareModel, rng: np.random.Generator,
                   family_ids: list[str], treated: bool, removal: np.ndarray,
                   min_stay: np.ndarray, county: list[str], area_of: dict[str, str]) -> _Children:
    n = len(family_ids)
    p = "participant" if treated else "pool"
    reason = rng.choice(len(REMOVAL_REASONS), size=n, p=getattr(model, f"reason_{p}"))
    race = rng.choice(len(RACES), size=n, p=getattr(model, f"race_{p}"))
    # A pool family enters the extract with its first removal; its children's later
    # removals (and so their prior counts) come from the outcome model, forward in time.
    prior = (rng.choice(3, size=n, p=model.prior_participant) if treated
             else np.zeros(n, dtype=np.int64))
    size = 1 + rng.choice(len(model.children_per_family), size=n, p=model.children_per_family)
    idx = np.repeat(np.arange(n), size)
    m = len(idx)
    child_race = np.where(rng.random(m) < model.sibling_same_race, race[idx],
                          rng.choice(len(RACES), size=m, p=getattr(model, f"race_{p}")))
    band = rng.choice(4, size=m, p=getattr(model, f"age_band_{p}"))
    low = np.take([b[0] for b in AGE_BAND_YEARS], band)
    high = np.take([b[1] for b in AGE_BAND_YEARS], band)
    years = low + np.floor(rng.random(m) * (high - low + 1))
    age_days = (years * 365.25 + rng.integers(0, 365, size=m)).astype(np.int64)
    return _Children(
        family_id=[family_ids[i] for i in idx], treated=np.full(m, treated),
        removal=removal[idx], min_stay=min_stay[idx], county=[county[i] for i in idx],
        area=[area_of[county[i]] for i in idx], reason=reason[idx], race=child_race,
        prior=prior[idx], age_band=band, age_days=age_days, male=rng.random(m) < 0.5,
    )


def _concat(a: _Children, b: _Children) -> _Children:
    def join(x, y):
        return x + y if isinstance(x, list) else np.concatenate([x, y])
    return _Children(**{k: join(getattr(a, k), getattr(b, k)) for k in a.__dataclass_fields__})


def _covariates(children: _Children, prior: np.ndarray) -> Covariates:
    years = np.array([dt.date.fromordinal(int(d)).year for d in children.removal])
    return Covariates(age_band=children.age_band, male=children.male.astype(float),
                      race=children.race, reason=children.reason, prior=prior,
                      area=children.area, removal_year=years)


def _prior_episodes(rng: np.random.Generator, children: _Children
                    ) -> tuple[list[tuple[int, int, int]], np.ndarray]:
    """Participants' earlier removals, drawn backwards from the episode open on the
    match date: ended by reunification, after birth. They belong to matched families,
    so they are outside the outcome study (only their count, a covariate, is); the
    comparison pool's earlier removals are real model episodes (`_later_episodes`).
    Returns (child, removal, discharge) and the per-child count kept."""
    rows: list[tuple[int, int, int]] = []
    kept = np.zeros(len(children.removal), dtype=np.int64)
    for child in np.flatnonzero(children.prior > 0):
        birth = children.removal[child] - children.age_days[child]
        next_removal = int(children.removal[child])
        for _ in range(int(children.prior[child])):
            gap = int(rng.integers(400, 1300))
            start = next_removal - gap
            if start <= birth:
                break
            stay = int(rng.integers(20, min(300, gap - 30)))
            rows.append((int(child), start, start + stay))
            kept[child] += 1
            next_removal = start
    return rows, kept


def _discharge_reasons(rng: np.random.Generator, stay: np.ndarray, age_days: np.ndarray,
                       age_band: np.ndarray) -> np.ndarray:
    """Exit reason when not reunified (the same draw in both worlds)."""
    n = len(stay)
    later = np.array(DISCHARGE_LATER)[rng.choice(len(DISCHARGE_LATER), n, p=DISCHARGE_LATER_P)]
    early = np.array(DISCHARGE_EARLY)[rng.choice(len(DISCHARGE_EARLY), n, p=DISCHARGE_EARLY_P)]
    early = np.where((early == "runaway") & (age_band < 3), "other", early)
    reason = np.where(stay > 540, later, early)
    return np.where(age_days + stay >= 18 * 365.25, "emancipation", reason).astype(object)


def _potential_outcomes(model: ChildWelfareModel, rng: np.random.Generator,
                        x: Covariates, min_stay: np.ndarray, age_days: np.ndarray
                        ) -> dict[str, np.ndarray]:
    """Both worlds of every episode from one set of uniforms (common random numbers).

    Each world's outcomes are what the extract would show: a return to care needs
    the child to be under 18 on that day, and re-abuse is counted for children who
    did not re-enter within 12 months (a re-entry for maltreatment carries its own
    substantiated report)."""
    n = len(min_stay)
    stay = np.exp(stay_log_mean(model, x) + model.stay_sigma * rng.standard_normal(n))
    stay = np.where(rng.random(n) < model.short_stay_share, rng.integers(1, 8, n), stay)
    stay = np.maximum(np.round(stay).astype(np.int64), 1)
    stay = np.where(stay <= min_stay, min_stay + 1 + rng.integers(0, 14, n), stay)
    u_reunify, u_reentry, u_abuse, u_late = (rng.random(n), rng.random(n), rng.random(n),
                                             rng.random(n))
    r_logit, e_logit, m_logit = reunify_logit(model, x), reentry12_logit(model, x), \
        maltreatment_logit(model, x)
    p24 = sigmoid(e_logit + model.reentry24_extra_logit)
    out: dict[str, np.ndarray] = {
        "stay": stay,
        "other_reason": _discharge_reasons(rng, stay, age_days, x.age_band),
        "reentry_day_12": 8 + np.floor(357 * rng.random(n) ** 1.5).astype(np.int64),
        "reentry_day_24": 366 + rng.integers(0, 365, n),
        "late_reentry_day": 731 + rng.integers(0, 3 * 365, n),
        "abuse_day": 1 + rng.integers(0, 365, n),
        "u_reentry": u_reentry,
        "u_late": u_late,
        "p24": p24,
    }
    days_to_adult = ADULT_DAYS - age_days - stay  # days after discharge until 18
    out["minor_at_12"] = out["reentry_day_12"] < days_to_adult
    out["minor_at_24"] = out["reentry_day_24"] < days_to_adult
    out["minor_at_late"] = out["late_reentry_day"] < days_to_adult
    maltreatment_reason = ~np.isin(x.reason, NON_MALTREATMENT)
    for world, t in (("1", 1.0), ("0", 0.0)):
        out[f"reunified_{world}"] = u_reunify < sigmoid(r_logit + reunify_effect(model, x) * t)
        early = u_reentry < sigmoid(e_logit + model.reentry12_effect * t)
        out[f"early_{world}"] = early
        reentry12 = early & out["minor_at_12"]
        out[f"reentry12_{world}"] = reentry12
        out[f"reentry24_{world}"] = reentry12 | (~early & (u_reentry < p24) & out["minor_at_24"])
        abuse = (u_abuse < sigmoid(m_logit + model.maltreatment_effect * t)) & ~reentry12
        out[f"abuse_{world}"] = abuse
        out[f"maltreatment12_{world}"] = abuse | (reentry12 & maltreatment_reason)
    return out


def _in_world(outcomes: dict[str, np.ndarray], key: str, treated: np.ndarray) -> np.ndarray:
    return np.where(treated, outcomes[f"{key}_1"], outcomes[f"{key}_0"])


def _return_day(model: ChildWelfareModel, outcomes: dict[str, np.ndarray],
                treated: np.ndarray, reason: np.ndarray) -> np.ndarray:
    """Days from discharge to the child's next removal in the observed world (0: none).

    After reunification: within 12 months by the (treatment-shifted) re-entry draw,
    else within 24 by the untreated 24-month draw; after relative or guardianship
    exits the fixed shares; any child back home may also return after two years,
    which no outcome counts but which gives later removals their prior removals."""
    u = outcomes["u_reentry"]
    reunified = reason == "reunification"
    other_perm = np.isin(reason, OTHER_PERMANENCY)
    day = np.where(
        reunified & _in_world(outcomes, "early", treated), outcomes["reentry_day_12"],
        np.where(reunified & (u < outcomes["p24"]), outcomes["reentry_day_24"],
                 np.where(other_perm & (u < model.other_permanency_reentry_12m),
                          outcomes["reentry_day_12"],
                          np.where(other_perm & (u < model.other_permanency_reentry_24m),
                                   outcomes["reentry_day_24"], 0))))
    late = (day == 0) & (reunified | other_perm) & (outcomes["u_late"] < model.late_reentry_share)
    day = np.where(late, outcomes["late_reentry_day"], day)
    minor = np.where(day == outcomes["reentry_day_12"], outcomes["minor_at_12"],
                     np.where(day == outcomes["reentry_day_24"], outcomes["minor_at_24"],
                              outcomes["minor_at_late"]))
    return np.where(minor, day, 0)


def _treatment_effects(outcomes: dict[str, np.ndarray], expected: dict[str, np.ndarray],
                       removal: np.ndarray, treated: np.ndarray, as_of: int
                       ) -> tuple[dict, dict, dict]:
    """ATT per metrics.md, observability relative to the as-of date: the sample ATT
    of the drawn outcomes and, over the same episodes, the expected ATT from the
    model's probabilities (`expected_outcomes`)."""
    discharge = removal + outcomes["stay"]
    part = treated & (discharge < as_of)
    reunified = part & outcomes["reunified_1"]
    populations = {
        "reunified": (part, "reunified"),
        "reentry_12m": (reunified & (discharge + 365 <= as_of), "reentry12"),
        "reentry_24m": (reunified & (discharge + 730 <= as_of), "reentry24"),
        "maltreatment_12m": (reunified & (discharge + 365 <= as_of), "maltreatment12"),
    }
    att, att_expected, details = {}, {}, {}
    for name, (mask, key) in populations.items():
        n = int(mask.sum())
        t1 = float(outcomes[f"{key}_1"][mask].mean()) if n else float("nan")
        t0 = float(outcomes[f"{key}_0"][mask].mean()) if n else float("nan")
        att[name] = round(t1 - t0, 6) if n else None
        # + 0.0: a tiny negative rounds to -0.0, which would be written as "-0.0".
        att_expected[name] = (
            round(float((expected[f"{key}_1"][mask] - expected[f"{key}_0"][mask]).mean()), 6)
            + 0.0 if n else None)
        details[name] = {"n": n, "treated_mean": round(t1, 6) if n else None,
                         "untreated_mean": round(t0, 6) if n else None}
    n = int(part.sum())
    mean_stay = float(outcomes["stay"][part].mean()) if n else None
    # The stay is the same draw in both worlds: the planted effect on time in care is
    # nil, in the sample and in expectation.
    att["days_in_care"] = 0.0 if n else None
    att_expected["days_in_care"] = 0.0 if n else None
    details["days_in_care"] = {"n": n, "treated_mean": mean_stay, "untreated_mean": mean_stay}
    return att, att_expected, details


def build_child_welfare(model: ChildWelfareModel, rng: np.random.Generator, scale: float,
                        window: GenerationWindow, counties: tuple[County, ...],
                        cases: list[ProgramCase], gap: ReachGap,
                        gap_rng: np.random.Generator) -> ChildWelfareHistory:
    area_of = {c.fips: c.service_area for c in counties}
    horizon = window.newest_extract.toordinal()
    as_of = window.as_of.toordinal()

    pool_dates, pool_counties = _families_in_care(model, rng, scale, window, counties)
    order = np.argsort(pool_dates, kind="stable")
    pool_dates = pool_dates[order]
    pool_counties = [pool_counties[i] for i in order]
    pool_ids = [f"F5{i + 1:06d}" for i in range(len(pool_dates))]
    lag = (1 + rng.exponential(model.removal_to_match_mean_days, len(cases))).astype(np.int64)
    match = np.array([c.match_date.toordinal() for c in cases], dtype=np.int64)
    participants = _draw_children(
        model, rng, [c.family_id for c in cases], True, match - lag, lag,
        [c.county_fips for c in cases], area_of)
    participants.race, families_moved = plant_reach_gap(
        gap, gap_rng, RACES, model.race_participant, participants.family_id,
        participants.race, participants.area)
    pool = _draw_children(model, rng, pool_ids, False, pool_dates,
                          np.zeros(len(pool_dates), dtype=np.int64), pool_counties, area_of)
    children = _concat(participants, pool)
    n = len(children.removal)
    child_ids = [f"C{i + 1:07d}" for i in range(n)]
    priors, prior_count = _prior_episodes(rng, children)
    x = _covariates(children, prior_count)
    outcomes = _potential_outcomes(model, rng, x, children.min_stay, children.age_days)
    treated = children.treated
    reunified = _in_world(outcomes, "reunified", treated)
    abuse = _in_world(outcomes, "abuse", treated)
    discharge = children.removal + outcomes["stay"]
    reason = np.where(reunified, "reunification", outcomes["other_reason"])
    return_day = _return_day(model, outcomes, treated, reason)

    birth = children.removal - children.age_days
    sex = np.where(children.male, SEXES[1], SEXES[0])
    episodes: list[EpisodeRow] = []
    reports: list[ReportRow] = []

    def add_episode(i: int, start: int, end: int | None, why: str | None, removal_reason: int,
                    earliest_report: int) -> None:
        if start > horizon:
            return
        ended = end is not None and end <= horizon
        episodes.append(EpisodeRow(
            child_ids[i], children.family_id[i], dt.date.fromordinal(start),
            dt.date.fromordinal(end) if ended else None, why if ended else None,
            dt.date.fromordinal(int(birth[i])), str(sex[i]), RACES[children.race[i]],
            children.county[i], REMOVAL_REASONS[removal_reason]))
        report_day = max(start - int(rng.integers(0, 6)), earliest_report)
        if removal_reason not in NON_MALTREATMENT:
            reports.append(ReportRow(child_ids[i], children.family_id[i],
                                     dt.date.fromordinal(report_day), "substantiated"))
        elif rng.random() < 0.3:
            reports.append(ReportRow(child_ids[i], children.family_id[i],
                                     dt.date.fromordinal(report_day), "not_substantiated"))

    def add_abuse(i: int, day: int) -> None:
        reports.append(ReportRow(child_ids[i], children.family_id[i], dt.date.fromordinal(day),
                                 "substantiated"))

    for child, start, end in priors:
        add_episode(child, start, end, "reunification", int(children.reason[child]), start - 5)
    for i in range(n):
        add_episode(i, int(children.removal[i]), int(discharge[i]), str(reason[i]),
                    int(children.reason[i]), int(children.removal[i]) - 5)
        if reunified[i] and abuse[i]:
            add_abuse(i, int(discharge[i] + outcomes["abuse_day"][i]))
        if rng.random() < model.unsubstantiated_report_share:
            day = int(children.removal[i] + rng.integers(-300, 600))
            reports.append(ReportRow(child_ids[i], children.family_id[i],
                                     dt.date.fromordinal(day), "not_substantiated"))

    _later_episodes(model, rng, children, x, discharge, return_day, horizon, add_episode,
                    add_abuse)
    # Its own stream (spawned: `rng` draws on unchanged), so the rest of the data set is
    # what it was before in-care reports were planted.
    _add_victims_in_care(model, rng.spawn(1)[0], children.removal,
                         np.minimum(discharge, horizon), child_ids, children.family_id, reports)
    _add_in_home_victims(model, rng, scale, window, len(child_ids), reports)

    focal: dict[str, tuple[dt.date, str]] = {}
    for i in range(len(participants.removal)):
        focal.setdefault(children.family_id[i], (dt.date.fromordinal(int(discharge[i])),
                                                 str(reason[i])))
    expected = outcome_probabilities(model, x, outcomes["stay"], children.age_days)
    att, att_expected, details = _treatment_effects(outcomes, expected, children.removal,
                                                    treated, as_of)
    by_group = effect_by_group(outcomes, expected,
                               treated & (children.removal + outcomes["stay"] < as_of),
                               children.age_band)

    episodes.sort(key=lambda e: (e.removal_date, e.child_id))
    reached = {(child_ids[i], dt.date.fromordinal(int(children.removal[i])))
               for i in range(len(participants.removal))}
    reach_gap = reach_gap_truth(
        gap, (Removal(e.child_id, e.removal_date, e.child_race_ethnicity,
                      area_of.get(e.county_fips, "unknown")) for e in episodes),
        reached, families_moved, window.as_of)
    reports = [r for r in reports if r.report_date.toordinal() <= horizon]
    reports.sort(key=lambda r: (r.report_date, r.child_id, r.finding))
    return ChildWelfareHistory(
        episodes=[(f"E{i + 1:07d}", e) for i, e in enumerate(episodes)],
        reports=[(f"M{i + 1:07d}", r) for i, r in enumerate(reports)],
        focal_discharge=focal, reach_gap=reach_gap, att=att, att_expected=att_expected,
        att_details=details,
        effect_by_group=by_group,
    )


def _age_band(age_days: np.ndarray) -> np.ndarray:
    return np.minimum(3, np.searchsorted([1, 6, 13], age_days / 365.25, side="right"))


def _later_episodes(model, rng, children: _Children, x: Covariates, discharge: np.ndarray,
                    return_day: np.ndarray, horizon: int, add_episode, add_abuse) -> None:
    """Every return to care, generation by generation: a new episode drawn from the
    same outcome model without the program (its covariates: the child's age and
    year at the new removal, one more prior removal), with its own re-abuse and its
    own return to care. Comparison-pool children's removals after their first are
    these episodes, so every pool episode follows the model given its covariates."""
    again = np.flatnonzero(return_day > 0)
    start = discharge[again] + return_day[again]
    prior = x.prior[again] + 1
    last_discharge = discharge[again]
    while again.size:
        # Past the newest extract nothing is written, and nothing follows.
        live = start <= horizon
        again, start, prior, last_discharge = (again[live], start[live], prior[live],
                                               last_discharge[live])
        if not again.size:
            return
        age_at_start = children.age_days[again] + (start - children.removal[again])
        x_again = Covariates(
            age_band=_age_band(age_at_start), male=x.male[again], race=x.race[again],
            reason=x.reason[again], prior=prior, area=[x.area[i] for i in again],
            removal_year=np.array([dt.date.fromordinal(int(d)).year for d in start]))
        out = _potential_outcomes(model, rng, x_again, np.zeros(again.size, dtype=np.int64),
                                  age_at_start)
        untreated = np.zeros(again.size, dtype=bool)
        why = np.where(out["reunified_0"], "reunification", out["other_reason"])
        end = start + out["stay"]
        for k, i in enumerate(again):
            add_episode(int(i), int(start[k]), int(end[k]), str(why[k]),
                        int(children.reason[i]), int(last_discharge[k]) + 1)
            if out["reunified_0"][k] and out["abuse_0"][k]:
                add_abuse(int(i), int(end[k] + out["abuse_day"][k]))
        day = _return_day(model, out, untreated, why)
        follow = day > 0
        again, start, prior, last_discharge = (again[follow], end[follow] + day[follow],
                                               prior[follow] + 1, end[follow])


def _add_victims_in_care(model: ChildWelfareModel, rng: np.random.Generator,
                         removal: np.ndarray, end: np.ndarray, child_ids: list[str],
                         family_ids, reports: list[ReportRow]) -> None:
    """Substantiated reports on children while in care, from the eighth day of the stay
    (CFSR leaves the first week to the home the child was removed from) to its end."""
    first = removal + 8
    days = np.maximum(end - first, 0)
    counts = rng.poisson(days * model.in_care_victimizations_per_100k_days / 100_000)
    for i in np.flatnonzero(counts):
        for offset in rng.integers(0, days[i], counts[i]):
            reports.append(ReportRow(child_ids[i], family_ids[i],
                                     dt.date.fromordinal(int(first[i] + offset)),
                                     "substantiated"))


def _add_in_home_victims(model: ChildWelfareModel, rng: np.random.Generator, scale: float,
                         window: GenerationWindow, first_child: int,
                         reports: list[ReportRow]) -> None:
    """Substantiated victims never removed: most of the CFSR recurrence denominator."""
    child = first_child
    for month in range(window.history_start, window.last_month + 2):
        n = int(rng.poisson(model.in_home_victims_per_year * scale / 12))
        first = months.first_day(month).toordinal()
        for _ in range(n):
            child += 1
            child_id, family_id = f"C{child:07d}", f"F7{child:06d}"
            day = first + int(rng.integers(0, months.days_in(month)))
            reports.append(ReportRow(child_id, family_id, dt.date.fromordinal(day),
                                     "substantiated"))
            if rng.random() < model.in_home_recurrence_12m:
                again = day + int(rng.integers(1, 366))
                reports.append(ReportRow(child_id, family_id, dt.date.fromordinal(again),
                                         "substantiated"))
            if rng.random() < 0.4:
                other = day + int(rng.integers(-400, 400))
                reports.append(ReportRow(child_id, family_id, dt.date.fromordinal(other),
                                         "not_substantiated"))
