"""Agreement between judges over a run's jobs: Spearman's rho on the scores and Cohen's kappa on the
scores binned into five bands. Pure logic."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations
from typing import Any

import numpy as np
import numpy.typing as npt

BANDS = (20, 40, 60, 80)  # 0-19, 20-39, 40-59, 60-79, 80-100


def _ranks(values: Sequence[float]) -> npt.NDArray[np.float64]:
    """Ranks from 1, ties sharing their average rank."""
    arr = np.asarray(values, dtype=np.float64)
    order = np.argsort(arr, kind="stable")
    ranks = np.empty(len(arr))
    ranks[order] = np.arange(1, len(arr) + 1)
    for value in np.unique(arr):
        tied = arr == value
        ranks[tied] = ranks[tied].mean()
    return ranks


def spearman(a: Sequence[float], b: Sequence[float]) -> float | None:
    """Spearman's rank correlation; None when it is undefined (fewer than 3 jobs, or one judge
    gives every job the same score)."""
    if len(a) < 3:
        return None
    ra, rb = _ranks(a), _ranks(b)
    if ra.std() == 0 or rb.std() == 0:
        return None
    return round(float(np.corrcoef(ra, rb)[0, 1]), 4)


def cohen_kappa(a: Sequence[int], b: Sequence[int]) -> float | None:
    """Cohen's kappa of the judges' score bands; None without jobs or when chance explains all."""
    if not a:
        return None
    ba, bb = np.digitize(a, BANDS), np.digitize(b, BANDS)
    observed = float(np.mean(ba == bb))
    k = len(BANDS) + 1
    pa = np.bincount(ba, minlength=k) / len(ba)
    pb = np.bincount(bb, minlength=k) / len(bb)
    expected = float(np.dot(pa, pb))
    if expected == 1.0:
        return None
    return round((observed - expected) / (1 - expected), 4)


def panel_agreement(scores: dict[str, dict[str, int]]) -> list[dict[str, Any]]:
    """For each pair of judges, over the jobs both scored: rho, kappa and the number of jobs.
    ``scores`` maps judge → job → overall score."""
    out = []
    for x, y in combinations(sorted(scores), 2):
        jobs = sorted(set(scores[x]) & set(scores[y]))
        a = [scores[x][j] for j in jobs]
        b = [scores[y][j] for j in jobs]
        out.append(
            {"judges": [x, y], "jobs": len(jobs), "spearman": spearman(a, b),
             "cohen_kappa": cohen_kappa(a, b)}
        )  # fmt: skip
    return out
