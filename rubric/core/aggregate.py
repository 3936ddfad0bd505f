"""Robust aggregation of repeated judgements: medians, IQR, standard deviation. Pure logic."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rubric.core.rounding import round_half_up


@dataclass(frozen=True)
class Aggregate:
    overall_median: int | None
    subscores_median: dict[str, int | None]
    iqr: float | None
    std: float | None
    n_valid: int
    n_requested: int


def aggregate(
    overalls: Sequence[int],
    subscores: Sequence[dict[str, int]],
    dimensions: Sequence[str],
    n_requested: int,
) -> Aggregate:
    """Medians per dimension and overall, IQR and sample std of the overall scores.

    Everything is None when no repeat gave a valid answer; std is 0 for a single repeat.
    """
    if not overalls:
        return Aggregate(None, dict.fromkeys(dimensions), None, None, 0, n_requested)
    values = np.asarray(overalls, dtype=np.float64)
    q1, q3 = np.percentile(values, [25, 75])
    std = float(np.std(values, ddof=1)) if len(values) > 1 else 0.0
    medians: dict[str, int | None] = {
        d: round_half_up(float(np.median([s[d] for s in subscores]))) for d in dimensions
    }
    return Aggregate(
        overall_median=round_half_up(float(np.median(values))),
        subscores_median=medians,
        iqr=round(float(q3 - q1), 4),
        std=round(std, 4),
        n_valid=len(overalls),
        n_requested=n_requested,
    )
