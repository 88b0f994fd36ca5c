"""Every page's queries through the dashboards' data-access module, timed per page.

A page opens with the shared context (months, sites, refresh, definitions, parameters)
and then asks for its own frames, with the filters a page opens with: the SFY of the
last month whose forms are due, from its first month to that month (the overview's
trend: 24 months back). The calls mirror dashboards/views/*.py (a paged list: its count
and its first page); a page a role may not open is not timed for it. The dashboards' answer cache is emptied before every load, so
each sample is a page whose queries all reach the published file (as a user's first view
after a publish); the file itself stays open between loads, as in the running dashboards.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import statistics
import time
from pathlib import Path

STATE, SITE = "state_coordinator", "site_coordinator"
PAGES_OF = {
    STATE: ("overview", "site", "fidelity", "outcomes", "contract", "data-quality",
            "methodology"),
    SITE: ("overview", "site", "fidelity", "data-quality", "methodology"),
}


def _months_back(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 - n
    return dt.date(index // 12, index % 12 + 1, 1)


def _page_calls(da, page: str, viewer, filters, sfy_only):
    """The data-access calls of one page after its shared context."""
    window = dataclasses.replace(filters, sfy=None,
                                 month_from=_months_back(filters.month_to, 23))
    month_only = dataclasses.replace(filters, month_from=filters.month_to)
    records = viewer.sees_records
    statewide = viewer.role == STATE
    calls = {
        "overview": [
            lambda: da.measure_targets(viewer, sfy_only),
            lambda: da.activity_trend(viewer, window),
            *[(lambda lvl=level: da.activity_by_level(viewer, month_only, lvl))
              for level in (("service_area", "site") if viewer.role != SITE else ("site",))],
            lambda: da.contract_position(viewer, sfy_only),
        ],
        "site": [
            lambda: da.parent_partners(viewer, filters),
            lambda: da.family_months(viewer, filters),
            lambda: da.exits(viewer, filters),
            lambda: da.refresh(viewer),
        ],
        "fidelity": [
            lambda: da.measure_targets(viewer, sfy_only),
            lambda: da.activity_by_level(viewer, filters, "site"),
            *([lambda: da.pp_caseloads(viewer, filters),
               lambda: da.training(viewer, filters),
               lambda: da.training_topics(viewer, filters)] if records else []),
            lambda: da.exits_by_area(viewer, filters, "site"),
        ],
        "outcomes": [
            lambda: da.outcome_comparison(viewer),
            lambda: da.naive_comparison(viewer),
            lambda: da.matching_balance(viewer),
            lambda: da.sample_flow(viewer),
            lambda: da.cfsr_indicators(viewer, filters),
        ],
        "contract": [
            lambda: da.contract_position(viewer, filters),
            lambda: da.performance_measures(viewer, filters),
            lambda: da.invoice_checks(viewer, filters),
        ],
        "data-quality": [
            lambda: da.files_by_kind(viewer, filters),
            *([lambda: da.file_summary(viewer, filters),
               lambda: da.count_missing_forms(viewer, filters),
               lambda: da.missing_forms(viewer, filters, 1),
               lambda: da.count_rejected_rows(viewer, filters),
               lambda: da.rejected_rows(viewer, filters, 1),
               lambda: da.count_files(viewer, filters),
               lambda: da.files(viewer, filters, 1),
               lambda: da.unrecognised_files(viewer, filters)] if records else []),
            *([lambda: da.check_results(viewer), lambda: da.run_failures(viewer),
               lambda: da.packet_deliveries(viewer)] if statewide else []),
        ],
        "methodology": [lambda: da.refresh(viewer)],
    }
    return calls[page]


def _open_page(da, viewer) -> None:
    da.months(viewer)
    da.sites(viewer)
    da.refresh(viewer)
    da.metric_definitions(viewer)
    da.program_parameters(viewer)


def _percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure_pages(published: Path, repeat: int = 10) -> dict:
    """p50 and p95 (ms) of each page's queries, per viewer, `repeat` times each."""
    os.environ["PPA_PUBLISHED"] = str(Path(published).resolve())
    import streamlit as st

    from dashboards import data_access as da
    from dashboards.filters import Filters
    from dashboards.viewer import Viewer

    state = Viewer("bench.state", STATE)
    months = da.months(state)
    due = months.filter(months["is_form_expected"])
    last = (due if not due.is_empty() else months).row(-1, named=True)
    sfy = last["sfy"]
    first = months.filter(months["sfy"] == sfy)["service_month"].min()
    filters = Filters(sfy=sfy, month_from=first, month_to=last["service_month"])
    site_id = da.sites(state)["site_id"][0]
    viewers = {STATE: state, SITE: Viewer(f"bench.{site_id}", SITE, site_id)}
    report: dict = {"repetitions": repeat, "cache": "emptied before each page load",
                    "filters": {
        "sfy": sfy, "month_from": str(first), "month_to": str(last["service_month"])}}
    for role, viewer in viewers.items():
        pages = {}
        for page in PAGES_OF[role]:
            calls = _page_calls(da, page, viewer, filters, Filters(sfy=sfy))
            samples = []
            for _ in range(repeat):
                st.cache_data.clear()
                began = time.perf_counter()
                _open_page(da, viewer)
                for call in calls:
                    call()
                samples.append((time.perf_counter() - began) * 1000)
            pages[page] = {
                "queries": len(calls) + 5,
                "p50_ms": statistics.median(samples),
                "p95_ms": _percentile(samples, 0.95),
            }
        report[role] = {"site_id": viewer.site_id, "pages": pages}
    every = [p["p95_ms"] for r in viewers for p in report[r]["pages"].values()]
    report["worst_page_p95_ms"] = max(every)
    return report
