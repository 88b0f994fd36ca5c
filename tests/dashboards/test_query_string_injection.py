"""Quote- and semicolon-shaped values typed into a page's address (the filters live in the
query string): every page still renders, the payload is treated as a value no filter
offers, and the published file is unchanged."""

from __future__ import annotations

import hashlib

import pytest
from conftest import HARNESS
from streamlit.testing.v1 import AppTest

PAYLOADS = [
    "S01' or '1'='1",
    "x'; drop table marts.dim_site; --",
    "2024-01\"); delete from marts.agg_activity_month; --",
]
FILTER_KEYS = ("sfy", "from", "to", "area", "site")
PAGES = ["overview", "site", "fidelity", "outcomes", "reach", "contract", "data-quality"]

pytestmark = pytest.mark.usefixtures("dashboard_env")


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _page(monkeypatch, page: str, query: dict[str, str]) -> AppTest:
    monkeypatch.setenv("PPA_TEST_ROLE", "state_coordinator")
    monkeypatch.setenv("PPA_TEST_SITE", "")
    monkeypatch.setenv("PPA_TEST_PAGE", page)
    app = AppTest.from_file(HARNESS, default_timeout=120)
    for key, value in query.items():
        app.query_params[key] = value
    return app.run()


def _shown(app: AppTest) -> list:
    return [(t.value.shape, list(t.value.columns)) for t in app.dataframe] + [
        (m.label, m.value) for m in app.metric]


@pytest.mark.parametrize("page", PAGES)
def test_payloads_in_the_query_string_are_values_no_filter_offers(monkeypatch, published, page):
    before = _digest(published)
    plain = _page(monkeypatch, page, {})
    assert not plain.exception
    for payload in PAYLOADS:
        app = _page(monkeypatch, page, dict.fromkeys(FILTER_KEYS, payload))
        assert not app.exception, [e.value for e in app.exception]
        chosen = {box.key: box.value for box in app.selectbox}
        assert payload not in chosen.values()
        # Every filter is offered (a page may have select boxes of its own besides).
        assert set(chosen) >= set(FILTER_KEYS)
        # Nothing the page shows depends on the payload: it renders as with no filter.
        assert _shown(app) == _shown(plain)
    assert _digest(published) == before
