"""The suppression's and the audit's linear programs (orchestration/disclosure/lp.py) give
what scipy's linprog gave them before: the same status, point, objective and equality
duals, on programs shaped like theirs (count equations, caps, unbounded cells)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse
from scipy.optimize import linprog

from orchestration.disclosure.lp import OPTIMAL, UNBOUNDED, Entries, Solver, _column_wise


def _equations(seed: int) -> tuple[sparse.csr_array, np.ndarray, int]:
    """Totals equal to sums of parts, over non-negative whole counts."""
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(4, 40)), int(rng.integers(1, 12))
    a = sparse.random(m, n, density=0.3, random_state=seed,
                      data_rvs=lambda size: rng.choice([-1.0, 1.0], size)).tocsr()
    return a, a @ rng.integers(0, 30, n).astype(float), n


@pytest.mark.parametrize("seed", range(40))
def test_a_cells_largest_value_is_linprogs(seed):
    a, b, n = _equations(seed)
    objective = np.zeros(n)
    objective[seed % n] = -1.0
    expected = linprog(objective, A_eq=a, b_eq=b, bounds=(0, None), method="highs")
    got = Solver().minimize(objective, a_eq=a, b_eq=b)
    assert got.status == expected.status
    if got.status == OPTIMAL:
        np.testing.assert_allclose(got.x, expected.x, atol=1e-9)
        assert got.fun == pytest.approx(expected.fun)
        np.testing.assert_allclose(np.abs(got.eq_duals), np.abs(expected.eqlin.marginals),
                                   atol=1e-9)


@pytest.mark.parametrize("seed", range(20))
def test_the_joint_program_with_caps_is_linprogs(seed):
    a, b, n = _equations(seed)
    k = min(n, 3)
    cap = sparse.csr_array((np.r_[np.ones(k), -np.ones(k)],
                            (np.r_[np.arange(k), np.arange(k)], np.r_[n + np.arange(k),
                                                                      np.arange(k)])),
                           shape=(k, n + k))
    a_eq = sparse.hstack([a, sparse.csr_array((a.shape[0], k))]).tocsr()
    objective = np.r_[np.zeros(n), -np.ones(k)]
    expected = linprog(objective, A_ub=cap, b_ub=np.zeros(k), A_eq=a_eq, b_eq=b,
                       bounds=[(0, None)] * n + [(0, 11)] * k, method="highs")
    got = Solver().minimize(objective, a_ub=cap, b_ub=np.zeros(k), a_eq=a_eq, b_eq=b,
                            upper=np.r_[np.full(n, np.inf), np.full(k, 11.0)])
    assert got.status == expected.status == OPTIMAL
    np.testing.assert_allclose(got.x, expected.x, atol=1e-9)


def test_an_unbounded_cell_and_an_impossible_system_are_told_apart():
    solver = Solver()
    # x0 = x1 + x2 with nothing else shown: x0 has no largest value.
    a = sparse.csr_array(np.array([[-1.0, 1.0, 1.0]]))
    assert solver.minimize(np.array([-1.0, 0, 0]), a_eq=a, b_eq=np.zeros(1)).status == UNBOUNDED
    # Non-negative parts cannot sum to a negative total.
    impossible = solver.minimize(np.zeros(2), a_eq=sparse.csr_array(np.array([[1.0, 1.0]])),
                                 b_eq=np.array([-5.0]))
    assert impossible.status not in (OPTIMAL, UNBOUNDED) and impossible.x is None
    # The same solver object goes on to solve the next program from scratch.
    again = solver.minimize(np.array([-1.0, 0.0]), a_eq=sparse.csr_array(np.array([[1.0, 1.0]])),
                            b_eq=np.array([7.0]))
    assert again.status == OPTIMAL and again.x[0] == pytest.approx(7.0)


@pytest.mark.parametrize("seed", range(30))
def test_the_column_wise_matrix_is_scipys_of_the_stacked_entries(seed):
    # What HiGHS is given is what scipy's csc_array held before: entries of a column by
    # row, repeated positions added up (to zero too, kept).
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 30))
    blocks = []
    for _ in range(int(rng.integers(1, 3))):
        m, count = int(rng.integers(0, 12)), int(rng.integers(0, 60))
        rows = rng.integers(0, max(m, 1), count) if m else np.zeros(0, np.int64)
        columns = rng.integers(0, n, len(rows))
        values = rng.choice([-1.0, 1.0, 0.5, -2.0], len(rows))
        blocks.append(Entries(rows, columns, values, (m, n)))
    starts, indices, values, num_row = _column_wise(blocks, n)
    expected = sparse.vstack([b.csr() for b in blocks], format="csc")
    assert num_row == expected.shape[0]
    np.testing.assert_array_equal(starts, expected.indptr)
    np.testing.assert_array_equal(indices, expected.indices)
    np.testing.assert_array_equal(values, expected.data)


def test_a_program_given_as_entries_is_solved_as_one_given_to_scipy():
    a, b, n = _equations(3)
    objective = np.zeros(n)
    objective[0] = -1.0
    given = Solver().minimize(objective, a_eq=Entries.of(a).widened(0), b_eq=b)
    expected = Solver().minimize(objective, a_eq=a, b_eq=b)
    assert given.status == expected.status
    np.testing.assert_array_equal(given.x, expected.x)
    np.testing.assert_array_equal(given.eq_duals, expected.eq_duals)
