"""The audit log: one JSON line per event, appended, holding filter values but no data,
readable by its owner only."""

import json
import os
import stat

from dashboards import audit
from orchestration.config import REPO_ROOT


def test_each_event_is_one_json_line_appended(tmp_path, monkeypatch):
    log = tmp_path / "logs" / "audit.log"
    monkeypatch.setenv("PPA_AUDIT_LOG", str(log))
    audit.record("ana", "site_coordinator", "sign_in", "sign_in")
    audit.record("lee", "leadership", "outcomes", "download", {"sfy": 2025, "site": "S01"})
    events = [json.loads(line) for line in log.read_text().splitlines()]
    assert [set(e) for e in events] == [{"time", "user", "role", "page", "action", "filters"}] * 2
    assert events[0]["filters"] == {}
    assert events[1] | {"time": None} == {
        "time": None, "user": "lee", "role": "leadership", "page": "outcomes",
        "action": "download", "filters": {"sfy": "2025", "site": "S01"},
    }
    assert events[1]["time"].endswith("+00:00")


def test_the_default_log_is_under_the_repo(monkeypatch):
    monkeypatch.delenv("PPA_AUDIT_LOG", raising=False)
    assert audit.audit_log_path() == REPO_ROOT / "data" / "audit.log"


def test_the_log_is_readable_by_its_owner_only_whatever_the_umask(tmp_path, monkeypatch):
    log = tmp_path / "audit.log"
    monkeypatch.setenv("PPA_AUDIT_LOG", str(log))
    previous = os.umask(0o022)
    try:
        audit.record("ana", "site_coordinator", "sign_in", "sign_in")
        assert stat.S_IMODE(log.stat().st_mode) == 0o600
        # A log kept from before, readable by all, is narrowed at the next event.
        log.chmod(0o644)
        audit.record("ana", "site_coordinator", "sign_in", "sign_out")
        assert stat.S_IMODE(log.stat().st_mode) == 0o600
        # A umask that takes the owner's own write bit away still leaves 0600.
        os.umask(0o277)
        fresh = tmp_path / "fresh.log"
        monkeypatch.setenv("PPA_AUDIT_LOG", str(fresh))
        audit.record("ana", "site_coordinator", "sign_in", "sign_in")
        assert stat.S_IMODE(fresh.stat().st_mode) == 0o600
    finally:
        os.umask(previous)
    assert len(log.read_text().splitlines()) == 2
