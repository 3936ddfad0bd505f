"""How well a judge agrees with people, and people with each other. Pure statistics on plain
data: Spearman's rho and Kendall's tau (scipy), pairwise accuracy, Krippendorff's alpha
(``krippendorff``), repeat std, flip rate, per-rater bias; every figure with its n and a 95 %
percentile-bootstrap interval over the units it is computed on (jobs, preferences, pairs)."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

import krippendorff
import numpy as np
import numpy.typing as npt
from scipy import stats

BOOTSTRAP = 1000
SEED = 0
Figure = dict[str, Any]  # {"n", "value", "low", "high"}
Level = Literal["ordinal", "interval"]


def _finite(value: float) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def bootstrap(
    statistic: Callable[[npt.NDArray[np.intp]], float | None], n: int, draws: int = BOOTSTRAP
) -> tuple[float | None, float | None]:
    """The 2.5th and 97.5th percentiles of ``statistic`` over resamples (with replacement) of
    the ``n`` units; resamples where it is undefined are left out. Deterministic."""
    if n < 2:
        return None, None
    rng = np.random.default_rng(SEED)
    values = [v for _ in range(draws) if (v := statistic(rng.integers(0, n, n))) is not None]
    if not values:
        return None, None
    low, high = np.percentile(values, [2.5, 97.5])
    return round(float(low), 4), round(float(high), 4)


def _figure(
    statistic: Callable[[npt.NDArray[np.intp]], float | None], n: int, min_n: int
) -> Figure:
    value = statistic(np.arange(n)) if n >= min_n else None
    low, high = bootstrap(statistic, n) if value is not None else (None, None)
    # "+ 0.0" turns a rounded -0.0 into 0.0.
    return {"n": n, "value": None if value is None else round(value, 4) + 0.0, "low": low,
            "high": high}  # fmt: skip


def _correlation(kind: str, a: npt.NDArray[np.float64], b: npt.NDArray[np.float64]) -> float | None:
    if len(a) < 3 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return None  # undefined when either side gives every job the same value
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = stats.spearmanr(a, b) if kind == "spearman" else stats.kendalltau(a, b)
    return _finite(float(result.statistic))


def rank_agreement(judge: Sequence[float], human: Sequence[float]) -> dict[str, Figure]:
    """Spearman's rho and Kendall's tau-b of the judge's scores against the people's mean
    ratings, one value per job."""
    a, b = np.asarray(judge, dtype=np.float64), np.asarray(human, dtype=np.float64)

    def statistic(kind: str) -> Callable[[npt.NDArray[np.intp]], float | None]:
        return lambda idx: _correlation(kind, a[idx], b[idx])

    return {kind: _figure(statistic(kind), len(a), 3) for kind in ("spearman", "kendall")}


def pairwise_accuracy(preferences: Sequence[tuple[float, float]]) -> Figure:
    """Each preference is (the judge's score of the job people preferred, of the other): the
    share the judge orders the same way, a tie counting half."""
    hits = np.asarray(
        [1.0 if p > q else 0.5 if p == q else 0.0 for p, q in preferences], dtype=np.float64
    )
    return _figure(lambda idx: float(hits[idx].mean()), len(hits), 1)


def mean_figure(values: Sequence[float]) -> Figure:
    """The mean with its bootstrap interval (repeat std, flip rate, bias)."""
    arr = np.asarray(values, dtype=np.float64)
    return _figure(lambda idx: float(arr[idx].mean()), len(arr), 1)


def alpha(matrix: Sequence[Sequence[float]], level: Level) -> Figure:
    """Krippendorff's alpha of a raters x units matrix (nan: not rated), ``level`` ordinal or
    interval; n counts the units at least two people rated, the ones alpha is computed on."""
    data = np.asarray(matrix, dtype=np.float64)
    if data.ndim != 2 or data.size == 0:
        return {"n": 0, "value": None, "low": None, "high": None}
    data = data[:, np.sum(~np.isnan(data), axis=0) >= 2]

    def statistic(idx: npt.NDArray[np.intp]) -> float | None:
        sample = data[:, idx]
        if len(np.unique(sample[~np.isnan(sample)])) < 2:
            return None  # every rating the same: no disagreement to measure against
        return _finite(krippendorff.alpha(reliability_data=sample,
                                          level_of_measurement=level))  # fmt: skip

    return _figure(statistic, data.shape[1], 2)


def rater_bias(ratings: Mapping[Any, Mapping[str, float]]) -> dict[str, Figure]:
    """``ratings`` maps job → rater → value. Per rater: the mean of (their value - the mean of
    everyone's values on that job), over the jobs at least two people rated."""
    deltas: dict[str, list[float]] = {}
    for by_rater in ratings.values():
        if len(by_rater) < 2:
            continue
        mean = float(np.mean(list(by_rater.values())))
        for rater, value in by_rater.items():
            deltas.setdefault(rater, []).append(value - mean)
    return {rater: mean_figure(d) for rater, d in sorted(deltas.items())}
