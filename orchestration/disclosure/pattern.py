"""Complementary suppression over linked cells: hide shown cells until no small count can be
worked out.

The cells are counts, each published or latent (never shown, such as a complement or one
month behind two running totals), tied by relations `total = sum(parts)`. A primary cell
(a protected count of 1..10) is safe when the attacker's largest feasible value for it -
over values at least their floors (0, or 1 for a count whose row exists only when it is
one or more) that satisfy every relation, with every shown cell fixed - is
at least SAFE_FROM: a reader cannot tell it from a count of 11 or more.

The pattern is grown greedily, one primary cell at a time in a fixed order, with the
attacker's own linear program as the test (HiGHS, `orchestration/disclosure/lp.py`):
1. One joint program proves most primary cells at once: it maximises the sum of
   min(cell, SAFE_FROM) over them; every cell that reaches SAFE_FROM there is safe.
2. Each remaining cell is maximised on its own, over its component only (the hidden
   cells linked to it through relations; shown cells are constants). Hiding more cells
   only widens the feasible set, so a safe cell stays safe.
3. A cell still short of SAFE_FROM gets one more hidden cell from the relations that bind
   its maximum (non-zero duals): the smallest shown count that could close the gap on its
   own, else the smallest non-zero one, zeros last, ties by position; then step 2 again.

Same cells and relations, same order: same pattern. Every step of a cell looks only at
cells its relations link it to, so the pattern is grown component by component (cells no
relation links to another's): the same pattern, and each component's is kept by the digest
of its figures and relations (`orchestration/disclosure/solved.py`).

Why not a packaged method: tau-Argus' modular and optimal methods (pytauargus, sdcTable)
protect cross-classified tables with hierarchies; the relations here also hold running
totals whose months are never published, identities between tables (a measure's month
is a statewide activity count) and complements that are counts of their own, which those
table descriptions cannot state. The solver is HiGHS, the same one pytauargus bundles.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from orchestration.digests import code_digest
from orchestration.disclosure import definitions, lp
from orchestration.disclosure.definitions import SAFE_FROM, SMALL_MAX
from orchestration.disclosure.lp import OPTIMAL, UNBOUNDED, Entries, Solver
from orchestration.disclosure.solved import Solved, component_digest, linked_groups

# Cells within this of SAFE_FROM count as reaching it (the solver's own tolerance).
TOLERANCE = 1e-6
# How many candidate complements are tried before one is chosen.
LOOKAHEAD = 4
Relation = tuple[int, tuple[int, ...]]
# What a component's pattern is computed with: this module, the solver's wrapper and
# release, and the thresholds.
PATTERN_CODE = code_digest([Path(__file__), Path(lp.__file__), Path(definitions.__file__)],
                           packages=("highspy",))


class ProtectionError(RuntimeError):
    """A small cell that no further hidden cell can protect (a relation set that pins it
    by itself): the data or the definitions are wrong."""


@dataclass(frozen=True)
class Linked:
    """values: each cell's true count; published: shown unless hidden (else latent);
    protected: a count whose values 1..10 may not be derivable; relations: total = sum;
    floors: the least each cell can be, as a reader knows (a row that exists only for a
    removal holds at least one); None: 0 for all."""

    values: np.ndarray
    published: np.ndarray
    protected: np.ndarray
    relations: Sequence[Relation]
    floors: np.ndarray | None = None

    @property
    def lower(self) -> np.ndarray:
        if self.floors is None:
            return np.zeros(len(self.values), dtype=np.int64)
        return np.asarray(self.floors, dtype=np.int64)

    @property
    def primary(self) -> np.ndarray:
        return self.protected & (self.values >= 1) & (self.values <= SMALL_MAX)


def protect(cells: Linked, solved: Solved | None = None) -> np.ndarray:
    """The hidden cells: primary, latent and enough complementary ones. `solved`: the
    patterns of components solved before, by digest (and where this one's are recorded)."""
    solved = Solved() if solved is None else solved
    values = np.asarray(cells.values, dtype=np.int64)
    published = np.asarray(cells.published, dtype=bool)
    protected = np.asarray(cells.protected, dtype=bool)
    floors = cells.lower
    hidden = cells.primary | ~published
    work, placed = [], []
    for members, relations in components(len(values), cells.relations):
        if not relations:
            continue  # nothing links its cell to a shown one: hidden if primary or latent
        local = np.full(len(values), -1, dtype=np.int64)
        local[members] = np.arange(len(members))
        linked = Linked(values=values[members], published=published[members],
                        protected=protected[members],
                        relations=[(int(local[total]), tuple(int(p) for p in local[list(parts)]))
                                   for total, parts in relations],
                        floors=floors[members])
        digest = component_digest(
            PATTERN_CODE, linked.values, linked.published, linked.protected,
            np.array([i for total, parts in linked.relations for i in (total, -1, *parts)],
                     dtype=np.int64), linked.lower)
        work.append((digest, lambda linked=linked: _pack(_Protection(linked).run()),
                     len(members)))
        placed.append(members)
    for members, pattern in zip(placed, solved.solutions(work), strict=True):
        hidden[members] = _unpack(pattern, len(members))
    return hidden


def components(count: int, relations: Sequence[Relation]
               ) -> list[tuple[np.ndarray, list[Relation]]]:
    """The cells (ascending) and relations (in order) of each group of cells linked by
    relations, in the order of their first cells."""
    links = np.array([(total, part) for total, parts in relations for part in parts],
                     dtype=np.int64).reshape(-1, 2)
    groups = linked_groups(count, links[:, 0], links[:, 1])
    group_of = np.empty(count, dtype=np.int64)
    for g, members in enumerate(groups):
        group_of[members] = g
    by_group: dict[int, list[Relation]] = {}
    for relation in relations:
        by_group.setdefault(int(group_of[relation[0]]), []).append(relation)
    return [(members, by_group.get(g, [])) for g, members in enumerate(groups)]


def _pack(hidden: np.ndarray) -> str:
    return np.packbits(hidden).tobytes().hex()


def _unpack(pattern: str, count: int) -> np.ndarray:
    bits = np.unpackbits(np.frombuffer(bytes.fromhex(pattern), dtype=np.uint8))
    return bits[:count].astype(bool)


class _Protection:
    def __init__(self, cells: Linked) -> None:
        self.values = np.asarray(cells.values, dtype=np.float64)
        self.published = np.asarray(cells.published, dtype=bool)
        self.floors = cells.lower.astype(np.float64)
        self.relations = list(cells.relations)
        self.primary = cells.primary
        self.hidden = self.primary | ~self.published
        self.safe = np.zeros(len(self.values), dtype=bool)
        touching: list[list[int]] = [[] for _ in self.values]
        for r, (total, parts) in enumerate(self.relations):
            for cell in {total, *parts}:
                touching[cell].append(r)
        self.touching = touching
        # Each relation as arrays: its cells (the total first) and their signs in
        # sum(parts) - total = 0.
        self._members = [np.array((total, *parts), dtype=np.int64)
                         for total, parts in self.relations]
        self._signs = [np.r_[-1.0, np.ones(len(parts))] for _, parts in self.relations]
        self.solver = Solver()

    def run(self) -> np.ndarray:
        targets = np.flatnonzero(self.primary)
        if len(targets):
            cells = np.flatnonzero(self.hidden).tolist()
            self._joint(cells, sorted({r for c in cells for r in self.touching[c]}))
        grown = False
        for cell in targets:
            if self.safe[cell]:
                continue
            if grown:
                # The cells hidden for earlier ones may have made most of this one's
                # component safe: one joint program finds out for all of them at once.
                self._joint(*self._component(int(cell)))
                grown = False
            while not self.safe[cell]:
                grown |= self._protect_once(int(cell))
        return self.hidden

    def _component(self, cell: int) -> tuple[list[int], list[int]]:
        """The hidden cells linked to `cell` through relations, and those relations."""
        cells, relations, stack = {cell}, set(), [cell]
        while stack:
            for r in self.touching[stack.pop()]:
                if r in relations:
                    continue
                relations.add(r)
                total, parts = self.relations[r]
                for other in (total, *parts):
                    if self.hidden[other] and other not in cells:
                        cells.add(other)
                        stack.append(other)
        return sorted(cells), sorted(relations)

    def _system(self, cells: list[int], relations: list[int]):
        """A_eq x = b over the hidden `cells` (sorted), shown cells moved to the right-hand
        side."""
        members = np.concatenate([self._members[r] for r in relations])
        signs = np.concatenate([self._signs[r] for r in relations])
        rows = np.repeat(np.arange(len(relations)),
                         [len(self._members[r]) for r in relations])
        hidden = self.hidden[members]
        shown = ~hidden
        b = -np.bincount(rows[shown], weights=signs[shown] * self.values[members[shown]],
                         minlength=len(relations))
        columns = np.searchsorted(cells, members[hidden])
        if not np.array_equal(np.asarray(cells)[columns], members[hidden]):
            raise RuntimeError("a hidden cell of the relations is missing from the program")
        a = Entries(rows[hidden], columns, signs[hidden], (len(relations), len(cells)))
        return a, b

    def _joint(self, cells: list[int], relations: list[int]) -> None:
        """One program over the hidden `cells` (whole components) and their relations:
        max sum of min(x_p, SAFE_FROM) over the primary cells not yet safe among them."""
        targets = [c for c in cells if self.primary[c] and not self.safe[c]]
        if not targets:
            return
        a, b = self._system(cells, relations)
        n, k = len(cells), len(targets)
        column = {cell: j for j, cell in enumerate(cells)}
        # Variables: x (n cells), then t (k targets) with t_p <= x_p and t_p <= SAFE_FROM.
        a_eq = a.widened(k)
        link = Entries(np.r_[np.arange(k), np.arange(k)],
                       np.r_[n + np.arange(k), [column[t] for t in targets]],
                       np.r_[np.ones(k), -np.ones(k)], (k, n + k))
        objective = np.r_[np.zeros(n), -np.ones(k)]
        upper = np.r_[np.full(n, np.inf), np.full(k, SAFE_FROM)]
        lower = np.r_[self.floors[cells], np.zeros(k)]
        result = self.solver.minimize(objective, a_ub=link, b_ub=np.zeros(k), a_eq=a_eq,
                                      b_eq=b, lower=lower, upper=upper)
        if result.status == OPTIMAL:
            self._mark_safe(cells, result.x[:n])

    def _mark_safe(self, cells: list[int], x: np.ndarray) -> None:
        reached = np.asarray(cells)[x >= SAFE_FROM - TOLERANCE]
        self.safe[reached] = True

    def _maximum(self, cell: int, *, record: bool = True):
        """The attacker's largest value for `cell`, its program's solution, cells and relations
        (None for the value: unbounded). `record`: the pattern is the one kept, so the cells
        the solution lifts to SAFE_FROM are safe."""
        cells, relations = self._component(cell)
        a, b = self._system(cells, relations)
        objective = np.zeros(len(cells))
        j = cells.index(cell)
        objective[j] = -1.0
        result = self.solver.minimize(objective, a_eq=a, b_eq=b, lower=self.floors[cells])
        if result.status == UNBOUNDED:
            return None, result, cells, relations
        if result.status != OPTIMAL:
            raise ProtectionError(f"the relations of cell {cell} have no solution "
                                  f"(status {result.status}: {result.message})")
        if record:
            self._mark_safe(cells, result.x)
        return result.x[j], result, cells, relations

    def _protect_once(self, cell: int) -> bool:
        """One step for `cell`: proven safe, or one more cell hidden (then True)."""
        high, result, _, relations = self._maximum(cell)
        if high is None or high >= SAFE_FROM - TOLERANCE:
            self.safe[cell] = True
            return False
        binding = [r for r, dual in zip(relations, result.eq_duals, strict=True)
                   if abs(dual) > TOLERANCE]
        candidates = (self._candidates(binding, SAFE_FROM - high)
                      or self._candidates(relations, SAFE_FROM - high))
        if not candidates:
            raise ProtectionError(f"cell {cell} is pinned below {SAFE_FROM} and no shown "
                                  "cell of its relations is left to hide")
        self.hidden[self._best(cell, candidates[:LOOKAHEAD])] = True
        return True

    def _best(self, cell: int, candidates: list[int]) -> int:
        """The first candidate that makes `cell` safe on its own, else the one that lifts
        its maximum most (the first of equals)."""
        best, best_high = candidates[0], -np.inf
        for candidate in candidates:
            self.hidden[candidate] = True
            try:
                high = self._maximum(cell, record=False)[0]
            finally:
                self.hidden[candidate] = False
            if high is None or high >= SAFE_FROM - TOLERANCE:
                return candidate
            if high > best_high + TOLERANCE:
                best, best_high = candidate, high
        return best

    def _candidates(self, relations: list[int], gap: float) -> list[int]:
        """Shown cells of `relations`: those that could close the gap alone first, smallest
        first, then the smaller ones, zeros last, ties by position."""
        candidates = {
            c for r in relations for c in (self.relations[r][0], *self.relations[r][1])
            if not self.hidden[c]
        }
        return sorted(candidates, key=lambda c: (self.values[c] < gap, self.values[c] == 0,
                                                 self.values[c], c))
