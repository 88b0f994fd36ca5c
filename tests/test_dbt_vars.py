"""The dbt vars a run passes: its as-of date, and the month window of a partial run."""

import datetime as dt

from orchestration.defs.assets.dbt import dbt_vars
from orchestration.defs.partitions import service_month_partitions

AS_OF = dt.date(2024, 8, 1)


def test_unpartitioned_run_passes_only_the_as_of_date():
    assert dbt_vars(AS_OF) == {"as_of_date": "2024-08-01"}


def test_a_range_of_months_becomes_the_window():
    assert dbt_vars(AS_OF, ["2024-03", "2024-04", "2024-05"]) == {
        "as_of_date": "2024-08-01",
        "min_service_month": "2024-03-01",
        "max_service_month": "2024-05-01",
    }


def test_a_run_over_every_month_rebuilds_everything():
    assert dbt_vars(AS_OF, service_month_partitions.get_partition_keys()) == {
        "as_of_date": "2024-08-01"
    }


def test_a_configured_reporting_start_is_passed_as_its_first_day():
    assert dbt_vars(AS_OF, reporting_start="2021-07") == {
        "as_of_date": "2024-08-01",
        "reporting_start": "2021-07-01",
    }


def test_every_dbt_step_of_a_run_gets_the_runs_months_from_its_tags():
    from types import SimpleNamespace

    from orchestration.defs.assets.dbt import run_months
    from orchestration.defs.jobs import partition_range_tags

    def context(tags):
        return SimpleNamespace(run=SimpleNamespace(tags=tags))

    assert run_months(context(partition_range_tags("2024-03", "2024-05"))) == [
        "2024-03", "2024-04", "2024-05"]
    assert run_months(context({"dagster/partition": "2024-04"})) == ["2024-04"]
    assert run_months(context({})) is None


def test_a_runs_dbt_steps_share_one_target_folder_and_old_ones_are_pruned(
    tmp_path, monkeypatch
):
    import os

    from orchestration.defs.assets import dbt as dbt_assets_module

    monkeypatch.setattr(dbt_assets_module, "DBT_PROJECT_DIR", tmp_path)
    target = tmp_path / "target"
    for i in range(dbt_assets_module.KEEP_RUN_TARGETS + 3):
        folder = target / f"run-old{i:02d}"
        folder.mkdir(parents=True)
        os.utime(folder, (1_000_000 + i, 1_000_000 + i))
    (target / "partial_parse.msgpack").write_bytes(b"kept")

    path = dbt_assets_module.run_target_path("abc")
    assert path == target / "run-abc"
    assert dbt_assets_module.run_target_path("abc") == path
    left = sorted(p.name for p in target.glob("run-*"))
    # The newest folders stay (the three oldest went); anything else in target/ is kept.
    assert left == [f"run-old{i:02d}" for i in range(3, dbt_assets_module.KEEP_RUN_TARGETS + 3)]
    assert (target / "partial_parse.msgpack").read_bytes() == b"kept"
