"""Who is looking: the signed-in user as every data-access call receives it.

The role and site come from the users file on every rerun, never from the page,
a widget or the URL; the data-access module derives every scope from this object.
"""

from __future__ import annotations

from dataclasses import dataclass

STATE_COORDINATOR = "state_coordinator"
SITE_COORDINATOR = "site_coordinator"
LEADERSHIP = "leadership"
ROLES = (STATE_COORDINATOR, SITE_COORDINATOR, LEADERSHIP)


@dataclass(frozen=True)
class Viewer:
    name: str
    role: str
    site_id: str | None = None

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}; one of {', '.join(ROLES)}")
        if (self.role == SITE_COORDINATOR) != bool(self.site_id):
            raise ValueError("a site coordinator, and only a site coordinator, has a site")

    @property
    def sees_records(self) -> bool:
        """Record-level rows (a PP, a family, an episode, a file's rejected row)."""
        return self.role != LEADERSHIP

    @property
    def suppressed(self) -> bool:
        return self.role == LEADERSHIP
