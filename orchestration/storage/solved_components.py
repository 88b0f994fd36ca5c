"""The disclosure control's solved components (`orchestration/disclosure/solved.py`), kept
in the warehouse's `disclosure` schema on DuckDB or PostgreSQL: by kind (the suppression's
patterns, the audit's bounds), the digest of a component's program and its solution.

Each publication replaces a kind's rows with the components it used, so the table holds
those of the last publication (a few hundred rows) and never grows. A row is only a
solution of the program its digest names: one left by a run that stopped halfway is as
right as any other.
"""

from __future__ import annotations

import polars as pl

from orchestration.disclosure.solved import Solved
from orchestration.storage.postgres import insert_frame, placeholder, transaction

SOLVED_TABLE = "disclosure.solved_components"
PATTERN, AUDIT = "suppression pattern", "audit bounds"
_SCHEMA = {"kind": pl.String, "digest": pl.String, "solution": pl.String}


def _ensure(con) -> None:
    con.execute("create schema if not exists disclosure")
    con.execute(f"create table if not exists {SOLVED_TABLE} (kind varchar not null, "
                "digest varchar not null, solution varchar not null)")


def read_solved(con, kind: str) -> Solved:
    """The components of `kind` the last publication kept, as known solutions."""
    _ensure(con)
    rows = con.sql(f"select digest, solution from {SOLVED_TABLE} where kind = "
                   f"{placeholder(con)}", params=(kind,)).fetchall()
    return Solved(known=dict(rows))


def keep_solved(con, kind: str, solved: Solved) -> None:
    """The components of `kind` this publication used, in place of the last one's, in one
    transaction."""
    _ensure(con)
    frame = pl.DataFrame({"kind": [kind] * len(solved.used), "digest": list(solved.used),
                          "solution": list(solved.used.values())}, schema=_SCHEMA)
    with transaction(con):
        con.sql(f"delete from {SOLVED_TABLE} where kind = {placeholder(con)}",
                params=(kind,))
        insert_frame(con, SOLVED_TABLE, frame)
