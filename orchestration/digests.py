"""Digests of code and data: what a computation that is kept (an outcome step's tables, a
solved disclosure component, a run's code version) was computed from."""

from __future__ import annotations

import hashlib
import importlib.metadata
from pathlib import Path

import numpy as np
import polars as pl

from orchestration.config import REPO_ROOT


def code_digest(paths: list[Path], packages: tuple[str, ...] = ()) -> str:
    """A digest of code: the Python files under each folder of `paths`, each other path
    as a file, and the installed versions of `packages`."""
    digest = hashlib.sha256()
    for root in paths:
        files = sorted(root.rglob("*.py")) if root.is_dir() else [root]
        for path in files:
            digest.update(str(path.relative_to(REPO_ROOT)).encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    for package in packages:
        digest.update(f"{package}=={importlib.metadata.version(package)}\0".encode())
    return digest.hexdigest()


def inputs_digest(code: str, *inputs: pl.DataFrame | str | int) -> str:
    """A digest of a step's code and inputs. A frame counts by its columns, types and the
    multiset of its rows (order-insensitive: a tie in a read's order changes nothing)."""
    digest = hashlib.sha256(code.encode())
    for item in inputs:
        if isinstance(item, pl.DataFrame):
            digest.update(repr(list(item.schema.items())).encode())
            digest.update(str(item.height).encode())
            if item.height:
                rows = item.hash_rows(seed=0).to_numpy()
                digest.update(np.sort(rows).tobytes())
        else:
            digest.update(repr(item).encode())
        digest.update(b"\0")
    return digest.hexdigest()
