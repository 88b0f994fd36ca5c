"""1:1 nearest-neighbour propensity-score matching without replacement, within a caliper.

The propensity score is estimated by a logistic regression (scikit-learn) of study
group on the covariate design, and matching is on its logit (log-odds), as in
Chambers et al. (2019) and Austin (2011).

Determinism: rows are sorted by episode_id before anything else, the solver
(lbfgs) is deterministic and seeded, and every tie has a rule:
- greedy order: participants in *descending* propensity logit (the hardest to match,
  those most unlike the pool, choose first), ties by episode_id;
- each takes the available pool episode nearest on the logit; the pool is ordered by
  (logit, episode_id), and at equal distance the nearest available episode below the
  participant's position in that order wins over the nearest above it;
- a participant whose nearest available episode is farther than the caliper stays
  unmatched (no other could be closer).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from orchestration.outcomes.covariates import COMPARISON_POOL, PARTICIPANT, covariate_design

CALIPER_SD = 0.2
RANDOM_SEED = 20190801

MATCHED_PAIRS_SCHEMA = {
    "episode_id": pl.String,
    "matched_pair_id": pl.Int32,
    "study_group": pl.String,
    "propensity_logit": pl.Float64,
}


@dataclass(frozen=True)
class MatchingResult:
    pairs: pl.DataFrame  # MATCHED_PAIRS_SCHEMA, two rows per pair
    participants: int
    pool: int
    caliper: float | None  # on the logit scale; None when nothing could be matched

    @property
    def matched(self) -> int:
        return self.pairs.height // 2

    @property
    def matched_share(self) -> float | None:
        return self.matched / self.participants if self.participants else None


def propensity_logits(episodes: pl.DataFrame) -> np.ndarray:
    """Log-odds of being a participant given the covariates, one per row of `episodes`."""
    # Imported here: scikit-learn takes seconds to load, in every process that loads the
    # asset graph, and only the matching step fits a model.
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    design = covariate_design(episodes).to_numpy()
    treated = (episodes["study_group"] == PARTICIPANT).to_numpy()
    # A mild L2 penalty on standardised columns keeps the fit finite when a level
    # (say, a removal year) holds no participants at all.
    model = make_pipeline(
        StandardScaler(),
        LogisticRegression(C=1.0, max_iter=5000, random_state=RANDOM_SEED),
    )
    model.fit(design, treated)
    return model.decision_function(design)


def caliper_width(participant_logits: np.ndarray, pool_logits: np.ndarray) -> float:
    """0.2 x the pooled SD of the logit: sqrt of the mean of the two groups' variances."""
    def variance(x: np.ndarray) -> float:
        return float(np.var(x, ddof=1)) if x.size > 1 else 0.0

    return CALIPER_SD * float(np.sqrt((variance(participant_logits) + variance(pool_logits)) / 2))


def greedy_match(
    participant_ids: list[str],
    participant_logits: np.ndarray,
    pool_ids: list[str],
    pool_logits: np.ndarray,
    caliper: float,
) -> list[tuple[str, str]]:
    """(participant, pool episode) pairs by the greedy rule of the module docstring."""
    pool_order = sorted(range(len(pool_ids)), key=lambda i: (pool_logits[i], pool_ids[i]))
    sorted_logits = np.asarray([pool_logits[i] for i in pool_order], dtype=float)
    size = len(pool_order)
    # Two "next available" forests over the sorted pool (union-find with path
    # halving): right[i] leads to the first available index >= i (size = none),
    # left[i + 1] to 1 + the last available index <= i (0 = none).
    right = list(range(size + 1))
    left = list(range(size + 1))

    def find(parent: list[int], i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    participant_order = sorted(
        range(len(participant_ids)), key=lambda i: (-participant_logits[i], participant_ids[i])
    )
    pairs: list[tuple[str, str]] = []
    for p in participant_order:
        x = participant_logits[p]
        position = int(np.searchsorted(sorted_logits, x, side="left"))
        above = find(right, position)
        below = find(left, position) - 1
        candidates = []
        if below >= 0:
            candidates.append((x - sorted_logits[below], 0, below))
        if above < size:
            candidates.append((sorted_logits[above] - x, 1, above))
        if not candidates:
            break
        distance, _, chosen = min(candidates)
        if distance > caliper:
            continue
        right[chosen] = chosen + 1
        left[chosen + 1] = chosen
        pairs.append((participant_ids[p], pool_ids[pool_order[chosen]]))
    return pairs


def match_episodes(episodes: pl.DataFrame) -> MatchingResult:
    """Match participants to comparison-pool episodes; `episodes` as int_episode_covariates."""
    episodes = episodes.filter(
        pl.col("study_group").is_in([PARTICIPANT, COMPARISON_POOL])
    ).sort("episode_id")
    is_participant = (episodes["study_group"] == PARTICIPANT).to_numpy()
    participants, pool = int(is_participant.sum()), int((~is_participant).sum())
    empty = pl.DataFrame(schema=MATCHED_PAIRS_SCHEMA)
    if participants == 0 or pool == 0:
        return MatchingResult(empty, participants, pool, None)

    logits = propensity_logits(episodes)
    ids = episodes["episode_id"].to_list()
    participant_ids = [i for i, t in zip(ids, is_participant) if t]
    pool_ids = [i for i, t in zip(ids, is_participant) if not t]
    caliper = caliper_width(logits[is_participant], logits[~is_participant])
    pairs = greedy_match(
        participant_ids, logits[is_participant], pool_ids, logits[~is_participant], caliper
    )
    logit_of = dict(zip(ids, logits.tolist()))
    rows = []
    # Pair ids follow the participant's episode_id, independent of the greedy order.
    for pair_id, (participant, comparison) in enumerate(sorted(pairs), start=1):
        rows.append((participant, pair_id, PARTICIPANT, logit_of[participant]))
        rows.append((comparison, pair_id, COMPARISON_POOL, logit_of[comparison]))
    frame = pl.DataFrame(rows, schema=MATCHED_PAIRS_SCHEMA, orient="row") if rows else empty
    return MatchingResult(frame, participants, pool, caliper)
