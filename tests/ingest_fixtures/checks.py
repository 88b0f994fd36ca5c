"""Assertions every read must satisfy, whatever the input."""

from __future__ import annotations

import json

import polars as pl

from orchestration.ingest.read import REJECTED_COLUMNS, ReadResult, read_landing_file


def assert_well_formed(result: ReadResult) -> None:
    kind = result.file.kind
    assert result.rows_read == result.accepted.height + result.rejected.height
    assert result.accepted.schema == pl.Schema({**kind.columns, "_row_number": pl.Int32})
    assert result.rejected.schema == pl.Schema(REJECTED_COLUMNS)
    assert result.rejected.get_column("reason_code").null_count() == 0
    assert result.rejected.get_column("reason").null_count() == 0
    for record in result.rejected.get_column("raw_record"):
        assert isinstance(json.loads(record), dict)
    numbers = pl.concat([result.accepted.get_column("_row_number"),
                         result.rejected.get_column("row_number")])
    assert numbers.n_unique() == numbers.len(), "a row was counted twice"


def read(landing_file, reference=None, code_lists=None) -> ReadResult:
    result = read_landing_file(landing_file, reference=reference, code_lists=code_lists)
    assert_well_formed(result)
    return result


def rejected_by_row(result: ReadResult) -> dict[int, tuple[str, str]]:
    return {
        n: (code, reason)
        for n, code, reason in result.rejected.select("row_number", "reason_code", "reason")
        .iter_rows()
    }
