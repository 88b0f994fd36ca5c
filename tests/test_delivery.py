"""The monthly packets e-mailed, end to end against a local SMTP server (aiosmtpd) over the
shared demo run's publications: every recipient's message arrives with a workbook that
opens, each site coordinator's holds her site only, leadership's only the suppressed
summary; a dry run sends nothing; a failing server is retried, then alerted once; the
scheduled delivery is requested once per month after the monthly run, and only then."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import html
import http.server
import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import ClassVar

import dagster as dg
import duckdb
import fastexcel
import polars as pl
import pytest
from aiosmtpd.controller import Controller

from dashboards import users
from orchestration.config import Settings
from orchestration.defs import delivery as scheduled
from orchestration.defs.jobs import RANGE_END_TAG, RANGE_START_TAG
from orchestration.delivery.send import deliver
from orchestration.storage.packet_deliveries import read_deliveries
from orchestration.storage.run_failures import read_failures

PPA = str(Path(sys.executable).parent / "ppa")
JUNE = dt.date(2024, 6, 1)  # the demo run's last closed month (as of 2024-08-01)
RECIPIENTS = {"ana": "S01", "bo": "S02", "sam": None, "lee": None}


class Inbox:
    """An SMTP handler that keeps what it accepts; `refuse` answers the first n messages
    with `answer` (by default a temporary failure)."""

    def __init__(self, refuse: int = 0, answer: str = "451 4.3.0 try again later"):
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []
        self.refuse, self.answer = refuse, answer

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            self.refuse -= 1
            return self.answer
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    def start(inbox: Inbox) -> int:
        port = free_port()
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        controller.start()
        started.append(controller)
        return port

    started: list[Controller] = []
    yield start
    for controller in started:
        controller.stop()


class _Webhook(http.server.BaseHTTPRequestHandler):
    received: ClassVar[list] = []

    def do_POST(self):
        self.received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook():
    _Webhook.received = []
    server = http.server.HTTPServer(("127.0.0.1", 0), _Webhook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/hook", _Webhook.received
    server.shutdown()
    server.server_close()


@pytest.fixture
def env(demo_run, tmp_path, monkeypatch):
    """The demo run's publications, a users file of four recipients (and two who get
    nothing: one disabled, one without an address) and a Dagster home of the test's own."""
    path = tmp_path / "users.toml"
    for name, site in RECIPIENTS.items():
        role = "site_coordinator" if site else {"sam": "state_coordinator",
                                                "lee": "leadership"}[name]
        users.add_user(path, name, role, site, None, f"{name}@example.org")
    users.add_user(path, "gone", "site_coordinator", "S03", None, "gone@example.org")
    users.disable_user(path, "gone")
    users.add_user(path, "quiet", "site_coordinator", "S03", None)
    values = {
        **{k: demo_run[k] for k in ("PPA_LANDING_DIR", "PPA_WAREHOUSE", "PPA_PUBLISHED")},
        "DAGSTER_HOME": str(tmp_path / "dagster_home"), "PPA_USERS_FILE": str(path),
        "PPA_SMTP_HOST": "127.0.0.1", "PPA_SMTP_PORT": "25", "PPA_SMTP_STARTTLS": "false",
        "PPA_SMTP_FROM": "packets@example.org", "PPA_ALERT_WEBHOOK": "",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


def published(env, sql: str) -> pl.DataFrame:
    with duckdb.connect(env["PPA_PUBLISHED"], read_only=True) as con:
        return con.sql(sql).pl()


def staff_names() -> dict[str, str]:
    """pp_id -> name, as the run published them in the staff directory."""
    path = Settings.from_env().paths.staff_directory
    with duckdb.connect(str(path), read_only=True) as con:
        return dict(con.sql("select pp_id, display_name from staff.parent_partner").fetchall())


def workbook(message) -> fastexcel.ExcelReader:
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return fastexcel.read_excel(attachment.get_content())


def sites_in(book: fastexcel.ExcelReader) -> set[str]:
    found = set()
    for name in book.sheet_names[1:]:
        sheet = book.load_sheet(name).to_polars()
        if "Site" in sheet.columns:
            found |= set(sheet["Site"].drop_nulls().to_list())
    return found


def test_each_recipient_gets_her_packet_and_only_her_site(env, smtp_server, monkeypatch):
    inbox = Inbox()
    monkeypatch.setenv("PPA_SMTP_PORT", str(smtp_server(inbox)))
    outcomes = deliver(Settings.from_env(), JUNE, delays=(0, 0), say=lambda _: None)
    assert [(o.packet.recipient, o.result, o.attempts) for o in outcomes] == [
        ("ana", "sent", 1), ("bo", "sent", 1), ("lee", "sent", 1), ("sam", "sent", 1)]
    received = {to[0].split("@")[0]: message for to, message in inbox.messages}
    assert set(received) == set(RECIPIENTS)
    overdue = published(env, "select site_id, pp_id, family_id from marts.fct_overdue_form")
    assert not overdue.is_empty()
    names = staff_names()
    for name in ("ana", "bo"):
        site, message = RECIPIENTS[name], received[name]
        assert message["Subject"] == f"Parent Partner monthly packet: site {site}, June 2024"
        book = workbook(message)
        assert book.sheet_names == ["Cover", "Parent Partners", "Overdue forms",
                                    "Families by month", "Family months", "Exits"]
        assert sites_in(book) == {site}
        body = message.get_body(("html",)).get_content()
        own = overdue.filter(pl.col("site_id") == site)
        others = overdue.filter(pl.col("site_id") != site)
        assert all(f in body for f in own["family_id"]), name
        assert not any(f in body for f in others["family_id"]), name
        sheet = book.load_sheet("Overdue forms").to_polars()
        assert sorted(sheet["Family"]) == sorted(own["family_id"])
        # The coordinator knows her staff by name: beside each id, in the sheet and the e-mail.
        named = dict(zip(sheet["Parent Partner"], sheet["Parent Partner name"], strict=True))
        assert named == {pp: names[pp] for pp in own["pp_id"]}
        assert all(html.escape(names[pp]) in body for pp in own["pp_id"]), name
    statewide = workbook(received["sam"])
    assert len(sites_in(statewide)) > 2
    statewide_overdue = statewide.load_sheet("Overdue forms").to_polars()
    assert set(statewide_overdue["Site"]) == set(overdue["site_id"])
    leadership = workbook(received["lee"])
    assert leadership.sheet_names == ["Cover", "Service areas", "Sites", "Performance measures"]
    for name in leadership.sheet_names[1:]:
        columns = set(leadership.load_sheet(name).to_polars().columns)
        assert not columns & {"Parent Partner", "Parent Partner name", "Family", "Match"}, name
    assert "Overdue" not in received["lee"].get_body(("html",)).get_content()
    assert not any(n in received["lee"].as_string() for n in names.values())
    # Leadership's figures are read from its publication: what it hides reads as suppressed.
    with duckdb.connect(str(Settings.from_env().paths.published_leadership), read_only=True) as con:
        [hidden] = con.sql("select forms_missing__suppressed, pps_over_caseload_limit__suppressed "
                           "from marts.agg_activity_month where level = 'statewide' "
                           "and service_month = '2024-06-01'").fetchall()
    lines = received["lee"].get_body(("plain",)).get_content().splitlines()
    coordinator = received["sam"].get_body(("plain",)).get_content().splitlines()
    for label, is_hidden in zip(("Forms missing", "Parent Partners over the caseload limit"),
                                hidden, strict=True):
        assert (f"  {label}: suppressed" in lines) == is_hidden, label
        assert f"  {label}: suppressed" not in coordinator
    log = read_deliveries(Settings.from_env().packet_deliveries_file)
    assert log.select("recipient", "result", "address").rows() == [
        (n, "sent", f"{n}@example.org") for n in ("ana", "bo", "lee", "sam")]


def test_a_dry_run_builds_every_packet_and_sends_nothing(env, smtp_server):
    inbox = Inbox()
    port = smtp_server(inbox)
    result = subprocess.run(
        [PPA, "send-packets", "--month", "2024-06", "--dry-run"],
        env={**os.environ, "PPA_SMTP_PORT": str(port)}, capture_output=True, text=True,
        check=False)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split(" to ")[1].split(" ")[0] for line in lines] == ["ana", "bo", "lee", "sam"]
    assert all(line.startswith("would send: ") and ".xlsx" in line for line in lines)
    assert inbox.messages == []
    assert not Path(Settings.from_env().packet_deliveries_file).exists()


