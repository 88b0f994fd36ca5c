"""Time to reunification: Kaplan-Meier curves of participants and their matched comparisons.

The spells (intermediate.int_reunification_spells: one row per matched episode and origin,
the days followed and whether the follow-up ended in reunification) are defined in dbt;
here the curves are estimated with lifelines' KaplanMeierFitter, per arm and origin:
`survival` is the share not yet reunified `day` days after the origin, with its 95%
pointwise confidence interval (lifelines: Greenwood's variance on the log(-log) scale, so
the band stays within 0..1) and `at_risk`, the episodes still followed (neither reunified
nor censored) just before that day.

Rows: day 0, every day on which a spell of the curve ends, and every TICK_DAYS-th day up
to the longest spell, so the page reads the numbers at risk under its axis from rows.
"""

from __future__ import annotations

import numpy as np
import polars as pl

CONFIDENCE = 0.95
TICK_DAYS = 90
SURVIVAL_SCHEMA = {
    "arm": pl.String,
    "origin": pl.String,
    "day": pl.Int64,
    "survival": pl.Float64,
    "ci_low": pl.Float64,
    "ci_high": pl.Float64,
    "at_risk": pl.Int64,
}


def kaplan_meier(days: np.ndarray, reunified: np.ndarray) -> pl.DataFrame:
    """One curve: `day`, `survival`, `ci_low`, `ci_high`, `at_risk` from the spells'
    lengths and whether each ended in reunification (else it is censored there)."""
    days = np.asarray(days, dtype=np.int64)
    if days.size == 0:
        return pl.DataFrame(schema={k: v for k, v in SURVIVAL_SCHEMA.items()
                                    if k not in ("arm", "origin")})
    # Imported here: lifelines loads pandas and its fitters, seconds in every process
    # that loads the asset graph, and only this step fits a curve.
    from lifelines import KaplanMeierFitter

    ticks = np.arange(0, days.max() + 1, TICK_DAYS)
    timeline = np.union1d(np.union1d(days, ticks), [0])
    fitter = KaplanMeierFitter(alpha=1 - CONFIDENCE)
    fitter.fit(days, event_observed=np.asarray(reunified, dtype=bool), timeline=timeline)
    band = fitter.confidence_interval_survival_function_.to_numpy()
    ordered = np.sort(days)
    return pl.DataFrame({
        "day": timeline.astype(np.int64),
        "survival": fitter.survival_function_.to_numpy()[:, 0],
        "ci_low": band[:, 0],
        "ci_high": band[:, 1],
        "at_risk": (days.size - np.searchsorted(ordered, timeline, side="left")).astype(np.int64),
    })


def reunification_curves(spells: pl.DataFrame) -> pl.DataFrame:
    """Every (arm, origin) curve of `spells` (arm, origin, days, reunified)."""
    curves = []
    for (arm, origin), spell in spells.sort("arm", "origin", "days").group_by(
            ["arm", "origin"], maintain_order=True):
        curve = kaplan_meier(spell["days"].to_numpy(), spell["reunified"].to_numpy())
        curves.append(curve.with_columns(arm=pl.lit(arm), origin=pl.lit(origin)))
    if not curves:
        return pl.DataFrame(schema=SURVIVAL_SCHEMA)
    return pl.concat(curves).select(list(SURVIVAL_SCHEMA)).cast(SURVIVAL_SCHEMA)
