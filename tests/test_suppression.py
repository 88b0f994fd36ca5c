"""Complementary suppression over linked cells (orchestration/disclosure/pattern.py): counts
1..10 hidden, and enough more that no hidden small count can be told from a count of 11
or more from what is shown (checked here the way an intruder would: linear programming,
written apart from the module's own)."""

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from orchestration.disclosure.definitions import SAFE_FROM
from orchestration.disclosure.pattern import Linked, protect


def grid(rows: list[list[int]], total_column: bool, total_row: bool):
    """A table of counts with its total column (each row's sum) and total row (each
    column's sum) appended: values (rows x columns) and the relations total = parts, as
    cell positions in row-major order."""
    values = np.array(rows, dtype=np.int64)
    if total_column:
        values = np.column_stack([values, values.sum(axis=1)])
    if total_row:
        values = np.vstack([values, values.sum(axis=0)])
    height, width = values.shape
    parts_width = width - 1 if total_column else width
    detail = height - 1 if total_row else height

    def at(i: int, j: int) -> int:
        return i * width + j

    relations = []
    if total_column:
        relations += [(at(i, width - 1), tuple(at(i, j) for j in range(parts_width)))
                      for i in range(height)]
    if total_row:
        relations += [(at(height - 1, j), tuple(at(i, j) for i in range(detail)))
                      for j in range(width)]
    return values, relations


def hidden_of(values: np.ndarray, relations) -> np.ndarray:
    flat = values.ravel()
    hidden = protect(Linked(values=flat, published=np.ones(flat.size, dtype=bool),
                            protected=np.ones(flat.size, dtype=bool), relations=relations))
    return hidden.reshape(values.shape)


def largest(values: np.ndarray, hidden: np.ndarray, relations, cell: int) -> float:
    """The intruder's largest value of a hidden cell, from the shown cells and the sums."""
    flat, mask = values.ravel().astype(float), hidden.ravel()
    unknown = {c: k for k, c in enumerate(np.flatnonzero(mask))}
    a_eq, b_eq = [], []
    for total, parts in relations:
        row, rhs = np.zeros(len(unknown)), 0.0
        for c, sign in ((total, -1.0), *((p, 1.0) for p in parts)):
            if c in unknown:
                row[unknown[c]] += sign
            else:
                rhs -= sign * flat[c]
        a_eq.append(row)
        b_eq.append(rhs)
    objective = np.zeros(len(unknown))
    objective[unknown[cell]] = -1
    result = linprog(objective, A_eq=np.array(a_eq) if a_eq else None,
                     b_eq=b_eq if b_eq else None, bounds=(0, None), method="highs")
    assert result.status in (0, 3), "the shown table must be consistent"
    return np.inf if result.status == 3 else -result.fun


def assert_protected(values: np.ndarray, hidden: np.ndarray, relations) -> None:
    small = (values >= 1) & (values <= 10)
    assert (hidden | ~small).all(), "a count in 1..10 is shown"
    for cell in np.flatnonzero(small.ravel()):
        high = largest(values, hidden, relations, cell)
        assert high >= SAFE_FROM - 1e-6, f"cell {cell} is pinned to at most {high}"


# Zeros are frequent: a hidden cell beside zeros is the one that sums pin down.
cell_values = st.one_of(st.just(0), st.just(0), st.integers(1, 10), st.integers(11, 40))


@st.composite
def tables_with_totals(draw):
    width, height = draw(st.integers(1, 4)), draw(st.integers(1, 5))
    rows = draw(st.lists(st.lists(cell_values, min_size=width, max_size=width),
                         min_size=height, max_size=height))
    total_column, total_row = draw(st.sampled_from([(True, True), (True, False), (False, True)]))
    return rows, total_column, total_row


@pytest.mark.slow  # 150 examples, each a suppression and its linear programs
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables_with_totals())
# The zeros here pin row 1's total to 2 once no sum has a single hidden cell: the case that
# needs the linear program.
@example(([[1, 0, 0], [0, 1, 1], [10, 0, 0]], True, True))
def test_no_small_count_is_shown_or_can_be_told_from_11_or_more(drawn):
    rows, total_column, total_row = drawn
    values, relations = grid(rows, total_column, total_row)
    assert_protected(values, hidden_of(values, relations), relations)


def test_a_row_with_one_small_cell_hides_the_smallest_count_that_covers_it():
    values, relations = grid([[25, 3, 40], [30, 50, 60]], True, False)
    hidden = hidden_of(values, relations)
    assert set(zip(*np.nonzero(hidden), strict=True)) == {(0, 0), (0, 1)}
    assert_protected(values, hidden, relations)


def test_two_small_cells_of_a_column_protect_each_other():
    values, relations = grid([[4], [7], [30]], False, True)
    hidden = hidden_of(values, relations)
    assert set(zip(*np.nonzero(hidden), strict=True)) == {(0, 0), (1, 0)}
    assert_protected(values, hidden, relations)


def test_the_complement_is_the_smallest_non_zero_count_not_a_zero():
    values, relations = grid([[4], [0], [30], [12]], False, True)
    hidden = hidden_of(values, relations)
    assert set(zip(*np.nonzero(hidden), strict=True)) == {(0, 0), (3, 0)}


def test_a_total_equal_to_its_one_non_zero_cell_is_protected_in_both_directions():
    # Row 0 is 0 + 0 + 7 = 7: hiding the 7 and its total leaves them equal but unknown;
    # the column sums would still give them away, so their columns get complements.
    values, relations = grid([[0, 0, 7], [20, 15, 30], [12, 40, 25]], True, True)
    hidden = hidden_of(values, relations)
    assert hidden[0, 2] and hidden[0, 3]
    assert hidden[:-1].any(axis=0).all(), "every column holds a complement"
    assert_protected(values, hidden, relations)


