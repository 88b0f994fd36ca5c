"""What validation needs to know besides the file itself.

Code lists come from the seed CSVs (data, so a program can replace them without
touching code); the activity reference adds the roster, the referred families and
their matches from the latest accepted snapshots.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from orchestration.config import SEEDS_DIR
from orchestration.ingest.value_parsing import normalise_code_text
from orchestration.reference_data import code_lists

_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0"}


@dataclass(frozen=True)
class CodeLists:
    activity_types: dict[str, tuple[bool, bool]]  # code -> (family_level, face_to_face)
    training_topics: frozenset[str]
    fidelity_items: frozenset[str]
    outcome_items: frozenset[str]
    # (file kind, column) -> allowed codes: the lists the contract fixes (seeds/code_lists.csv)
    landing_codes: dict[tuple[str, str], tuple[str, ...]]


def _read_seed(seeds_dir: Path, name: str, columns: tuple[str, ...]) -> pl.DataFrame:
    path = Path(seeds_dir) / name
    frame = pl.read_csv(path, infer_schema=False)
    frame = frame.rename({c: c.strip().lower() for c in frame.columns})
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"seed {path} lacks column(s) {', '.join(missing)}")
    return frame.select(pl.col(c).str.strip_chars() for c in columns)


def _flag(value: str | None, seed: str, column: str) -> bool:
    text = (value or "").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"seed {seed}: {column} {value!r} is not true or false")


def _codes(seeds_dir: Path, name: str, column: str) -> frozenset[str]:
    frame = _read_seed(seeds_dir, name, (column,))
    return frozenset(normalise_code_text(c) for c in frame[column].drop_nulls())


def load_activity_types(seeds_dir: Path = SEEDS_DIR) -> dict[str, tuple[bool, bool]]:
    """activity_type -> (family_level, face_to_face) from seeds/activity_types.csv."""
    types = _read_seed(
        seeds_dir, "activity_types.csv", ("activity_type", "family_level", "face_to_face")
    )
    return {
        normalise_code_text(code): (
            _flag(family, "activity_types.csv", "family_level"),
            _flag(face, "activity_types.csv", "face_to_face"),
        )
        for code, family, face in types.iter_rows()
        if code
    }


def load_code_lists(seeds_dir: Path = SEEDS_DIR) -> CodeLists:
    """Read the code lists from seeds/*.csv; a broken seed raises (it is code, not input)."""
    return CodeLists(
        activity_types=load_activity_types(seeds_dir),
        training_topics=_codes(seeds_dir, "training_topics.csv", "topic_code"),
        fidelity_items=_codes(seeds_dir, "fidelity_items.csv", "item_code"),
        outcome_items=_codes(seeds_dir, "parent_outcome_items.csv", "item_code"),
        landing_codes=code_lists(Path(seeds_dir)),
    )


def _trimmed_ids(frame: pl.DataFrame, column: str) -> frozenset[str]:
    values = frame.get_column(column).cast(pl.String).str.strip_chars().drop_nulls()
    return frozenset(v for v in values if v)


@dataclass(frozen=True)
class ActivityReference:
    """What validating activity rows needs beyond the activity types."""

    activity_types: dict[str, tuple[bool, bool]]  # code -> (family_level, face_to_face)
    pp_ids: frozenset[str]
    family_ids: frozenset[str]
    matches: pl.DataFrame  # family_id, pp_id, match_date, exit_date (Date; exit may be null)
    as_of: dt.date | None = None  # an activity_date after this is a future activity

    @classmethod
    def from_frames(
        cls,
        roster: pl.DataFrame,
        referrals: pl.DataFrame,
        seeds_dir: Path = SEEDS_DIR,
        as_of: dt.date | None = None,
    ) -> ActivityReference:
        """Build from the latest accepted roster and referrals frames (schemas columns)."""
        matches = (
            referrals.select(
                pl.col("family_id").cast(pl.String).str.strip_chars(),
                pl.col("pp_id").cast(pl.String).str.strip_chars(),
                pl.col("match_date").cast(pl.Date),
                pl.col("exit_date").cast(pl.Date),
            )
            .filter(
                pl.col("family_id").is_not_null()
                & pl.col("pp_id").is_not_null()
                & pl.col("match_date").is_not_null()
            )
            .unique(maintain_order=True)
        )
        return cls(
            activity_types=load_activity_types(seeds_dir),
            pp_ids=_trimmed_ids(roster, "pp_id"),
            family_ids=_trimmed_ids(referrals, "family_id"),
            matches=matches,
            as_of=as_of,
        )
