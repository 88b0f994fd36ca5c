"""The landing-zone sensor: runs for new or changed months, nothing when nothing changed."""

import json
import os

import dagster as dg
import pytest

from orchestration.config import Settings
from orchestration.defs import sensors
from orchestration.defs.jobs import RANGE_END_TAG, RANGE_START_TAG
from orchestration.defs.partitions import service_month_partitions
from orchestration.defs.resources import platform_settings
from orchestration.defs.sensors import landing_zone_sensor

HEADER = "pp_id,family_id,service_month,submitted_at,activity_date,activity_type,duration_minutes,notes\n"


def drop_form(landing, month, name="site_S01_export.csv", rows=1):
    folder = landing / "activity_forms" / month
    folder.mkdir(parents=True, exist_ok=True)
    body = "".join(
        f"PP001,F{i:03d},{month},{month}-28T10:00:00,{month}-0{i % 9 + 1},home_visit,60,\n"
        for i in range(rows)
    )
    path = folder / name
    path.write_text(HEADER + body)
    return path


@pytest.fixture
def landing(tmp_path, monkeypatch):
    monkeypatch.setenv("PPA_LANDING_DIR", str(tmp_path / "landing"))
    monkeypatch.setenv("PPA_WAREHOUSE", str(tmp_path / "warehouse.duckdb"))
    return tmp_path / "landing"


class Sensor:
    """The landing-zone sensor over one instance, as the daemon has one."""

    def __init__(self, instance: dg.DagsterInstance):
        self.instance = instance

    def evaluate(self, cursor=None):
        context = dg.build_sensor_context(
            cursor=cursor, instance=self.instance,
            resources={"settings": platform_settings(Settings.from_env())},
        )
        result = landing_zone_sensor(context)
        return result, context.cursor

    def states(self, cursor):
        """The file states a cursor names, as a new process reads them (from the instance)."""
        sensors._last_look.clear()
        return sensors.last_look(self.instance, cursor)["states"]


@pytest.fixture
def sensor():
    sensors._last_look.clear()  # nothing kept in this process from another test
    with dg.DagsterInstance.ephemeral() as instance:
        yield Sensor(instance)


def test_first_look_requests_the_months_present_then_nothing(landing, sensor):
    drop_form(landing, "2024-03")
    drop_form(landing, "2024-05")
    request, cursor = sensor.evaluate()
    assert isinstance(request, dg.RunRequest)
    assert (request.tags[RANGE_START_TAG], request.tags[RANGE_END_TAG]) == ("2024-03", "2024-05")
    again, _ = sensor.evaluate(cursor)
    assert isinstance(again, dg.SkipReason)


def test_a_newly_dropped_month_requests_just_that_month(landing, sensor):
    drop_form(landing, "2024-03")
    _, cursor = sensor.evaluate()
    drop_form(landing, "2024-06", name="PP002_F010.csv")
    request, _ = sensor.evaluate(cursor)
    assert (request.tags[RANGE_START_TAG], request.tags[RANGE_END_TAG]) == ("2024-06", "2024-06")


def test_touching_a_file_without_changing_it_requests_nothing(landing, sensor):
    path = drop_form(landing, "2024-03")
    _, cursor = sensor.evaluate()
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    result, next_cursor = sensor.evaluate(cursor)
    assert isinstance(result, dg.SkipReason)
    assert sensor.states(next_cursor)[path.relative_to(landing).as_posix()][1] != stat.st_mtime_ns


def test_a_changed_file_requests_its_month_again(landing, sensor):
    drop_form(landing, "2024-03")
    _, cursor = sensor.evaluate()
    drop_form(landing, "2024-03", rows=3)
    request, _ = sensor.evaluate(cursor)
    assert request.tags[RANGE_START_TAG] == "2024-03"


