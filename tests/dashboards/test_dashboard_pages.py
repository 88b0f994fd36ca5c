"""Every page for every role through Streamlit's AppTest, on the demo data set."""

from __future__ import annotations

import datetime as dt
import io
import os

import fastexcel
import polars as pl
import pytest
from conftest import HARNESS, NOT_COUNTS, RECORD_ID_COLUMNS, marts, staff_directory
from streamlit.testing.v1 import AppTest
from visible_text import published_snake_case_columns, raw_names_shown, visible_texts

from dashboards import data_access
from dashboards.filters import Filters
from dashboards.labels import Labels
from dashboards.monthly_packet import packet_bytes, site_tables
from dashboards.viewer import Viewer

ROLE_PAGES = {
    "state_coordinator": ["overview", "site", "fidelity", "outcomes", "reach", "contract",
                          "data-quality", "methodology"],
    "site_coordinator": ["overview", "site", "fidelity", "data-quality", "methodology"],
    "leadership": ["overview", "fidelity", "outcomes", "reach", "contract", "data-quality",
                   "methodology"],
}
SITE_OF = {"site_coordinator": "S02"}
JUNE = dt.date(2024, 6, 1)

pytestmark = pytest.mark.usefixtures("dashboard_env")


def page_as(monkeypatch, role: str, page: str | None = None, **state) -> AppTest:
    monkeypatch.setenv("PPA_TEST_ROLE", role)
    monkeypatch.setenv("PPA_TEST_SITE", SITE_OF.get(role, ""))
    monkeypatch.setenv("PPA_TEST_PAGE", page or "")
    app = AppTest.from_file(HARNESS, default_timeout=120)
    for key, value in state.items():
        app.session_state[key] = value
    return app.run()


def _listed_pages():
    import os

    import streamlit as st

    from dashboards.navigation import pages_for
    from dashboards.viewer import Viewer

    viewer = Viewer("x", os.environ["PPA_TEST_ROLE"], os.environ.get("PPA_TEST_SITE") or None)
    st.text(",".join(page.url_path for page in pages_for(viewer)))


@pytest.mark.parametrize("role", ROLE_PAGES)
def test_each_role_gets_only_its_pages_at_fixed_paths(monkeypatch, role):
    monkeypatch.setenv("PPA_TEST_ROLE", role)
    monkeypatch.setenv("PPA_TEST_SITE", SITE_OF.get(role, ""))
    app = AppTest.from_function(_listed_pages, default_timeout=60).run()
    assert app.text[0].value.split(",") == ROLE_PAGES[role]


@pytest.mark.parametrize(("role", "page"), [(r, p) for r, ps in ROLE_PAGES.items() for p in ps])
def test_every_page_renders_for_every_role(monkeypatch, published, role, page):
    app = page_as(monkeypatch, role, page, site="S01" if role == "state_coordinator" else None)
    assert not app.exception, [e.value for e in app.exception]
    assert not app.error or page == "contract"  # the contract page flags invoices as errors
    assert app.title[0].value
    assert "Data as of 2024-08-01" in app.caption[0].value
    # No raw column name anywhere a reader looks: headers, cells, captions, chart titles.
    assert not raw_names_shown(app, published_snake_case_columns(published)), page
    names = set(staff_directory(published)["display_name"].drop_nulls())
    if role == "leadership":
        # Staff names are for the coordinators: none in a table or any text of a page.
        assert not [t for _, t in visible_texts(app) if any(n in t for n in names)], page
        for table in app.dataframe:
            shown = table.value
            assert not RECORD_ID_COLUMNS & set(shown.columns)
            assert "pp_name" not in shown.columns
            assert not shown.isin(names).to_numpy().any(), page
            for column in set(shown.columns) - NOT_COUNTS:
                numbers = pd_ints(shown[column])
                assert not [n for n in numbers if 1 <= n <= 10], (page, column)
        # A table with a suppressed cell says, under it, what the label covers.
        from dashboards.suppression import SUPPRESSED_LABEL, SUPPRESSED_NOTE

        hidden = sum((t.value == SUPPRESSED_LABEL).to_numpy().sum() for t in app.dataframe)
        notes = sum(c.value == SUPPRESSED_NOTE for c in app.caption)
        assert (notes > 0) == (hidden > 0), page
    else:
        # A coordinator reads each Parent Partner's name right beside her id.
        for table in app.dataframe:
            columns = list(table.value.columns)
            if "pp_id" in columns:
                assert columns[columns.index("pp_id") + 1] == "pp_name", page


