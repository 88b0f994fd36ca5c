"""The code location loads with its schedule, its sensors and every check."""

import dagster as dg

from orchestration.defs.definitions import defs


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
