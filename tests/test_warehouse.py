"""Writing file versions into raw: all of a materialization's files, or none of them."""

import datetime as dt

import duckdb
import pytest

from orchestration.ingest.discovery import discover
from orchestration.ingest.read import read_landing_file
from orchestration.storage import warehouse
from orchestration.storage.warehouse import ensure_raw_schema, ingested_versions, write_read_results

HEADER = "contract_id,contractor,sfy,term_start,term_end,annual_value,retainage_pct\n"


def contract_file(landing, sfy_rows):
    (landing / "contract").mkdir(parents=True, exist_ok=True)
    body = "".join(
        f"C1,Acme,{sfy},{sfy - 1}-07-01,{sfy}-06-30,{value},0.10\n" for sfy, value in sfy_rows
    )
    (landing / "contract" / "contract_terms.csv").write_text(HEADER + body)
    return read_landing_file(discover(landing)[0])


def counts(con):
    return [
        con.sql(f"select count(*) from raw.{t}").fetchall()[0][0]
        for t in ("contract_terms", "ingested_files", "rejected_rows")
    ]


def test_a_file_version_is_written_with_lineage_and_accounted_for(tmp_path):
    result = contract_file(tmp_path, [(2024, "100.00"), (2025, "not money")])
    con = duckdb.connect()
    ensure_raw_schema(con)
    write_read_results(con, [result], "run-1", dt.datetime(2024, 8, 1, 12, 0))
    assert counts(con) == [1, 1, 1]
    assert con.sql(
        "select _source_file, _row_number, _run_id from raw.contract_terms"
    ).fetchall() == [("contract/contract_terms.csv", 2, "run-1")]
    assert con.sql(
        "select rows_read, rows_accepted, rows_rejected, status from raw.ingested_files"
    ).fetchall() == [(2, 1, 1, "loaded_with_rejections")]
    assert ingested_versions(con) == {("contract/contract_terms.csv", result.sha256)}


@pytest.mark.parametrize("stage", [True, False])
def test_a_failure_mid_write_leaves_raw_as_it_was(tmp_path, monkeypatch, stage):
    """Staged beside the warehouse or written straight to raw (a small append), a failure
    before the commit keeps none of the run's rows."""
    good = contract_file(tmp_path / "a", [(2024, "100.00")])
    con = duckdb.connect()
    ensure_raw_schema(con)
    write_read_results(con, [good], "run-1", dt.datetime(2024, 8, 1))
    before = counts(con)

    real_insert = warehouse.insert_frame
    written = []

    def insert_then_crash(con, table, frame):
        if written:  # the second table of the run: the first is already in
            raise OSError("disk full")
        real_insert(con, table, frame)
        written.append(table)

    monkeypatch.setattr(warehouse, "insert_frame", insert_then_crash)
    second = contract_file(tmp_path / "b", [(2025, "200.00")])
    with pytest.raises(OSError, match="disk full"):
        write_read_results(con, [second], "run-2", dt.datetime(2024, 9, 1), stage=stage)
    assert written == ["ingest_staging.raw.contract_terms" if stage else "raw.contract_terms"]
    assert counts(con) == before


class FailingCopy:
    """A connection whose copy of the staged rows into raw.ingested_files fails."""

    def __init__(self, con):
        self.con = con

    def __getattr__(self, name):
        return getattr(self.con, name)

    def execute(self, statement, *args):
        if statement.startswith("insert into raw.ingested_files select"):
            raise OSError("disk full")
        return self.con.execute(statement, *args)


