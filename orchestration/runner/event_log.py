"""Dagster's SQLite event log, with its connections kept open for the process's life.

A run stores about 2,000 events, one transaction each. Dagster's SQLite event log opens a
new engine and connection for every one, and closing the last connection to a WAL
database checkpoints it: two to four fsyncs per event, most of a small run's time spent
waiting on the disk. This storage keeps one engine per database (the run's shard and the
cross-run index), so connections stay open, and commits with `synchronous=NORMAL`, which
in WAL mode is durable against a killed process (what `ppa run` must survive) and may lose
only the last events of a power cut, never corrupt the file. Everything else - the schema,
its migrations, what is stored and how it is read - is Dagster's, unchanged.

It also remembers the schema facts Dagster asks before storing or reading an event (is
there an asset_check_executions table, an asset_keys column, a completed secondary index):
a month's run asked them about 450 times, each a catalogue query. A fact found stays true
(tables and columns are never dropped, a completed migration is never undone, short of a
wipe, which forgets them); one not found is asked again, as a migration may add it.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as db
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    INDEX_SHARD_NAME,
    SqliteEventLogStorage,
)
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS

# Runs' databases kept open per process, besides the index (a server's process reads
# many runs' shards; the least recently used are closed beyond this).
OPEN_SHARDS = 8


def _durable_against_a_killed_process(connection, _record) -> None:
    connection.execute("PRAGMA synchronous=NORMAL")


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """SqliteEventLogStorage whose engines (and their connections) are kept, per shard."""

    def __init__(self, base_dir: str, inst_data=None):
        self._engines: OrderedDict[str, db.engine.Engine] = OrderedDict()
        self._index_engine: db.engine.Engine | None = None
        self._found: set[tuple[str, str]] = set()  # (what, name) of the schema facts found
        super().__init__(base_dir, inst_data)

    @classmethod
    def from_config_value(cls, inst_data, config_value) -> PooledSqliteEventLogStorage:
        return cls(inst_data=inst_data, **config_value)

    def _open(self, shard: str) -> db.engine.Engine:
        engine = db.create_engine(self.conn_string_for_shard(shard),
                                  connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS})
        db.event.listen(engine, "connect", _durable_against_a_killed_process)
        return engine

    def _index(self) -> db.engine.Engine:
        # Read outside the lock too (Dagster's has_table is called while a shard is open).
        if self._index_engine is None:
            self._index_engine = self._open(INDEX_SHARD_NAME)
        return self._index_engine

    def _engine(self, shard: str) -> db.engine.Engine:
        if shard == INDEX_SHARD_NAME:
            return self._index()
        engine = self._engines.get(shard)
        if engine is None:
            engine = self._engines[shard] = self._open(shard)
            while len(self._engines) > OPEN_SHARDS:
                _, oldest = self._engines.popitem(last=False)
                oldest.dispose()
        self._engines.move_to_end(shard)
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[db.engine.Connection]:
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def _remembered(self, what: str, name: str, ask) -> bool:
        if (what, name) in self._found:
            return True
        found = bool(ask())
        if found:
            self._found.add((what, name))
        return found

    def has_table(self, table_name: str) -> bool:
        def ask() -> bool:
            engine = self._index()
            with engine.connect() as conn:
                return engine.dialect.has_table(conn, table_name)

        return self._remembered("table", table_name, ask)

    def _has_asset_key_col_on_connection(self, conn, column_name: str) -> bool:
        return self._remembered("asset_keys column", column_name,
                                lambda: super(PooledSqliteEventLogStorage, self)
                                ._has_asset_key_col_on_connection(conn, column_name))

    def has_secondary_index(self, name: str) -> bool:
        return self._remembered("secondary index", name,
                                lambda: super(PooledSqliteEventLogStorage, self)
                                .has_secondary_index(name))

    def wipe(self) -> None:
        with self._db_lock:
            while self._engines:
                self._engines.popitem()[1].dispose()
        super().wipe()
        self._found.clear()

    def dispose(self) -> None:
        super().dispose()
        with self._db_lock:
            while self._engines:
                self._engines.popitem()[1].dispose()
            if self._index_engine is not None:
                self._index_engine.dispose()
                self._index_engine = None