def test_a_refused_send_is_retried_and_goes_through(env, smtp_server, monkeypatch):
    inbox = Inbox(refuse=1)
    monkeypatch.setenv("PPA_SMTP_PORT", str(smtp_server(inbox)))
    outcomes = deliver(Settings.from_env(), JUNE, delays=(0, 0), say=lambda _: None)
    assert [(o.result, o.attempts) for o in outcomes] == [
        ("sent", 2), ("sent", 1), ("sent", 1), ("sent", 1)]
    assert len(inbox.messages) == 4


def test_a_permanent_refusal_is_not_sent_again(env, smtp_server, monkeypatch):
    inbox = Inbox(refuse=1, answer="550 5.1.1 no such mailbox")
    monkeypatch.setenv("PPA_SMTP_PORT", str(smtp_server(inbox)))
    outcomes = deliver(Settings.from_env(), JUNE, delays=(0, 0), say=lambda _: None)
    assert [(o.result, o.attempts) for o in outcomes] == [
        ("failed", 1), ("sent", 1), ("sent", 1), ("sent", 1)]
    assert "550" in outcomes[0].error


def test_a_server_that_is_down_is_retried_then_alerted_once(env, webhook, monkeypatch):
    url, alerts = webhook
    monkeypatch.setenv("PPA_ALERT_WEBHOOK", url)
    monkeypatch.setenv("PPA_SMTP_PORT", str(free_port()))  # nothing listens there
    settings = Settings.from_env()
    outcomes = deliver(settings, JUNE, delays=(0, 0), say=lambda _: None)
    assert {(o.result, o.attempts) for o in outcomes} == {("failed", 3)}
    assert len(alerts) == 1
    assert alerts[0]["job_name"] == "send_packets"
    assert alerts[0]["failed_step"] == "4 packet(s) not delivered"
    assert "ana (site S01 packet)" in alerts[0]["text"]
    assert "Connection refused" in alerts[0]["error"]
    assert read_failures(settings.run_failures_file)["job_name"].to_list() == ["send_packets"]
    log = read_deliveries(settings.packet_deliveries_file)
    assert log["result"].to_list() == ["failed"] * 4 and log["attempts"].to_list() == [3] * 4


