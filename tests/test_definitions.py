"""The code location loads with its schedule, its sensors and every check; definitions built
for a data set's settings read and write that data set only."""

import dataclasses

import dagster as dg
import duckdb

from orchestration.config import Paths, Settings
from orchestration.defs.assets.unrecognised import UNRECOGNISED_FILES_KEY
from orchestration.defs.definitions import build_definitions, defs


def test_definitions_load_with_the_schedule_and_the_sensors():
    dg.Definitions.validate_loadable(defs)
    assert defs.resolve_schedule_def("monthly_refresh").job_name == "materialize_everything"
    assert defs.resolve_sensor_def("landing_zone_sensor").job_name == "materialize_everything"
    assert isinstance(defs.resolve_sensor_def("run_failure_recorder"), dg.RunStatusSensorDefinition)


def test_every_warning_check_is_in_the_graph_and_publication_waits_for_it():
    checks = {key.name: key for key in defs.resolve_asset_graph().asset_check_keys}
    for name in ["few_rows_rejected_per_file", "most_forms_received_last_closed_month",
                 "referrals_extract_is_recent", "parent_partners_extract_is_recent",
                 "removal_episodes_extract_is_recent", "maltreatment_reports_extract_is_recent",
                 "every_input_row_accounted_for", "most_participants_matched",
                 "covariates_balanced_after_matching"]:
        spec = defs.resolve_asset_graph().get_check_spec(checks[name])
        assert spec.blocking, name
        assert spec.description, name


def test_two_data_sets_in_one_process_each_get_their_own_landing_zone_and_warehouse(tmp_path):
    for name in ("a", "b"):
        folder = tmp_path / name
        (folder / "landing").mkdir(parents=True)
        (folder / "landing" / f"stray_{name}.txt").write_text("misplaced")
        paths = Paths(landing_dir=folder / "landing", warehouse=folder / "warehouse.duckdb",
                      published=folder / "published.duckdb", dagster_home=folder / "home")
        built = build_definitions(dataclasses.replace(Settings.from_env(), paths=paths))
        job = built.resolve_job_def("materialize_everything").get_subset(
            asset_selection={UNRECOGNISED_FILES_KEY}
        )
        with dg.DagsterInstance.ephemeral() as instance:
            assert job.execute_in_process(instance=instance).success
    for name in ("a", "b"):
        with duckdb.connect(str(tmp_path / name / "warehouse.duckdb"), read_only=True) as con:
            files = con.sql("select file from raw.unrecognised_files").fetchall()
        assert files == [(f"stray_{name}.txt",)]
