"""Linear programs solved by HiGHS through its own Python interface (highspy).

The suppression and the attacker's audit solve thousands of small programs (about 8,000
of a few dozen variables for the scale-1 data). scipy's `linprog(method="highs")` runs the
same solver, but spends about three quarters of each call around it: a new solver object
and every option checked in Python. This passes the program to one solver object with
scipy's settings for it (dual simplex, presolve on, no output) and the same HiGHS release
(highspy is pinned to the one scipy bundles), so the solutions are the ones linprog gave.

The programs are small, so building their matrices costs more than solving some of them:
scipy.sparse's constructors, stacking and conversions took a third of the suppression's
time. A caller passes a program's constraints as `Entries` (row, column, value), and the
column-wise matrix HiGHS takes is built from them with numpy alone: the same arrays
scipy's `csc_array` gives (entries of a column by row, repeated positions added up,
explicit zeros kept), so the same programs are solved.
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np
from scipy import sparse

# scipy's status codes, which callers already test: 0 optimal, 2 infeasible, 3 unbounded,
# 4 anything else (unbounded or infeasible, or a solver error).
OPTIMAL, INFEASIBLE, UNBOUNDED, OTHER = 0, 2, 3, 4
_STATUS = {
    highspy.HighsModelStatus.kOptimal: OPTIMAL,
    highspy.HighsModelStatus.kInfeasible: INFEASIBLE,
    highspy.HighsModelStatus.kUnbounded: UNBOUNDED,
}


@dataclass(frozen=True)
class Entries:
    """A sparse matrix of `shape` by its entries: `values[i]` at (`rows[i]`, `columns[i]`);
    entries at one position add up."""

    rows: np.ndarray
    columns: np.ndarray
    values: np.ndarray
    shape: tuple[int, int]

    @classmethod
    def of(cls, matrix) -> Entries:
        """The entries of a scipy sparse matrix or a dense array (or already Entries)."""
        if isinstance(matrix, Entries):
            return matrix
        coo = sparse.coo_array(matrix)
        return cls(coo.row, coo.col, coo.data, coo.shape)

    def csr(self) -> sparse.csr_array:
        """As a scipy sparse matrix (for scipy's own solvers)."""
        return sparse.csr_array((self.values, (self.rows, self.columns)), shape=self.shape)

    def widened(self, columns: int) -> Entries:
        """The same entries, with `columns` columns of zeros added on the right."""
        return Entries(self.rows, self.columns, self.values,
                       (self.shape[0], self.shape[1] + columns))


def _column_wise(blocks: list[Entries], n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """`blocks` stacked one below the other, column-wise: (starts, row indices, values,
    rows), as scipy's `csc_array` of the stacked matrix holds them."""
    offsets = np.cumsum([0, *(block.shape[0] for block in blocks)])
    rows = np.concatenate([b.rows.astype(np.int64) + o for b, o in zip(blocks, offsets,
                                                                            strict=False)])
    columns = np.concatenate([b.columns.astype(np.int64) for b in blocks])
    values = np.concatenate([b.values.astype(np.float64) for b in blocks])
    order = np.lexsort((rows, columns))  # by column, then row; stable for repeats
    rows, columns, values = rows[order], columns[order], values[order]
    if len(rows) > 1:
        first = np.r_[True, (rows[1:] != rows[:-1]) | (columns[1:] != columns[:-1])]
        if not first.all():
            starts = np.flatnonzero(first)
            values = np.add.reduceat(values, starts)
            rows, columns = rows[starts], columns[starts]
    index_type = np.int32 if max(len(rows), int(offsets[-1]), n) < 2**31 else np.int64
    starts = np.zeros(n + 1, dtype=index_type)
    np.cumsum(np.bincount(columns, minlength=n), out=starts[1:])
    return starts, rows.astype(index_type), values, int(offsets[-1])


@dataclass(frozen=True)
class Solution:
    status: int
    message: str
    x: np.ndarray | None
    fun: float | None
    # The duals of the equality rows (scipy's `eqlin.marginals`).
    eq_duals: np.ndarray | None


class Solver:
    """One HiGHS instance, reused program after program, by one thread at a time.

    Components are solved on several threads (orchestration/disclosure/solved.py), each
    with solvers of its own. HiGHS keeps a task scheduler per thread, started by the
    thread's first solve with the `threads` option; the serial dual simplex (strategy 1)
    uses no more than the one thread it runs on, so each solver asks for exactly that,
    whatever the machine's cores, and no thread's solvers ask for another count."""

    def __init__(self) -> None:
        self._highs = highspy.Highs()
        for option, value in (("output_flag", False), ("log_to_console", False),
                              ("presolve", "on"), ("simplex_strategy", 1), ("threads", 1)):
            self._highs.setOptionValue(option, value)

    def minimize(self, cost, *, a_ub=None, b_ub=None, a_eq=None, b_eq=None,
                 lower=0.0, upper=np.inf) -> Solution:
        """min cost @ x subject to a_ub x <= b_ub, a_eq x = b_eq, lower <= x <= upper
        (scalars or one bound per variable; np.inf for none). The matrices are `Entries`,
        scipy sparse matrices or dense arrays."""
        cost = np.asarray(cost, dtype=np.float64)
        n = len(cost)
        b_ub = np.zeros(0) if a_ub is None else np.asarray(b_ub, dtype=np.float64)
        b_eq = np.zeros(0) if a_eq is None else np.asarray(b_eq, dtype=np.float64)
        n_ub = len(b_ub)
        blocks = [Entries.of(a) for a in (a_ub, a_eq) if a is not None]
        starts, indices, values, num_row = _column_wise(
            blocks or [Entries(np.zeros(0), np.zeros(0), np.zeros(0), (0, n))], n)
        row_lower = np.concatenate([np.full(n_ub, -np.inf), b_eq])
        row_upper = np.concatenate([b_ub, b_eq])
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = n, num_row
        lp.col_cost_ = cost
        lp.col_lower_ = _finite(np.broadcast_to(np.asarray(lower, np.float64), (n,)))
        lp.col_upper_ = _finite(np.broadcast_to(np.asarray(upper, np.float64), (n,)))
        lp.row_lower_ = _finite(row_lower)
        lp.row_upper_ = _finite(row_upper)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n, num_row
        lp.a_matrix_.start_ = starts
        lp.a_matrix_.index_ = indices
        lp.a_matrix_.value_ = values
        highs = self._highs
        highs.clearSolver()
        highs.passModel(lp)
        highs.run()
        model_status = highs.getModelStatus()
        status = _STATUS.get(model_status, OTHER)
        message = highs.modelStatusToString(model_status)
        if status != OPTIMAL:
            return Solution(status, message, None, None, None)
        solution = highs.getSolution()
        x = np.asarray(solution.col_value)
        duals = np.asarray(solution.row_dual)
        return Solution(status, message, x, float(cost @ x), duals[n_ub:])


def _finite(values: np.ndarray) -> np.ndarray:
    """HiGHS's infinity for np.inf (as scipy passes it)."""
    return np.clip(np.asarray(values, dtype=np.float64), -highspy.kHighsInf, highspy.kHighsInf)
