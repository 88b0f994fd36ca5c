"""The reference seeds the generator draws codes from (the same files dbt loads)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from orchestration.config import SEEDS_DIR


def _rows(name: str, seeds_dir: Path) -> list[dict[str, str]]:
    with open(seeds_dir / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@dataclass(frozen=True)
class Site:
    site_id: str
    site_name: str
    service_area: str


@dataclass(frozen=True)
class County:
    fips: str
    name: str
    service_area: str


@dataclass(frozen=True)
class TrainingTopic:
    code: str
    hours: float
    is_core: bool


@dataclass(frozen=True)
class ReferenceSeeds:
    sites: tuple[Site, ...]
    counties: tuple[County, ...]
    topics: tuple[TrainingTopic, ...]
    activity_types: tuple[str, ...]
    family_level_types: frozenset[str]
    face_to_face_types: frozenset[str]
    fidelity_items: tuple[str, ...]
    parent_outcome_items: tuple[str, ...]

    @classmethod
    def load(cls, seeds_dir: Path = SEEDS_DIR) -> ReferenceSeeds:
        types = _rows("activity_types.csv", seeds_dir)
        return cls(
            sites=tuple(Site(r["site_id"], r["site_name"], r["service_area"])
                        for r in _rows("sites.csv", seeds_dir)),
            counties=tuple(County(r["county_fips"], r["county_name"], r["service_area"])
                           for r in _rows("counties.csv", seeds_dir)),
            topics=tuple(TrainingTopic(r["topic_code"], float(r["hours"]), r["is_core"] == "true")
                         for r in _rows("training_topics.csv", seeds_dir)),
            activity_types=tuple(r["activity_type"] for r in types),
            family_level_types=frozenset(r["activity_type"] for r in types
                                         if r["family_level"] == "true"),
            face_to_face_types=frozenset(r["activity_type"] for r in types
                                         if r["face_to_face"] == "true"),
            fidelity_items=tuple(r["item_code"] for r in _rows("fidelity_items.csv", seeds_dir)),
            parent_outcome_items=tuple(
                r["item_code"] for r in _rows("parent_outcome_items.csv", seeds_dir)
            ),
        )

    @property
    def service_areas(self) -> tuple[str, ...]:
        return tuple(sorted({s.service_area for s in self.sites}))
