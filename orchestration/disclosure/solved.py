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

Components are independent, so those not known are solved side by side, on a thread per
core (`Solved.solutions`): the solver (HiGHS) lets go of Python's lock while it solves,
which is most of a component's time, and two components of the scale-1 data held four
fifths of the suppression's. Each component is solved as it would be alone, so its
solution is the same.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
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

    def holds(self, digest: str) -> bool:
        """Whether `digest` is solved already: known before this publication, or found
        earlier in it."""
        return digest in self.used or digest in self.known

    def solution(self, digest: str, solve: Callable[[], str]) -> str:
        """The known solution of `digest` (or one found earlier in this publication), else
        `solve()`."""
        return self.solutions([(digest, solve, 0)])[0]

    def solutions(self, work: Sequence[tuple[str, Callable[[], str], int]]) -> list[str]:
        """The solution of each (digest, solve, size) of `work`, in order: the one held
        (`holds`), else `solve()`; counted as reused or solved as if taken one after the
        other. The solves needed run side by side on threads, the largest `size` first
        (so the longest is not started last)."""
        pending: dict[str, tuple[Callable[[], str], int]] = {}
        for digest, solve, size in work:
            if self.holds(digest) or digest in pending:
                self.reused += 1
            else:
                pending[digest] = (solve, size)
                self.solved += 1
        order = sorted(pending, key=lambda digest: -pending[digest][1])
        workers = min(len(order), os.cpu_count() or 1)
        if workers > 1:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                found = dict(zip(order, pool.map(lambda d: pending[d][0](), order),
                                 strict=True))
        else:
            found = {digest: pending[digest][0]() for digest in order}
        values = []
        for digest, _, _ in work:
            value = self.used.get(digest, self.known.get(digest, found.get(digest)))
            self.used[digest] = value
            values.append(value)
        return values
