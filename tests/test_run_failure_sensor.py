"""The run-failure sensor: each failed run is recorded, and POSTed to the webhook if set."""

from __future__ import annotations

import http.server
import json
import threading
from typing import ClassVar

import dagster as dg
import pytest

from orchestration.config import Settings
from orchestration.defs.resources import platform_settings
from orchestration.defs.sensors import run_failure_recorder
from orchestration.storage.run_failures import read_failures


@dg.op
def load_the_month():
    raise ValueError("landing file activity_forms/2024-03/site_S01_export.csv vanished")


@dg.job
def monthly_job():
    load_the_month()


@pytest.fixture
def dagster_home(tmp_path, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    monkeypatch.delenv("PPA_ALERT_WEBHOOK", raising=False)
    return tmp_path / "dagster_home"


def fail_a_run_and_sense_it():
    with dg.DagsterInstance.ephemeral() as instance:
        result = monthly_job.execute_in_process(instance=instance, raise_on_error=False)
        failure = next(e for e in result.all_events if e.event_type == dg.DagsterEventType.RUN_FAILURE)
        context = dg.build_run_status_sensor_context(
            sensor_name="run_failure_recorder",
            dagster_instance=instance,
            dagster_run=result.dagster_run,
            dagster_event=failure,
            resources={"settings": platform_settings(Settings.from_env())},
        ).for_run_failure()
        run_failure_recorder(context)
        return result.dagster_run.run_id


def test_a_failed_run_is_recorded_with_its_step_and_error(dagster_home):
    run_id = fail_a_run_and_sense_it()
    failures = read_failures(dagster_home / "run_failures.jsonl")
    assert failures.height == 1
    row = failures.row(0, named=True)
    assert (row["run_id"], row["job_name"], row["failed_step"]) == (run_id, "monthly_job", "load_the_month")
    assert "site_S01_export.csv vanished" in row["error"]
    assert row["failed_at"] is not None


def test_each_failure_appends_a_row(dagster_home):
    fail_a_run_and_sense_it()
    fail_a_run_and_sense_it()
    assert read_failures(dagster_home / "run_failures.jsonl")["run_id"].n_unique() == 2


class _Receiver(http.server.BaseHTTPRequestHandler):
    received: ClassVar[list] = []

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        _Receiver.received.append((self.headers["Content-Type"], json.loads(self.rfile.read(length))))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook(monkeypatch):
    _Receiver.received = []
    server = http.server.HTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("PPA_ALERT_WEBHOOK", f"http://127.0.0.1:{server.server_port}/hook?token=t")
    yield _Receiver.received
    server.shutdown()
    server.server_close()


def test_the_webhook_receives_a_json_summary(dagster_home, webhook):
    run_id = fail_a_run_and_sense_it()
    assert len(webhook) == 1
    content_type, body = webhook[0]
    assert content_type == "application/json"
    assert body["run_id"] == run_id
    assert body["failed_step"] == "load_the_month"
    assert "vanished" in body["text"] and run_id in body["text"]


def test_a_webhook_that_is_down_does_not_lose_the_record(dagster_home, monkeypatch):
    monkeypatch.setenv("PPA_ALERT_WEBHOOK", "http://127.0.0.1:9/hook")  # discard port: refused
    fail_a_run_and_sense_it()
    assert read_failures(dagster_home / "run_failures.jsonl").height == 1


def test_a_failed_in_process_run_of_ppa_run_is_recorded_too(dagster_home):
    from orchestration.runner.pipeline import _record_failure

    with dg.DagsterInstance.ephemeral() as instance:
        result = monthly_job.execute_in_process(instance=instance, raise_on_error=False)
    _record_failure(result, [e for e in result.all_events if e.is_step_failure],
                    "step load_the_month failed")
    [row] = read_failures(dagster_home / "run_failures.jsonl").rows(named=True)
    assert (row["run_id"], row["job_name"], row["failed_step"]) == (
        result.run_id, "monthly_job", "load_the_month")
    assert "site_S01_export.csv vanished" in row["error"]


def failure(i: int) -> dict:
    return {"run_id": f"run-{i:04d}", "job_name": "j", "failed_step": None,
            "error": "x" * 100, "failed_at": f"2026-01-01T00:{i // 60 % 60:02d}:{i % 60:02d}"}


def test_the_failures_file_keeps_its_newest_records_past_its_size_limit(tmp_path, monkeypatch):
    from orchestration.storage import run_failures

    monkeypatch.setattr(run_failures, "MAX_FAILURES_FILE_BYTES", 2_000)
    monkeypatch.setattr(run_failures, "KEEP_FAILURES", 5)
    path = tmp_path / "run_failures.jsonl"
    for i in range(40):
        run_failures.record_failure(path, failure(i))
        assert path.stat().st_size <= 2_000 + 300  # one record past the limit at most
    kept = read_failures(path)["run_id"].to_list()
    assert kept[-1] == "run-0039" and len(kept) <= 5 + 2_000 // 150
    assert kept == sorted(kept)


def test_writers_at_once_lose_no_line(tmp_path):
    from orchestration.storage import run_failures

    path = tmp_path / "run_failures.jsonl"

    def write(start: int) -> None:
        for i in range(start, start + 200):
            run_failures.record_failure(path, failure(i))

    threads = [threading.Thread(target=write, args=(k * 200,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert read_failures(path)["run_id"].n_unique() == 800
