"""The dashboards' entry page reads the published file only, and says what it is as of."""

import datetime as dt

import duckdb
from streamlit.testing.v1 import AppTest

from orchestration.config import REPO_ROOT

APP = str(REPO_ROOT / "dashboards" / "app.py")


def test_without_a_published_file_the_page_says_how_to_build_one(tmp_path, monkeypatch):
    monkeypatch.setenv("PPA_PUBLISHED", str(tmp_path / "missing.duckdb"))
    app = AppTest.from_file(APP).run()
    assert not app.exception
    assert "Nothing is published yet" in app.info[0].value


def test_the_page_shows_the_as_of_date_and_the_ingestion_summary(tmp_path, monkeypatch):
    published = tmp_path / "published.duckdb"
    with duckdb.connect(str(published)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.meta_refresh as select date '2024-08-01' as as_of_date, "
            "timestamp '2024-08-02 06:00:00' as refreshed_at, 'r1' as run_id"
        )
        con.execute(
            "create table marts.dq_ingested_files as select * from (values "
            "('a.csv', 'activity_rows', 's1', 10, 9, 1, 'loaded_with_rejections', null, "
            "timestamp '2024-08-02 05:00:00')) "
            "t(file, kind, sha256, rows_read, rows_accepted, rows_rejected, status, error, ingested_at)"
        )
        con.execute(
            "create table marts.dq_rejected_rows as select 'a.csv' as file, 3 as row_number, "
            "'invalid_duration' as reason_code, 'duration_minutes ''0'' is not ...' as reason"
        )
    monkeypatch.setenv("PPA_PUBLISHED", str(published))
    app = AppTest.from_file(APP).run()
    assert not app.exception
    assert f"Data as of {dt.date(2024, 8, 1)}" in app.caption[0].value
    summary = app.dataframe[0].value
    assert summary.iloc[0]["rows_rejected"] == 1
