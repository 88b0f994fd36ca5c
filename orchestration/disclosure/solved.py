"""Solutions kept from one publication to the next.

The suppression and the audit each split their work into independent components (linked
cells no relation ties to any other), and each component's solution is a function of the
component alone: its figures, its relations and the code solving it. A month's new
activity forms change the components of that month's state fiscal year; the earlier years'
components are the same programs with the same solutions, so they are read back by the
digest of everything the solution depends on instead of solved again (most of the
leadership steps' time in a month's run).

A digest names the code too (the solving modules and the solver's version): a change of
either solves everything again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph


def linked_groups(count: int, first: np.ndarray, second: np.ndarray) -> list[np.ndarray]:
    """The groups of items 0..count-1 that the links first[i] -- second[i] join, each
    ascending, in the order of their smallest items."""
    if not count:
        return []
    links = sparse.coo_array((np.ones(len(first), dtype=np.int8), (first, second)),
                             shape=(count, count))
    _, labels = csgraph.connected_components(links, directed=False)
    order = np.argsort(labels, kind="stable")
    return np.split(order, np.flatnonzero(np.diff(labels[order])) + 1)


def component_digest(code: str, *parts: np.ndarray | float | str) -> str:
    """A digest of one component's program: `code`, then each part by its type, shape and
    bytes (arrays) or its repr."""
    digest = hashlib.sha256(code.encode())
    for part in parts:
        if isinstance(part, np.ndarray):
            array = np.ascontiguousarray(part)
            digest.update(f"{array.dtype.str}{array.shape}".encode())
            digest.update(array.tobytes())
        else:
            digest.update(repr(part).encode())
        digest.update(b"\0")
    return digest.hexdigest()


@dataclass
class Solved:
    """Solutions by digest: those known before this publication (`known`), and those it
    used or found (`used`: what is kept for the next one)."""

    known: Mapping[str, str] = field(default_factory=dict)
    used: dict[str, str] = field(default_factory=dict)
    reused: int = 0
    solved: int = 0

    def solution(self, digest: str, solve: Callable[[], str]) -> str:
        """The known solution of `digest` (or one found earlier in this publication), else
        `solve()`."""
        value = self.used.get(digest, self.known.get(digest))
        if value is None:
            value = solve()
            self.solved += 1
        else:
            self.reused += 1
        self.used[digest] = value
        return value
