"""Each role's pages. A page a role may not see is never registered: in Streamlit a
registered page is reachable by URL even when hidden from the menu."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import streamlit as st

from dashboards.viewer import LEADERSHIP, ROLES, SITE_COORDINATOR, STATE_COORDINATOR, Viewer
from dashboards.views import (
    contract,
    data_quality,
    fidelity,
    methodology,
    outcomes,
    overview,
    reach,
    site,
)


@dataclass(frozen=True)
class PageSpec:
    url_path: str
    title: str
    icon: str
    render: object
    roles: tuple[str, ...]


# The statewide outcome study and the contract are about the whole program, not one site;
# the site page is record level, so leadership never gets it.
PAGES = (
    PageSpec("overview", "Overview", ":material/dashboard:", overview.render, ROLES),
    PageSpec("site", "Site", ":material/home_work:", site.render,
             (STATE_COORDINATOR, SITE_COORDINATOR)),
    PageSpec("fidelity", "Fidelity", ":material/fact_check:", fidelity.render, ROLES),
    PageSpec("outcomes", "Outcomes", ":material/insights:", outcomes.render,
             (STATE_COORDINATOR, LEADERSHIP)),
    PageSpec("reach", "Reach", ":material/diversity_3:", reach.render,
             (STATE_COORDINATOR, LEADERSHIP)),
    PageSpec("contract", "Contract", ":material/request_quote:", contract.render,
             (STATE_COORDINATOR, LEADERSHIP)),
    PageSpec("data-quality", "Data quality", ":material/rule:", data_quality.render, ROLES),
    PageSpec("methodology", "Methodology", ":material/menu_book:", methodology.render, ROLES),
)


def pages_for(viewer: Viewer) -> list[st.Page]:
    """The viewer's pages in menu order; the first (the overview) opens at the root URL."""
    return [
        st.Page(functools.partial(spec.render, viewer), title=spec.title, icon=spec.icon,
                url_path=spec.url_path)
        for spec in PAGES
        if viewer.role in spec.roles
    ]