def test_a_month_not_published_is_refused_by_name(env):
    result = subprocess.run([PPA, "send-packets", "--month", "2031-01"], env=os.environ,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "ppa: error: 2031-01 is not in the published data (as of 2024-08-01)")


def _run(tags: dict) -> dg.DagsterRun:
    return dg.DagsterRun(job_name="materialize_everything", run_id="r1", tags=tags)


def test_only_the_monthly_schedules_run_calls_for_the_packets_once_a_month():
    monthly = {scheduled.SCHEDULE_TAG: "monthly_refresh", RANGE_START_TAG: "2024-10",
               RANGE_END_TAG: "2024-10"}
    request = scheduled.packet_request(_run(monthly), "smtp.example.org")
    assert isinstance(request, dg.RunRequest)
    assert request.run_key == "packets-2024-10"
    assert request.run_config["ops"][scheduled.DELIVERY_OP]["config"] == {"month": "2024-10"}
    by_sensor = {RANGE_START_TAG: "2024-10", RANGE_END_TAG: "2024-10"}
    assert isinstance(scheduled.packet_request(_run(by_sensor), "smtp.example.org"),
                      dg.SkipReason)
    assert isinstance(scheduled.packet_request(_run(monthly), None), dg.SkipReason)


def test_the_scheduled_delivery_sends_every_packet(env, smtp_server, monkeypatch):
    """The job the sensor requests, run as the daemon would: `ppa send-packets` in a
    process of its own, its packets in the inbox."""
    inbox = Inbox()
    monkeypatch.setenv("PPA_SMTP_PORT", str(smtp_server(inbox)))
    request = scheduled.packet_request(
        _run({scheduled.SCHEDULE_TAG: "monthly_refresh", RANGE_END_TAG: "2024-06"}),
        "127.0.0.1")
    with dg.DagsterInstance.ephemeral() as instance:
        result = scheduled.deliver_monthly_packets.execute_in_process(
            run_config=request.run_config, instance=instance)
    assert result.success
    assert sorted(to[0] for to, _ in inbox.messages) == [
        f"{n}@example.org" for n in sorted(RECIPIENTS)]


def test_a_delivery_that_fails_fails_its_run(monkeypatch):
    """What failed is in the run's failure, which the run-failure sensor records and
    alerts (the command itself does not alert then)."""
    assert scheduled.send_packets_command("2024-06")[-1] == "--no-alert"
    monkeypatch.setattr(scheduled, "send_packets_command", lambda month: [
        sys.executable, "-c",
        ("import sys; print('failed: site S01 packet to ana'); "
         "sys.exit('ppa: error: 1 of 4 packet(s) not delivered after retries')")])
    with dg.DagsterInstance.ephemeral() as instance:
        result = scheduled.deliver_monthly_packets.execute_in_process(
            run_config={"ops": {scheduled.DELIVERY_OP: {"config": {"month": "2024-06"}}}},
            instance=instance, raise_on_error=False)
    assert not result.success
    [failure] = [e for e in result.all_events if e.is_step_failure]
    assert "1 of 4 packet(s) not delivered" in failure.step_failure_data.error.message
