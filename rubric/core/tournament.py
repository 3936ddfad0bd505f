"""Pairwise tournaments: which pairs to ask, what a pair asked in both orders says, and strengths
from a Bradley-Terry fit. Pure logic.

A vision-LLM judge prefers whatever it is shown first. Every pair is asked in both orders; a pair
whose verdict follows the order (A wins, then A wins again with the candidates swapped) is a
flip and counts as a tie, and the flip rate is reported. Strengths are the maximum-likelihood
Bradley-Terry log-strengths (ties count half a win to each side), with a weak Gaussian prior so
that a candidate that won (or lost) everything still has a finite strength, and 95 % intervals
from the observed information.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

Winner = str  # "A" | "B" | "tie"
FULL_ROUND_ROBIN_MAX = 8  # up to 8 candidates (28 pairs) every pair is asked
PRIOR_PRECISION = 0.1  # the prior on each log-strength: N(0, 1 / 0.1)
Z95 = 1.959964


def schedule(candidates: Sequence[str], max_pairs: int, seed: int = 0) -> list[tuple[str, str]]:
    """The pairs to compare: every pair up to :data:`FULL_ROUND_ROBIN_MAX` candidates (or when
    they fit in ``max_pairs``); above, a ring (so the comparison graph is connected and every
    strength is identified) plus random other pairs up to ``max_pairs``."""
    names = sorted(candidates)
    every = list(itertools.combinations(names, 2))
    if len(names) <= FULL_ROUND_ROBIN_MAX or len(every) <= max_pairs:
        return every
    rng = random.Random(seed)
    order = names[:]
    rng.shuffle(order)
    ring = {tuple(sorted((order[i], order[(i + 1) % len(order)]))) for i in range(len(order))}
    rest = [p for p in every if p not in ring]
    rng.shuffle(rest)
    extra = max(0, max_pairs - len(ring))
    return sorted([*ring, *rest[:extra]])  # type: ignore[list-item]


def both_orders(first: Winner, swapped: Winner) -> tuple[float, bool]:
    """(score of the pair's first candidate: 1 win, 0.5 tie, 0 loss; whether it flipped).

    ``first`` is the verdict with the first candidate shown as A, ``swapped`` with it shown as
    B. Consistent verdicts (A then B, or B then A) decide; "A" twice or "B" twice is a flip:
    the judge followed the order, not the candidates, and the pair is a tie.
    """
    if first == "A" and swapped == "B":
        return 1.0, False
    if first == "B" and swapped == "A":
        return 0.0, False
    flipped = first == swapped and first in ("A", "B")
    if "tie" in (first, swapped) and not flipped:
        # One order saw a difference, the other did not: half-way towards that side.
        decided = first if first != "tie" else {"A": "B", "B": "A"}.get(swapped, "tie")
        return {"A": 0.75, "B": 0.25}.get(decided, 0.5), False
    return 0.5, flipped


@dataclass(frozen=True)
class Strength:
    name: str
    strength: float  # log-strength, centred on 0 across the group
    low: float
    high: float
    rank: int  # 1 = strongest; equal strengths share a rank
    comparisons: int


def bradley_terry(
    names: Sequence[str], results: Sequence[tuple[str, str, float]]
) -> list[Strength]:
    """Log-strengths from ``results`` (first, second, score of first in [0, 1]), by Newton's
    method on the penalised log-likelihood; intervals from its curvature."""
    index = {n: i for i, n in enumerate(names)}
    k = len(names)
    theta = np.zeros(k)
    for _ in range(100):
        grad = -PRIOR_PRECISION * theta
        hess = -PRIOR_PRECISION * np.eye(k)
        for a, b, s in results:
            i, j = index[a], index[b]
            p = 1.0 / (1.0 + np.exp(theta[j] - theta[i]))
            grad[i] += s - p
            grad[j] -= s - p
            w = p * (1 - p)
            hess[i, i] -= w
            hess[j, j] -= w
            hess[i, j] += w
            hess[j, i] += w
        step = np.linalg.solve(hess, grad)
        theta -= step
        if np.abs(step).max() < 1e-10:
            break
    se = np.sqrt(np.diag(np.linalg.inv(-hess)))
    theta -= theta.mean()
    counts = {n: 0 for n in names}
    for a, b, _ in results:
        counts[a] += 1
        counts[b] += 1
    rounded = np.round(theta, 6)
    ranks = {v: r + 1 for r, v in enumerate(sorted(set(rounded.tolist()), reverse=True))}
    return [
        Strength(
            n,
            round(float(theta[i]), 4),
            round(float(theta[i] - Z95 * se[i]), 4),
            round(float(theta[i] + Z95 * se[i]), 4),
            ranks[float(rounded[i])],
            counts[n],
        )
        for n, i in index.items()
    ]
