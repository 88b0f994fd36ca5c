"""Linear programs solved by HiGHS through its own Python interface (highspy).

The suppression and the attacker's audit solve thousands of small programs (about 8,000
of a few dozen variables for the scale-1 data). scipy's `linprog(method="highs")` runs the
same solver, but spends about three quarters of each call around it: a new solver object
and every option checked in Python. This passes the program to one solver object with
scipy's settings for it (dual simplex, presolve on, no output) and the same HiGHS release
(highspy is pinned to the one scipy bundles), so the solutions are the ones linprog gave.
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
class Solution:
    status: int
    message: str
    x: np.ndarray | None
    fun: float | None
    # The duals of the equality rows (scipy's `eqlin.marginals`).
    eq_duals: np.ndarray | None


class Solver:
    """One HiGHS instance, reused program after program."""

    def __init__(self) -> None:
        self._highs = highspy.Highs()
        for option, value in (("output_flag", False), ("log_to_console", False),
                              ("presolve", "on"), ("simplex_strategy", 1)):
            self._highs.setOptionValue(option, value)

    def minimize(self, cost, *, a_ub=None, b_ub=None, a_eq=None, b_eq=None,
                 lower=0.0, upper=np.inf) -> Solution:
        """min cost @ x subject to a_ub x <= b_ub, a_eq x = b_eq, lower <= x <= upper
        (scalars or one bound per variable; np.inf for none)."""
        cost = np.asarray(cost, dtype=np.float64)
        n = len(cost)
        if a_ub is None:
            matrix = sparse.csc_array(a_eq if a_eq is not None else (0, n))
            n_ub, row_lower = 0, np.asarray(b_eq if a_eq is not None else (), np.float64)
            row_upper = row_lower
        else:
            b_ub = np.asarray(b_ub, dtype=np.float64)
            n_ub = len(b_ub)
            if a_eq is None:
                matrix, b_eq = sparse.csc_array(a_ub), np.zeros(0)
            else:
                matrix = sparse.vstack([sparse.csr_array(a_ub), sparse.csr_array(a_eq)],
                                       format="csc")
            b_eq = np.asarray(b_eq, dtype=np.float64)
            row_lower = np.concatenate([np.full(n_ub, -np.inf), b_eq])
            row_upper = np.concatenate([b_ub, b_eq])
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = n, matrix.shape[0]
        lp.col_cost_ = cost
        lp.col_lower_ = _finite(np.broadcast_to(np.asarray(lower, np.float64), (n,)))
        lp.col_upper_ = _finite(np.broadcast_to(np.asarray(upper, np.float64), (n,)))
        lp.row_lower_ = _finite(row_lower)
        lp.row_upper_ = _finite(row_upper)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n, matrix.shape[0]
        lp.a_matrix_.start_ = matrix.indptr
        lp.a_matrix_.index_ = matrix.indices
        lp.a_matrix_.value_ = matrix.data
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
