"""The audit log: one JSON line per sign-in, sign-out and download. Never a data value.

The log is readable by its owner only (0600): it says who looked at what and when.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import stat

from orchestration.config import audit_log_path

MODE = 0o600


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
    handle = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, MODE)
    with os.fdopen(handle, "a", encoding="utf-8") as log:
        # The umask may narrow a new file's mode, and a log from before may be wider.
        if stat.S_IMODE(os.fstat(handle).st_mode) != MODE:
            os.fchmod(handle, MODE)
        log.write(json.dumps(event, sort_keys=True) + "\n")
