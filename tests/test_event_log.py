"""The run history's event log (orchestration/runner/event_log.py): Dagster's SQLite storage
with its connections kept and the schema facts it finds remembered."""

from __future__ import annotations

import sqlalchemy as sa

from orchestration.runner.event_log import PooledSqliteEventLogStorage


def _statements(storage: PooledSqliteEventLogStorage, ask) -> int:
    """How many statements `ask()` sent to the index database."""
    sent = []

    def count(_conn, _cursor, statement, *_rest) -> None:
        sent.append(statement)

    engine = storage._index()
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        ask()
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    return len(sent)


def test_a_schema_fact_found_is_asked_once(tmp_path):
    storage = PooledSqliteEventLogStorage(str(tmp_path))
    try:
        assert storage.has_table("asset_check_executions")
        assert storage.has_asset_key_col("last_materialization_timestamp")
        assert _statements(storage, lambda: storage.has_table("asset_check_executions")) == 0
        assert _statements(
            storage, lambda: storage.has_asset_key_col("last_materialization_timestamp")) == 0
    finally:
        storage.dispose()


def test_a_fact_not_found_is_asked_again_and_found_once_it_holds(tmp_path):
    storage = PooledSqliteEventLogStorage(str(tmp_path))
    try:
        assert not storage.has_table("no_such_table")
        assert _statements(storage, lambda: storage.has_table("no_such_table")) > 0
        index = "a_migration_of_this_test"
        assert not storage.has_secondary_index(index)
        storage.enable_secondary_index(index)  # a migration completing meanwhile
        assert storage.has_secondary_index(index)
        assert _statements(storage, lambda: storage.has_secondary_index(index)) == 0
    finally:
        storage.dispose()


def test_a_wipe_forgets_what_was_found(tmp_path):
    storage = PooledSqliteEventLogStorage(str(tmp_path))
    try:
        assert storage.has_table("asset_check_executions")
        storage.wipe()
        assert _statements(storage, lambda: storage.has_table("asset_check_executions")) > 0
    finally:
        storage.dispose()
