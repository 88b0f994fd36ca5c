"""The landing-zone sensor: runs for new or changed months, nothing when nothing changed."""

import json
import os

import dagster as dg
import pytest

from orchestration.config import Settings
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


def evaluate(cursor=None):
    context = dg.build_sensor_context(
        cursor=cursor, resources={"settings": platform_settings(Settings.from_env())}
    )
    result = landing_zone_sensor(context)
    return result, context.cursor


def test_first_look_requests_the_months_present_then_nothing(landing):
    drop_form(landing, "2024-03")
    drop_form(landing, "2024-05")
    request, cursor = evaluate()
    assert isinstance(request, dg.RunRequest)
    assert (request.tags[RANGE_START_TAG], request.tags[RANGE_END_TAG]) == ("2024-03", "2024-05")
    again, _ = evaluate(cursor)
    assert isinstance(again, dg.SkipReason)


def test_a_newly_dropped_month_requests_just_that_month(landing):
    drop_form(landing, "2024-03")
    _, cursor = evaluate()
    drop_form(landing, "2024-06", name="PP002_F010.csv")
    request, _ = evaluate(cursor)
    assert (request.tags[RANGE_START_TAG], request.tags[RANGE_END_TAG]) == ("2024-06", "2024-06")


def test_touching_a_file_without_changing_it_requests_nothing(landing):
    path = drop_form(landing, "2024-03")
    _, cursor = evaluate()
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    result, next_cursor = evaluate(cursor)
    assert isinstance(result, dg.SkipReason)
    assert json.loads(next_cursor)[path.relative_to(landing).as_posix()][1] != stat.st_mtime_ns


def test_a_changed_file_requests_its_month_again(landing):
    drop_form(landing, "2024-03")
    _, cursor = evaluate()
    drop_form(landing, "2024-03", rows=3)
    request, _ = evaluate(cursor)
    assert request.tags[RANGE_START_TAG] == "2024-03"


def test_a_new_reference_snapshot_requests_every_month(landing):
    drop_form(landing, "2024-03")
    _, cursor = evaluate()
    (landing / "referrals").mkdir(parents=True)
    (landing / "referrals" / "referrals_2024-04-01.csv").write_text("referral_id\n")
    request, _ = evaluate(cursor)
    keys = service_month_partitions.get_partition_keys()
    assert (request.tags[RANGE_START_TAG], request.tags[RANGE_END_TAG]) == (keys[0], keys[-1])


def test_first_look_skips_what_the_warehouse_already_holds(landing, tmp_path):
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
    request, _ = evaluate()
    assert (request.tags[RANGE_START_TAG], request.tags[RANGE_END_TAG]) == ("2024-05", "2024-05")
