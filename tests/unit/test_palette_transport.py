"""The palette distance is the exact optimal transport cost, checked against an independent LP."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest
from scipy.optimize import linprog

from rubric.offline.colour import delta_e2000
from rubric.offline.palette import earth_movers

Array = npt.NDArray[np.float64]


def lp_transport(cost: Array, w1: Array, w2: Array) -> float:
    """min Σ cost·plan subject to row sums w1, column sums w2, plan ≥ 0 (scipy's HiGHS)."""
    n, m = cost.shape
    rows = np.kron(np.eye(n), np.ones(m))
    cols = np.kron(np.ones(n), np.eye(m))
    res = linprog(
        cost.ravel(),
        A_eq=np.vstack([rows, cols])[:-1],  # one constraint is implied by the others
        b_eq=np.concatenate([w1, w2])[:-1],
        bounds=(0, None),
        method="highs",
    )
    assert res.success
    return float(res.fun)


@pytest.mark.parametrize("seed", range(40))
def test_random_palettes_match_the_linear_program(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, m = rng.integers(2, 7, size=2)
    c1 = rng.uniform([0, -80, -80], [100, 80, 80], (n, 3))
    c2 = rng.uniform([0, -80, -80], [100, 80, 80], (m, 3))
    w1, w2 = rng.dirichlet(np.ones(n)), rng.dirichlet(np.ones(m))
    exact = lp_transport(delta_e2000(c1[:, None, :], c2[None, :, :]), w1, w2)
    assert earth_movers(c1, w1, c2, w2) == pytest.approx(exact, abs=1e-6)


def test_identical_palettes_are_zero_apart_and_distance_is_symmetric() -> None:
    rng = np.random.default_rng(7)
    c = rng.uniform([0, -50, -50], [100, 50, 50], (6, 3))
    w = rng.dirichlet(np.ones(6))
    assert earth_movers(c, w, c, w) == pytest.approx(0.0, abs=1e-9)
    c2, w2 = c[::-1] + 5.0, w[::-1]
    assert earth_movers(c, w, c2, w2) == pytest.approx(earth_movers(c2, w2, c, w), abs=1e-9)
