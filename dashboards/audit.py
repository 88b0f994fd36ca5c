"""The audit log: one JSON line per sign-in, sign-out and download. Never a data value."""

from __future__ import annotations

import datetime as dt
import json

from orchestration.config import audit_log_path


def record(user: str, role: str | None, page: str, action: str, filters: dict | None = None):
    """Append one event; `filters` holds the view's filter values (ids and dates, not data)."""
    event = {
        "time": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "user": user,
        "role": role,
        "page": page,
        "action": action,
        "filters": {k: str(v) for k, v in (filters or {}).items()},
    }
    path = audit_log_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as log:
        log.write(json.dumps(event, sort_keys=True) + "\n")