def pd_ints(series) -> list[int]:
    """Whole-number cells of a displayed column (counts), whatever the column's dtype."""
    if series.dtype.kind in "iu":
        return series.dropna().astype(int).tolist()
    return []


def _metric(app: AppTest, label: str) -> str:
    return next(m.value for m in app.metric if m.label == label)


def test_the_overview_shows_the_marts_figures(monkeypatch, published):
    app = page_as(monkeypatch, "state_coordinator", "overview")
    row = marts(
        published,
        "select * from marts.agg_activity_month where level = 'statewide' and service_month = ?",
        [JUNE],
    ).row(0, named=True)
    assert _metric(app, "Active families") == f"{row['active_families']:,}"
    assert _metric(app, "Forms on time") == f"{row['share_forms_on_time']:.1%}"
    assert _metric(app, "Families per Parent Partner") == f"{row['avg_caseload']:,.1f}"
    position = marts(published, "select * from marts.fct_contract_sfy where sfy = 2024").row(
        0, named=True)
    assert _metric(app, f"SFY 2024 retainage ({position['contract_id']})") == (
        position["retainage_status"].replace("_", " "))


def test_a_site_coordinator_sees_her_site_whatever_the_url_or_the_filters(monkeypatch):
    monkeypatch.setenv("PPA_TEST_ROLE", "site_coordinator")
    monkeypatch.setenv("PPA_TEST_SITE", "S02")
    monkeypatch.setenv("PPA_TEST_PAGE", "site")
    app = AppTest.from_file(HARNESS, default_timeout=120)
    app.query_params["site"] = "S01"
    app.query_params["area"] = "Cedar Rapids"
    app.run()
    assert not app.exception
    assert [box.key for box in app.selectbox] == ["sfy", "from", "to"]  # no site choice
    sites = set()
    for table in app.dataframe:
        if "site_id" in table.value.columns:
            sites |= set(table.value["site_id"].dropna())
    assert sites == {"S02"}


def test_the_site_page_follows_the_chosen_site(monkeypatch, published):
    app = page_as(monkeypatch, "state_coordinator", "site", site="S03")
    partners = next(t.value for t in app.dataframe if "pp_id" in t.value.columns)
    assert set(partners["site_id"]) == {"S03"}
    expected = marts(
        published,
        "select pp_id, active_families from marts.fct_pp_month where site_id = 'S03' "
        "and service_month = ?", [JUNE],
    )
    shown = {r.pp_id: r.active_families for r in partners.itertuples() if r.active_families > 0}
    assert shown == dict(expected.iter_rows())


def test_the_site_coordinator_reads_her_partners_names_beside_their_ids(monkeypatch, published):
    names = dict(staff_directory(published).filter(pl.col("site_id") == "S02")
                 .select("pp_id", "display_name").iter_rows())
    app = page_as(monkeypatch, "site_coordinator", "site")
    assert not app.exception
    partners = next(t.value for t in app.dataframe if "is_eligible" in t.value.columns)
    assert not partners.empty
    assert list(partners.columns[:2]) == ["pp_id", "pp_name"]
    assert dict(zip(partners["pp_id"], partners["pp_name"], strict=True)) == {
        pp: names[pp] for pp in partners["pp_id"]}
    overdue = next(t.value for t in app.dataframe if "days_overdue" in t.value.columns)
    assert not overdue.empty
    assert all(names[pp] == name for pp, name in zip(overdue["pp_id"], overdue["pp_name"],
                                                      strict=True))


