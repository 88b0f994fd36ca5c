"""The code location loads with its schedule, its sensors and every check."""

import dagster as dg

from orchestration.definitions import defs


def test_definitions_load_with_the_schedule_and_the_sensors():
    dg.Definitions.validate_loadable(defs)
    assert defs.resolve_schedule_def("monthly_refresh").job_name == "materialize_everything"
    assert defs.resolve_sensor_def("landing_zone_sensor").job_name == "materialize_everything"
