"""Complementary suppression for one table: hide more cells until no hidden cell can be
worked out from the shown cells and the table's sums.

A table is a grid of counts (rows x count columns) with relations, each "this cell is
the sum of those cells" (a total row, a total column). A hidden cell is exposed when
the shown cells and the relations leave it a single possible value. Two steps:

1. A relation with exactly one hidden cell gives that cell away (total minus the
   shown parts), so another cell of it is hidden; repeated until no relation has one.
2. That is not enough in two dimensions (hidden cells may be pinned by combining
   relations, or by the counts being non-negative), so each hidden cell's range is
   then computed by linear programming - the same test an intruder can run - and a
   cell found pinned gets one more complement beside it, until none is.

The complement chosen is always the smallest non-zero shown count of the relations
concerned (zeros only when nothing else is left, since a hidden zero protects little),
ties broken by position: the same table always gets the same cells hidden.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from scipy.optimize import linprog

Cell = tuple[int, int]
# (total cell, its parts): total = sum(parts).
Relation = tuple[Cell, tuple[Cell, ...]]


def complement(values: np.ndarray, hidden: np.ndarray, relations: list[Relation]) -> np.ndarray:
    """`hidden` grown so that every hidden cell keeps more than one possible value.

    values: the table's counts (rows x columns, NaN where missing); hidden: the cells
    hidden so far (primary suppression), same shape; relations: the table's sums.
    """
    hidden = hidden.copy()
    while True:
        exposed = _single_hidden_relation(hidden, relations)
        if exposed is None:
            exposed = next(pinned_cells(values, hidden, relations), None)
        if exposed is None:
            return hidden
        choice = _next_complement(values, hidden, relations, exposed)
        if choice is None:
            return hidden
        hidden[choice] = True


def _single_hidden_relation(hidden: np.ndarray, relations: list[Relation]) -> Cell | None:
    for total, parts in relations:
        hidden_cells = [cell for cell in (total, *parts) if hidden[cell]]
        if len(hidden_cells) == 1:
            return hidden_cells[0]
    return None


def _next_complement(
    values: np.ndarray, hidden: np.ndarray, relations: list[Relation], exposed: Cell
) -> Cell | None:
    """The cell to hide next to protect `exposed`: from its own relations first, then
    from the relations of the hidden cells linked to it."""
    linked = {exposed}
    while True:
        touching = [r for r in relations if linked & {r[0], *r[1]}]
        cells = {cell for total, parts in touching for cell in (total, *parts)}
        candidates = [c for c in cells if not hidden[c] and not np.isnan(values[c])]
        if candidates:
            return min(candidates, key=lambda c: (values[c] == 0, values[c], c))
        grown = linked | {c for c in cells if hidden[c]}
        if grown == linked:
            return None
        linked = grown


def pinned_cells(
    values: np.ndarray, hidden: np.ndarray, relations: list[Relation]
) -> Iterable[Cell]:
    """Hidden cells whose smallest and largest values given what is shown differ by < 1."""
    constrained = [r for r in relations if any(hidden[c] for c in (r[0], *r[1]))]
    unknowns = sorted({c for t, p in constrained for c in (t, *p) if hidden[c]})
    if not unknowns:
        return
    column = {cell: i for i, cell in enumerate(unknowns)}
    a_eq = np.zeros((len(constrained), len(unknowns)))
    b_eq = np.zeros(len(constrained))
    for row, (total, parts) in enumerate(constrained):
        # sum(parts) - total = 0, with the shown cells moved to the right-hand side.
        for cell, sign in ((total, -1.0), *((part, 1.0) for part in parts)):
            if hidden[cell]:
                a_eq[row, column[cell]] += sign
            else:
                b_eq[row] -= sign * values[cell]
    # The true values are one feasible point; any solution that moves a cell by 1 or
    # more from its true value shows that cell is not pinned, so most cells need no
    # linear program of their own.
    moved: set[Cell] = set()
    for cell, i in column.items():
        extremes = []
        for sense in (-1.0, 1.0):  # maximise, then minimise
            if cell in moved:
                break
            objective = np.zeros(len(unknowns))
            objective[i] = sense
            result = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
            if result.status == 3:  # unbounded: not pinned
                moved.add(cell)
            elif result.status != 0:  # no answer: counted as pinned, to stay on the safe side
                extremes = [0.0, 0.0]
                break
            else:
                moved.update(c for c, k in column.items() if abs(result.x[k] - values[c]) >= 1 - 1e-6)
                extremes.append(result.x[i])
        if cell not in moved and max(extremes) - min(extremes) < 1 - 1e-6:
            yield cell