def test_every_batch_is_staged_and_one_transaction_copies_them_all_or_none(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    staging = tmp_path / "warehouse.duckdb.ingest-staging"
    con = duckdb.connect(str(path))
    ensure_raw_schema(con)
    first = contract_file(tmp_path / "a", [(2024, "100.00")])
    write_read_results(con, [first], "run-1", dt.datetime(2024, 8, 1))
    before = counts(con)
    batches = [contract_file(tmp_path / "b", [(2025, "200.00")]),
               contract_file(tmp_path / "c", [(2026, "300.00"), (2027, "x")])]
    # The copy into raw fails after both batches were staged: raw keeps none of them.
    with pytest.raises(OSError, match="disk full"):
        write_read_results(FailingCopy(con), batches, "run-2", dt.datetime(2024, 9, 1))
    assert counts(con) == before
    assert not staging.exists()
    # A staging file a killed run left behind is removed, not read.
    staging.write_bytes(b"left by a killed run")
    write_read_results(con, batches, "run-3", dt.datetime(2024, 10, 1))
    assert counts(con) == [before[0] + 2, before[1] + 2, before[2] + 1]
    assert not staging.exists()
    assert {file for file, _ in ingested_versions(con)} == {"contract/contract_terms.csv"}
    assert len(ingested_versions(con)) == 3


def test_latest_snapshot_takes_the_newest_extract_by_dbts_rule():
    """Ingestion picks the roster row the same way dbt staging does (newest_extract_rank)."""
    assert warehouse.newest_extract_order().startswith("extract_date desc")
    con = duckdb.connect()
    ensure_raw_schema(con)
    for extract, site in (("2024-03-31", "S01"), ("2024-07-31", "S02"), ("2024-05-31", "S03")):
        con.execute(
            "insert into raw.parent_partners (pp_id, site_id, extract_date, _ingested_at, "
            "_source_file, _row_number) values ('P1', ?, ?, now(), ?, 2)",
            [site, extract, f"reference/parent_partners_{extract}.csv"],
        )
    latest = warehouse.latest_snapshot(con, "parent_partners", ["pp_id", "site_id"])
    assert latest.rows() == [("P1", "S02")]


def test_a_batch_larger_than_a_row_group_reaches_raw_whole(tmp_path):
    """DuckDB writes an append over a row group (122,880 rows) straight to the file; the
    staged rows of such a batch must all be copied into raw."""
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    ensure_raw_schema(con)
    (tmp_path / "contract").mkdir()
    (tmp_path / "contract" / "contract_terms.csv").write_text(HEADER + "".join(
        f"C{i},Acme,2024,2023-07-01,2024-06-30,100.00,0.10\n" for i in range(130_000)))
    big = read_landing_file(discover(tmp_path)[0])
    write_read_results(con, [big], "run-1", dt.datetime(2024, 8, 1))
    assert counts(con) == [130_000, 1, 0]


def test_no_batch_is_held_while_the_next_one_is_read(tmp_path):
    """A run holds one batch's rows at a time: when the next batch is read, the last one is
    unreachable (a loop variable kept it, and two large extracts were held at once)."""
    import gc
    import weakref

    con = duckdb.connect()
    ensure_raw_schema(con)
    batches: list[weakref.ref] = []
    alive_when_read = []

    def results():
        for sfy in (2024, 2025, 2026):
            gc.collect()
            alive_when_read.append(sum(ref() is not None for ref in batches))
            landing = tmp_path / str(sfy)
            batch = contract_file(landing, [(sfy, "100.00")]).as_batch()
            batches.append(weakref.ref(batch))
            yield batch
            del batch

    write_read_results(con, results(), "run-1", dt.datetime(2024, 8, 1))
    assert alive_when_read == [0, 0, 0]
    assert counts(con)[1] == 3


def test_each_reference_file_is_a_batch_and_activity_forms_a_few(tmp_path, monkeypatch):
    """Activity forms by BATCH_FILES and BATCH_BYTES at most, months together (every rule is
    a row's own or its file's), a file larger than that alone; a reference extract alone."""
    from types import SimpleNamespace

    from orchestration.defs.assets import raw
    from orchestration.defs.assets.raw import _batches_of
    from orchestration.ingest.schemas import ACTIVITY_ROWS, FIDELITY_CHECKLISTS

    monkeypatch.setattr(raw, "BATCH_FILES", 3)
    monkeypatch.setattr(raw, "BATCH_BYTES", 100)

    def landing_file(kind, rel_path, size, month=None):
        path = tmp_path / rel_path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x" * size)
        return SimpleNamespace(kind=kind, rel_path=rel_path, partition_key=month, path=path)

    files = [
        landing_file(FIDELITY_CHECKLISTS, "exits/fidelity_checklists_2021-04-30.csv", 10),
        landing_file(FIDELITY_CHECKLISTS, "exits/fidelity_checklists_2021-08-31.csv", 10),
        *(landing_file(ACTIVITY_ROWS, f"activity_forms/2021-07/{name}", size, "2021-07")
          for name, size in (("a.xlsx", 10), ("b.xlsx", 10), ("c.xlsx", 10), ("d.xlsx", 10),
                             ("e.csv", 60), ("f.csv", 60), ("g.csv", 500), ("h.csv", 30))),
        landing_file(ACTIVITY_ROWS, "activity_forms/2021-08/i.csv", 10, "2021-08"),
    ]
    assert [[f.rel_path.rsplit("/", 1)[-1] for f in batch] for batch in _batches_of(files)] == [
        ["fidelity_checklists_2021-04-30.csv"], ["fidelity_checklists_2021-08-31.csv"],
        ["a.xlsx", "b.xlsx", "c.xlsx"], ["d.xlsx", "e.csv"], ["f.csv"], ["g.csv"],
        ["h.csv", "i.csv"],
    ]


def test_ingestion_stages_an_append_larger_than_unstaged_bytes(tmp_path, monkeypatch):
    from orchestration.config import REPO_ROOT
    from orchestration.defs.assets import raw

    files = discover(REPO_ROOT / "seeds" / "demo")
    total = sum(f.path.stat().st_size for f in files)
    staged = []
    real_write = raw.write_read_results

    def spy(con, results, run_id, ingested_at, *, stage):
        staged.append(stage)
        real_write(con, results, run_id, ingested_at, stage=stage)

    monkeypatch.setattr(raw, "write_read_results", spy)
    for limit in (total, total - 1):
        monkeypatch.setattr(raw, "UNSTAGED_BYTES", limit)
        with duckdb.connect(str(tmp_path / f"{limit}.duckdb")) as con:
            raw.ingest_files(con, files, run_id="r")
            assert counts(con)[1] == len(files)
    assert staged == [False, True]
