"""The filter values a page asks for: SFY, month range, service area, site.

They come from widgets bound to the URL, so anyone can type anything into them:
the data-access module treats every value as untrusted and binds it as a parameter.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Filters:
    sfy: int | None = None
    month_from: dt.date | None = None
    month_to: dt.date | None = None
    service_area: str | None = None
    site_id: str | None = None

    def as_audit(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None}