def test_without_a_staff_directory_the_pages_show_ids_alone(monkeypatch, published, tmp_path):
    monkeypatch.setenv("PPA_STAFF_DIRECTORY", str(tmp_path / "never_published.duckdb"))
    app = page_as(monkeypatch, "site_coordinator", "site")
    assert not app.exception
    tables = [t.value for t in app.dataframe if "pp_id" in t.value.columns]
    assert tables and not [t for t in tables if "pp_name" in t.columns]


def test_the_monthly_packet_holds_a_cover_and_every_table(published):
    viewer = Viewer("site2", "site_coordinator", "S02")
    chosen = Filters(sfy=2024, month_from=dt.date(2024, 1, 1), month_to=JUNE)
    tables = site_tables(viewer, chosen)
    assert list(tables) == ["Parent Partners", "Overdue forms", "Families by month",
                            "Family months", "Exits"]
    labels = Labels.from_frame(marts(published, "select * from marts.dim_column_label"))
    workbook = fastexcel.read_excel(packet_bytes({"site": "S02"}, tables, labels))
    assert workbook.sheet_names == ["Cover", *tables]
    cover = workbook.load_sheet("Cover").to_polars()
    assert dict(cover.iter_rows())["site"] == "S02"
    for name, frame in tables.items():
        sheet = workbook.load_sheet(name).to_polars()
        assert sheet.height == frame.height
        assert labels.label("site_id") == "Site" and "site_id" not in sheet.columns
        if "Site" in sheet.columns:
            assert set(sheet["Site"]) <= {"S02"}
    overdue = workbook.load_sheet("Overdue forms").to_polars()
    names = dict(staff_directory(published).select("pp_id", "display_name").iter_rows())
    assert not overdue.is_empty()
    assert overdue["Parent Partner name"].to_list() == [names[pp] for pp in overdue["Parent Partner"]]


def test_leadership_downloads_carry_the_suppressed_label(published):
    """Small cells read as suppressed in what the table shows and what the CSV holds."""
    from dashboards.suppression import SUPPRESSED_LABEL, for_display

    frame = data_access.activity_by_level(Viewer("l", "leadership"),
                                          Filters(month_from=JUNE, month_to=JUNE), "site")
    csv = pl.read_csv(io.StringIO(for_display(frame).write_csv()), infer_schema=False)
    assert SUPPRESSED_LABEL in csv["active_pps"].to_list()
    assert not os.environ.get("PPA_TEST_ROLE")


def _table_with(app: AppTest, column: str):
    return next(t.value for t in app.dataframe if column in t.value.columns)


def test_the_contract_page_shows_the_measures_as_published(monkeypatch, published):
    app = page_as(monkeypatch, "state_coordinator", "contract")
    shown = _table_with(app, "measure_id").sort_values("measure_id")
    expected = marts(published, "select measure_id, numerator, denominator, target "
                     "from marts.fct_performance_measure where sfy = 2024 order by measure_id")
    assert shown["numerator"].tolist() == expected["numerator"].to_list()
    assert shown["denominator"].tolist() == expected["denominator"].to_list()
    assert shown["target"].tolist() == expected["target"].to_list()


def test_the_data_quality_page_counts_every_file(monkeypatch, published):
    app = page_as(monkeypatch, "state_coordinator", "data-quality")
    by_kind = _table_with(app, "kind")
    expected = marts(published, "select count(*) as files, sum(rows_rejected) as rejected "
                     "from marts.dq_ingested_files").row(0, named=True)
    assert by_kind["files"].sum() == expected["files"]
    assert by_kind["rows_rejected"].sum() == expected["rejected"]
    rejected = _table_with(app, "reason")
    assert len(rejected) == marts(published, "select count(*) as n from marts.dq_rejected_rows")[
        "n"][0]


@pytest.mark.parametrize(("hours", "warned"), [("0.001", True), ("100000", False)])
def test_stale_data_is_announced(monkeypatch, hours, warned):
    monkeypatch.setenv("PPA_STALE_AFTER_HOURS", hours)
    app = page_as(monkeypatch, "leadership", "methodology")
    assert any("stale" in w.value for w in app.warning) == warned
