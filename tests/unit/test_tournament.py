"""Pairwise tournaments: scheduling, both-order verdicts, Bradley-Terry strengths."""

from __future__ import annotations

import itertools
import random

import pytest

from rubric.core.tournament import (
    FULL_ROUND_ROBIN_MAX,
    both_orders,
    bradley_terry,
    schedule,
)


def test_round_robin_up_to_the_limit_then_a_connected_budget() -> None:
    few = [f"c{i}" for i in range(FULL_ROUND_ROBIN_MAX)]
    assert schedule(few, max_pairs=3) == list(itertools.combinations(sorted(few), 2))
    many = [f"c{i:02d}" for i in range(30)]
    pairs = schedule(many, max_pairs=60, seed=1)
    assert len(pairs) == 60 and len(set(pairs)) == 60
    # Connected: every candidate reachable from the first.
    seen, frontier = {many[0]}, [many[0]]
    while frontier:
        node = frontier.pop()
        for a, b in pairs:
            for x, y in ((a, b), (b, a)):
                if x == node and y not in seen:
                    seen.add(y)
                    frontier.append(y)
    assert seen == set(many)
    assert schedule(many, max_pairs=60, seed=1) == pairs  # reproducible


@pytest.mark.parametrize(
    ("first", "swapped", "score", "flipped"),
    [
        ("A", "B", 1.0, False),  # the first candidate wins in both orders
        ("B", "A", 0.0, False),
        ("A", "A", 0.5, True),  # the judge followed the order: a flip, a tie
        ("B", "B", 0.5, True),
        ("tie", "tie", 0.5, False),
        ("A", "tie", 0.75, False),
        ("tie", "A", 0.25, False),  # swapped: "A" is the second candidate
    ],
)
def test_both_orders(first: str, swapped: str, score: float, flipped: bool) -> None:
    assert both_orders(first, swapped) == (score, flipped)


def test_bradley_terry_recovers_the_order_of_a_consistent_judge() -> None:
    names = ["a", "b", "c", "d"]
    truth = {"a": 1.5, "b": 0.5, "c": -0.5, "d": -1.5}
    rng = random.Random(3)
    results = []
    for x, y in itertools.combinations(names, 2):
        for _ in range(20):
            p = 1 / (1 + pow(2.718281828, truth[y] - truth[x]))
            results.append((x, y, 1.0 if rng.random() < p else 0.0))
    fit = {s.name: s for s in bradley_terry(names, results)}
    assert [s.name for s in sorted(fit.values(), key=lambda s: s.rank)] == names
    assert fit["a"].low < fit["a"].strength < fit["a"].high and fit["a"].strength > 1
    assert sum(s.strength for s in fit.values()) == pytest.approx(0, abs=1e-6)
    assert fit["a"].comparisons == 60


def test_all_ties_give_equal_strengths_and_a_shared_rank() -> None:
    results = [(x, y, 0.5) for x, y in itertools.combinations("abc", 2)]
    fit = bradley_terry(list("abc"), results)
    assert {s.strength for s in fit} == {0.0} and {s.rank for s in fit} == {1}


def test_a_clean_sweep_stays_finite() -> None:
    fit = {s.name: s for s in bradley_terry(["w", "l"], [("w", "l", 1.0)] * 5)}
    assert 0 < fit["w"].strength < 10 and fit["w"].rank == 1 and fit["l"].rank == 2


@pytest.mark.parametrize(
    ("first", "swapped", "score"),
    [("tie", "B", 0.75), ("B", "tie", 0.25)],  # swapped "B" is the first candidate
)
def test_half_decided_pairs(first: str, swapped: str, score: float) -> None:
    assert both_orders(first, swapped) == (score, False)


def test_a_budget_of_the_ring_alone_is_still_connected() -> None:
    many = [f"c{i:02d}" for i in range(30)]
    pairs = schedule(many, max_pairs=30, seed=4)
    assert len(pairs) == 30
    degree = {n: sum(n in p for p in pairs) for n in many}
    assert set(degree.values()) == {2}  # one cycle through every candidate
    seen, frontier = {many[0]}, [many[0]]
    while frontier:
        node = frontier.pop()
        for pair in pairs:
            if node in pair:
                other = pair[1] if pair[0] == node else pair[0]
                if other not in seen:
                    seen.add(other)
                    frontier.append(other)
    assert seen == set(many)


def test_bradley_terry_matches_a_fit_worked_out_by_hand() -> None:
    """Two candidates, a beats b 3 times of 4: with the N(0, 10) prior, the log-strengths are
    +t and -t where -0.1 t + 3 - 4 sigma(2 t) = 0; the interval comes from the 2 x 2 curvature."""
    import math

    from scipy.optimize import brentq

    def sigma(x: float) -> float:
        return 1 / (1 + math.exp(-x))

    t = brentq(lambda x: -0.1 * x + 3 - 4 * sigma(2 * x), 0, 5)
    w = sigma(2 * t) * (1 - sigma(2 * t))
    a, b = 0.1 + 4 * w, 4 * w
    se = math.sqrt(a / (a * a - b * b))
    fit = {s.name: s for s in bradley_terry(["a", "b"], [("a", "b", 1.0)] * 3 + [("a", "b", 0.0)])}
    assert fit["a"].strength == round(t, 4) and fit["b"].strength == round(-t, 4)
    assert fit["a"].low == round(t - 1.959964 * se, 4)
    assert fit["a"].high == round(t + 1.959964 * se, 4)
    assert (fit["a"].rank, fit["b"].rank, fit["a"].comparisons) == (1, 2, 4)