def test_independent_tables_are_protected_each_on_its_own():
    first, first_relations = grid([[3, 40], [25, 30]], True, True)
    second, second_relations = grid([[50, 40], [25, 30]], True, True)
    offset = first.size
    values = np.concatenate([first.ravel(), second.ravel()])
    relations = first_relations + [(t + offset, tuple(p + offset for p in parts))
                                   for t, parts in second_relations]
    hidden = protect(Linked(values=values, published=np.ones(values.size, dtype=bool),
                            protected=np.ones(values.size, dtype=bool), relations=relations))
    assert not hidden[offset:].any()
    assert_protected(first, hidden[:offset].reshape(first.shape), first_relations)


def test_same_cells_same_pattern():
    values, relations = grid([[5, 14, 14], [14, 5, 14], [14, 14, 5]], True, True)
    assert (hidden_of(values, relations) == hidden_of(values, relations)).all()


def test_a_latent_cell_is_never_shown_and_protects_like_a_hidden_one():
    # A month's count between two running totals is never published: 77 then 80 shown
    # would give away a month of 3.
    values = np.array([77, 80, 77, 3])
    relations = [(0, (2,)), (1, (0, 3))]
    hidden = protect(Linked(values=values, published=np.array([True, True, False, False]),
                            protected=np.ones(4, dtype=bool), relations=relations))
    assert hidden[2] and hidden[3] and (hidden[0] or hidden[1])


def test_a_component_solved_before_is_read_back_and_a_changed_one_solved_again():
    from orchestration.disclosure.solved import Solved

    first, first_relations = grid([[3, 40], [25, 30]], True, True)
    second, second_relations = grid([[4, 40], [25, 2]], True, True)
    offset = first.size
    relations = first_relations + [(t + offset, tuple(p + offset for p in parts))
                                   for t, parts in second_relations]

    def protected(values, solved):
        return protect(Linked(values=values, published=np.ones(values.size, dtype=bool),
                              protected=np.ones(values.size, dtype=bool),
                              relations=relations), solved)

    values = np.concatenate([first.ravel(), second.ravel()])
    kept = Solved()
    hidden = protected(values, kept)
    assert (kept.solved, kept.reused) == (2, 0)
    assert (hidden == protect(Linked(values=values, published=np.ones(values.size, bool),
                                     protected=np.ones(values.size, bool),
                                     relations=relations))).all()

    again = Solved(known=kept.used)
    assert (protected(values, again) == hidden).all()
    assert (again.solved, again.reused) == (0, 2)

    # The second table's 2 becomes 12 (its totals with it): only its component is solved
    # again, and the first keeps its pattern.
    changed, _ = grid([[4, 40], [25, 12]], True, True)
    values = np.concatenate([first.ravel(), changed.ravel()])
    later = Solved(known=again.used)
    hidden_later = protected(values, later)
    assert (later.solved, later.reused) == (1, 1)
    assert (hidden_later[:offset] == hidden[:offset]).all()
    assert_protected(changed, hidden_later[offset:].reshape(changed.shape), second_relations)
    assert sorted(later.used) != sorted(kept.used)


def test_no_cells_no_pattern():
    empty = np.zeros(0, dtype=bool)
    assert protect(Linked(values=np.zeros(0, dtype=np.int64), published=empty,
                          protected=empty, relations=[])).shape == (0,)


def test_components_solved_side_by_side_give_what_one_after_the_other_gives(monkeypatch):
    import threading

    from orchestration.disclosure import solved as solved_module
    from orchestration.disclosure.solved import Solved

    work = [("a", lambda: "A", 1), ("b", lambda: "B", 5), ("a", lambda: "other", 1),
            ("known", lambda: "new", 2), ("c", lambda: "C", 3)]
    alone = Solved(known={"known": "K"})
    expected = [alone.solution(digest, solve) for digest, solve, _ in work]
    together = Solved(known={"known": "K"})
    assert together.solutions(work) == expected == ["A", "B", "A", "K", "C"]
    assert (together.solved, together.reused) == (alone.solved, alone.reused) == (3, 2)
    assert together.used == alone.used

    # The solves needed do run side by side: two that each wait for the other finish.
    monkeypatch.setattr(solved_module.os, "cpu_count", lambda: 2)
    both = threading.Barrier(2, timeout=30)

    def meeting(value):
        def solve():
            both.wait()
            return value
        return solve

    assert Solved().solutions([("x", meeting("X"), 1), ("y", meeting("Y"), 1)]) == ["X", "Y"]


def test_counts_a_reader_knows_are_at_least_one_are_protected_from_there():
    """13 over four parts of 4, 3, 3 and 3, each hidden: counted from 0 each part could be
    13, and the total may be shown; when the reader knows every part is at least 1 (a row
    that exists only for them), none could be more than 10, so the total is hidden too."""
    values = np.array([13, 4, 3, 3, 3], dtype=np.int64)
    relations = [(0, (1, 2, 3, 4))]

    def hidden(floors):
        return protect(Linked(values=values, published=np.ones(5, dtype=bool),
                              protected=np.ones(5, dtype=bool), relations=relations,
                              floors=floors)).tolist()

    assert hidden(None) == [False, True, True, True, True]
    assert hidden(np.ones(5, dtype=np.int64)) == [True, True, True, True, True]
