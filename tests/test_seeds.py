"""The reference seeds hold what the contract and the metric definitions say they hold."""

from __future__ import annotations

import polars as pl
import pytest

from orchestration.config import SEEDS_DIR
from orchestration.ingest.schemas import KINDS_BY_NAME

CORE_TOPICS = {
    "domestic_violence", "mandatory_reporting", "boundaries_and_safety",
    "building_a_better_future", "ethics", "substance_abuse", "dhs_101",
    "mental_health_overview", "confidentiality_and_cultural_competency",
}
SERVICE_AREAS = {"Cedar Rapids", "Des Moines", "Eastern", "Northern", "Western"}


def read_seed(name: str) -> pl.DataFrame:
    return pl.read_csv(SEEDS_DIR / name, infer_schema=False)


@pytest.mark.parametrize(
    ("name", "columns", "key"),
    [
        ("activity_types.csv", ["activity_type", "label", "family_level", "face_to_face"],
         ["activity_type"]),
        ("training_topics.csv", ["topic_code", "label", "hours", "is_core"], ["topic_code"]),
        ("fidelity_items.csv", ["item_code", "label"], ["item_code"]),
        ("parent_outcome_items.csv", ["item_code", "label"], ["item_code"]),
        ("performance_measures.csv", ["sfy", "measure_id", "measure_name", "comparator", "target"],
         ["sfy", "measure_id"]),
        ("sites.csv", ["site_id", "site_name", "service_area"], ["site_id"]),
        ("counties.csv", ["county_fips", "county_name", "service_area"], ["county_fips"]),
        ("program_parameters.csv", ["parameter", "value", "unit", "description", "source"],
         ["parameter"]),
        ("code_lists.csv", ["file_kind", "column_name", "code", "label"],
         ["file_kind", "column_name", "code"]),
    ],
)
def test_columns_and_unique_keys(name, columns, key):
    seed = read_seed(name)
    assert seed.columns == columns
    assert seed.height > 0
    assert seed.select(key).is_duplicated().sum() == 0, f"duplicate {key} in {name}"
    assert seed.null_count().select(pl.sum_horizontal(pl.all())).item() == 0


def test_booleans_are_true_false():
    for name, flags in [("activity_types.csv", ["family_level", "face_to_face"]),
                        ("training_topics.csv", ["is_core"])]:
        seed = read_seed(name)
        for flag in flags:
            assert set(seed[flag]) <= {"true", "false"}, (name, flag)


def test_activity_types_match_the_contract_table():
    seed = read_seed("activity_types.csv")
    flags = {r["activity_type"]: (r["family_level"], r["face_to_face"]) for r in seed.to_dicts()}
    face_to_face = {"home_visit", "community_visit", "service_appointment", "visitation_support",
                    "ftdm_meeting", "staffing", "court_hearing"}
    remote = {"phone_call", "video_call", "text_or_email"}
    pp_level = {"committee_meeting", "presentation", "training_attended", "support_session",
                "coordinator_supervision"}
    assert set(flags) == face_to_face | remote | pp_level
    assert all(flags[t] == ("true", "true") for t in face_to_face)
    assert all(flags[t] == ("true", "false") for t in remote)
    assert all(flags[t] == ("false", "false") for t in pp_level)


def test_nine_core_topics_total_21_hours():
    topics = read_seed("training_topics.csv").with_columns(pl.col("hours").cast(pl.Float64))
    core = topics.filter(pl.col("is_core") == "true")
    assert set(core["topic_code"]) == CORE_TOPICS
    assert core["hours"].sum() == pytest.approx(21.0)
    assert (topics["hours"] > 0).all()


def test_every_measure_has_a_target_in_every_sfy():
    measures = read_seed("performance_measures.csv").with_columns(
        pl.col("sfy").cast(pl.Int32), pl.col("target").cast(pl.Float64)
    )
    expected = {"PM01": 0.80, "PM02": 0.75, "PM03": 0.70, "PM04": 0.95, "PM05": 0.90,
                "PM06": 0.90, "PM07": 0.95}
    for sfy in range(2020, 2028):
        year = measures.filter(pl.col("sfy") == sfy)
        assert dict(zip(year["measure_id"], year["target"], strict=True)) == expected, sfy
    assert set(measures["comparator"]) <= {">=", "<="}
    names = measures.group_by("measure_id").agg(pl.col("measure_name").n_unique())
    assert (names["measure_name"] == 1).all(), "a measure's name changes between SFYs"


def test_99_iowa_counties_with_real_fips():
    counties = read_seed("counties.csv")
    assert counties.height == 99
    fips = counties["county_fips"].cast(pl.Int32)
    assert fips.is_unique().all()
    assert fips.min() == 19001 and fips.max() == 19197
    assert (fips % 2 == 1).all(), "Iowa's county FIPS codes are odd"
    assert counties["county_name"].is_unique().all()
    named = dict(zip(counties["county_fips"], counties["county_name"], strict=True))
    assert named["19153"] == "Polk" and named["19113"] == "Linn" and named["19193"] == "Woodbury"
    assert set(counties["service_area"]) == SERVICE_AREAS


def test_sites_cover_every_service_area():
    sites = read_seed("sites.csv")
    assert 10 <= sites.height <= 20
    assert set(sites["service_area"]) == SERVICE_AREAS


CFSR_INDICATORS = {"permanency_12m_entries", "permanency_12m_in_care_12_23",
                   "permanency_12m_in_care_24_plus", "reentry_12m", "recurrence_12m",
                   "maltreatment_in_care"}


def test_cfsr_reference_values_are_cited_and_in_the_indicators_units():
    """Ships with a header only; any row a state adds names an indicator of
    fct_cfsr_indicator, cites its source and period, and is in the indicator's units."""
    seed = read_seed("cfsr_reference_values.csv")
    assert seed.columns == ["indicator", "source", "period", "value", "direction"]
    for row in seed.iter_rows(named=True):
        assert row["indicator"] in CFSR_INDICATORS
        assert row["source"] and row["period"]
        assert row["direction"] in {"higher", "lower"}
        value = float(row["value"])
        assert value >= 0 and (row["indicator"] == "maltreatment_in_care" or value <= 1)



def test_code_lists_name_coded_columns_of_landing_file_kinds():
    lists = read_seed("code_lists.csv")
    for kind, column in lists.select("file_kind", "column_name").unique().iter_rows():
        assert column in KINDS_BY_NAME[kind].columns, f"{kind}.{column}"
