"""What every page opens with: its title, the data's as-of date and last refresh (with a
banner when stale), and the filters, which live in the URL so a link reproduces the view.

The filter widgets only offer what the viewer may see; whatever the URL says, the
data-access module still binds the viewer's own scope.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re

import polars as pl
import streamlit as st

from dashboards import data_access
from dashboards.filters import Filters
from dashboards.labels import Labels
from dashboards.markdown_text import literal
from dashboards.viewer import SITE_COORDINATOR, Viewer


def stale_after() -> dt.timedelta:
    """How old the last successful refresh may be before pages warn (an operations setting,
    PPA_STALE_AFTER_HOURS, default 36: a daily run may be late by half a day)."""
    return dt.timedelta(hours=float(os.environ.get("PPA_STALE_AFTER_HOURS") or 36))


@dataclasses.dataclass(frozen=True)
class PageContext:
    viewer: Viewer
    page: str
    filters: Filters
    definitions: pl.DataFrame
    parameters: dict[str, float]
    labels: Labels = dataclasses.field(default_factory=Labels)
    # The Parent Partners' names the viewer may see (data_access.staff_names): none for
    # leadership. Tables show each beside its id (tables.show_table).
    staff: pl.DataFrame = dataclasses.field(
        default_factory=lambda: pl.DataFrame(schema=data_access.STAFF_NAMES_SCHEMA))

    def help(self, model: str, column: str | None = None) -> str | None:
        """The dbt description (and meta) of a model or column: "how is this computed"."""
        rows = self.definitions.filter(
            (pl.col("model") == model)
            & (pl.col("column_name").is_null() if column is None
               else pl.col("column_name") == column)
        )
        if rows.is_empty():
            return None
        description, meta = rows.row(0)[2], json.loads(rows.row(0)[3] or "{}")
        extra = "; ".join(f"{k}: {v}" for k, v in meta.items() if isinstance(v, str))
        return self.words(description.strip() + (f" ({extra})" if extra else ""))

    def words(self, text: str) -> str:
        """`text` in the pages' words: a program parameter it names as its value, a column
        as its label."""
        if self.parameters:
            text = re.sub(r"\b(" + "|".join(map(re.escape, self.parameters)) + r")\b",
                          lambda m: f"{self.parameters[m.group(1)]:g}", text)
        return self.labels.worded(text)


def _month_label(month: dt.date) -> str:
    return month.strftime("%Y-%m")


def _filters(viewer: Viewer) -> Filters:
    months = data_access.months(viewer)
    sfys = sorted(months["sfy"].unique().to_list(), reverse=True)
    due = months.filter(pl.col("is_form_expected"))
    current_sfy = due["sfy"].max() if not due.is_empty() else (sfys[0] if sfys else None)
    with st.sidebar:
        st.header("Filters")
        sfy = st.selectbox(
            "State fiscal year", sfys, index=sfys.index(current_sfy) if sfys else None,
            key="sfy", bind="query-params",
        )
        in_sfy = months.filter(pl.col("sfy") == sfy) if sfy is not None else months
        labels = [_month_label(m) for m in in_sfy["service_month"]]
        due_labels = [_month_label(m) for m in in_sfy.filter("is_form_expected")["service_month"]]
        last = labels.index(due_labels[-1]) if due_labels else max(len(labels) - 1, 0)
        month_from = st.selectbox("From month", labels, index=0 if labels else None,
                                  key="from", bind="query-params")
        month_to = st.selectbox("To month", labels, index=last if labels else None,
                                key="to", bind="query-params")
        sites = data_access.sites(viewer)
        if viewer.role == SITE_COORDINATOR:
            # Her own site, without a choice (the data access binds it whatever is asked).
            site_row = sites.row(0, named=True) if not sites.is_empty() else None
            area = site_row["service_area"] if site_row else None
            site = site_row["site_id"] if site_row else None
            if site_row:
                st.markdown(f"**Site:** {literal(site)} {literal(site_row['site_name'])} "
                            f"({literal(area)})")
        else:
            areas = sorted(sites["service_area"].unique().to_list())
            area = st.selectbox("Service area", areas, index=None,
                                placeholder="All service areas", key="area",
                                bind="query-params")
            if area is not None:
                sites = sites.filter(pl.col("service_area") == area)
            # Site ids as options, so the URL reads ?site=S01; the name is shown beside.
            names = dict(sites.select("site_id", "site_name").iter_rows())
            site = st.selectbox("Site", list(names), index=None, placeholder="All sites",
                                key="site", bind="query-params")
            if site is not None:
                st.caption(literal(names[site]))
    start = dt.date.fromisoformat(month_from + "-01") if month_from else None
    end = dt.date.fromisoformat(month_to + "-01") if month_to else None
    if start and end and start > end:
        start, end = end, start
    return Filters(sfy=sfy, month_from=start, month_to=end, service_area=area, site_id=site)


def _freshness(viewer: Viewer) -> None:
    refresh = data_access.refresh(viewer)
    refreshed = refresh["refreshed_at"]
    st.caption(f"Data as of {refresh['as_of_date']} - last successful refresh {refreshed}")
    age = dt.datetime.now() - refreshed
    if age > stale_after():
        st.warning(
            f"The published data is stale: the last successful refresh was "
            f"{age.days} days and {age.seconds // 3600} hours ago. Figures may be out of date."
        )


def open_page(viewer: Viewer, page: str, title: str) -> PageContext:
    st.title(title)
    _freshness(viewer)
    filters = _filters(viewer)
    return PageContext(
        viewer=viewer,
        page=page,
        filters=filters,
        definitions=data_access.metric_definitions(viewer),
        parameters=data_access.program_parameters(viewer),
        labels=Labels.from_frame(data_access.column_labels(viewer)),
        staff=(data_access.staff_names(viewer, filters) if viewer.sees_records
               else pl.DataFrame(schema=data_access.STAFF_NAMES_SCHEMA)),
    )
