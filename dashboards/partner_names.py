"""Parent Partners' names beside their ids, for the coordinators (the staff directory,
`data_access.staff_names`): a label joined on for the reader, nothing computed. Families
stay ids."""

from __future__ import annotations

import polars as pl

ID_COLUMN = "pp_id"
NAME_COLUMN = "pp_name"


def beside_ids(frame: pl.DataFrame, names: pl.DataFrame) -> pl.DataFrame:
    """`frame` with each Parent Partner's name in NAME_COLUMN right after its id (empty for
    an id the directory does not hold). Unchanged without names to show (leadership, or no
    directory published), without an id column, or when already named."""
    if names.is_empty() or ID_COLUMN not in frame.columns or NAME_COLUMN in frame.columns:
        return frame
    columns = list(frame.columns)
    columns.insert(columns.index(ID_COLUMN) + 1, NAME_COLUMN)
    by_id = names.select(ID_COLUMN, pl.col("display_name").alias(NAME_COLUMN)).unique(ID_COLUMN)
    return frame.join(by_id, on=ID_COLUMN, how="left", maintain_order="left").select(columns)