def test_a_new_reference_snapshot_requests_every_month(landing, sensor):
    drop_form(landing, "2024-03")
    _, cursor = sensor.evaluate()
    (landing / "referrals").mkdir(parents=True)
    (landing / "referrals" / "referrals_2024-04-01.csv").write_text("referral_id\n")
    request, _ = sensor.evaluate(cursor)
    keys = service_month_partitions.get_partition_keys()
    assert (request.tags[RANGE_START_TAG], request.tags[RANGE_END_TAG]) == (keys[0], keys[-1])


def test_first_look_skips_what_the_warehouse_already_holds(landing, sensor, tmp_path):
    import duckdb

    from orchestration.ingest.discovery import sha256_of
    from orchestration.storage.warehouse import ensure_raw_schema

    ingested = drop_form(landing, "2024-03")
    drop_form(landing, "2024-05")
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        ensure_raw_schema(con)
        con.execute(
            "insert into raw.ingested_files (file, sha256) values (?, ?)",
            [ingested.relative_to(landing).as_posix(), sha256_of(ingested)],
        )
    request, _ = sensor.evaluate()
    assert (request.tags[RANGE_START_TAG], request.tags[RANGE_END_TAG]) == ("2024-05", "2024-05")


def test_the_cursor_names_the_states_the_instance_keeps(landing, sensor):
    """Dagster stores the cursor with every tick and keeps skipped ticks for a week: it is
    a digest, whatever the size of the landing zone."""
    for month in ("2024-01", "2024-02", "2024-03"):
        for pp in range(20):
            drop_form(landing, month, name=f"PP{pp:03d}_F{pp:03d}.csv")
    _, cursor = sensor.evaluate()
    assert len(cursor) == 32
    assert len(sensor.states(cursor)) == 60
    assert all(len(state) == 3 for state in sensor.states(cursor).values())


def test_a_look_at_an_unchanged_listing_classifies_and_hashes_nothing(landing, sensor, monkeypatch):
    drop_form(landing, "2024-03")
    _, cursor = sensor.evaluate()

    def no_classifying(*args, **kwargs):
        raise AssertionError("an unchanged landing zone was classified")

    monkeypatch.setattr(sensors, "changed_files", no_classifying)
    for kept_in_process in (True, False):
        if not kept_in_process:
            sensors._last_look.clear()
        result, next_cursor = sensor.evaluate(cursor)
        assert isinstance(result, dg.SkipReason) and next_cursor == cursor
    (landing / "activity_forms" / "2024-03" / "notes.txt").write_text("not a form")
    with pytest.raises(AssertionError, match="classified"):
        sensor.evaluate(cursor)


def test_a_cursor_whose_look_was_not_kept_looks_as_a_first_look_does(landing, sensor, tmp_path):
    """A tick that stored its look and then failed leaves the previous cursor: it names a
    look the instance no longer holds, so the warehouse says what is already ingested."""
    drop_form(landing, "2024-03")
    _, first = sensor.evaluate()
    drop_form(landing, "2024-05")
    stored_then_failed, _ = sensor.evaluate(first)
    assert stored_then_failed.tags[RANGE_START_TAG] == "2024-05"
    sensors._last_look.clear()
    request, _ = sensor.evaluate(first)
    assert (request.tags[RANGE_START_TAG], request.tags[RANGE_END_TAG]) == ("2024-03", "2024-05")


def test_a_cursor_of_the_earlier_kind_is_read(landing, sensor):
    """An instance from before the states moved out of the cursor: its cursor holds them."""
    path = drop_form(landing, "2024-03")
    _, cursor = sensor.evaluate()
    old_cursor = json.dumps(sensor.states(cursor))
    result, next_cursor = sensor.evaluate(old_cursor)
    assert isinstance(result, dg.SkipReason)
    assert sensor.states(next_cursor) == json.loads(old_cursor)
    drop_form(landing, "2024-03", rows=2)
    request, _ = sensor.evaluate(old_cursor)
    assert request.tags[RANGE_START_TAG] == "2024-03" and path.exists()
