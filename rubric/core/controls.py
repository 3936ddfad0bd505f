"""What a run's controls say about its judge. Pure logic, no I/O.

Per product, the ground-truth model (``gt``, the positive control) and known-wrong copies of it
(the negatives) are judged like candidates. A judge that can tell right from wrong scores the gt
above each negative of the same product; the share of such (gt, negative) pairs, ties counting
half, is the **control accuracy** (0.5: no better than chance). It is computed per judge, overall
and per rubric dimension, with a 95 % bootstrap interval (pairs resampled, fixed seed), and a
dimension whose interval includes 0.5 is **not discriminating** in this run.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

POSITIVE = "gt"
NEGATIVES = ("gt_hue", "gt_flat", "gt_matte", "gt_blur", "other_product")
OVERALL = "overall"
BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 20261204
CHANCE = 0.5


@dataclass(frozen=True)
class ControlScore:
    """One judged control: its product, kind, judge, overall score and subscores."""

    product: str
    control: str
    judge: str
    overall: float
    subscores: dict[str, float]


def expected_dimensions(control: str, dimensions: Sequence[str]) -> list[str]:
    """The dimensions a negative should lower: colour and texture ones for a hue, flat or blurred
    copy, the finish for a matte one, every one for another product."""
    if control == "other_product":
        return list(dimensions)
    if control == "gt_matte":
        return [d for d in dimensions if "finish" in d]
    return [d for d in dimensions if any(w in d for w in ("colo", "texture"))]


def _outcome(gt: float, negative: float) -> float:
    return 1.0 if gt > negative else 0.5 if gt == negative else 0.0


def accuracy(outcomes: Sequence[float]) -> dict[str, Any]:
    """Mean outcome, its 95 % bootstrap interval and n (``value`` None without pairs)."""
    n = len(outcomes)
    if n == 0:
        return {"value": None, "low": None, "high": None, "n": 0, "right": 0.0}
    values = np.asarray(outcomes, dtype=np.float64)
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    means = values[rng.integers(0, n, size=(BOOTSTRAP_RESAMPLES, n))].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return {
        "value": round(float(values.mean()), 4),
        "low": round(float(low), 4),
        "high": round(float(high), 4),
        "n": n,
        "right": float(values.sum()),
    }


def discriminates(acc: dict[str, Any]) -> bool | None:
    """Whether the interval excludes chance; None without pairs."""
    if acc["value"] is None:
        return None
    return not acc["low"] <= CHANCE <= acc["high"]


def _pairs(
    scores: Iterable[ControlScore],
) -> dict[str, list[tuple[ControlScore, ControlScore]]]:
    """Per judge, every (gt, negative) pair of one product."""
    by_key: dict[tuple[str, str], dict[str, ControlScore]] = defaultdict(dict)
    for s in scores:
        by_key[(s.judge, s.product)][s.control] = s
    pairs: dict[str, list[tuple[ControlScore, ControlScore]]] = defaultdict(list)
    for (judge, _), controls in sorted(by_key.items()):
        gt = controls.get(POSITIVE)
        if gt is None:
            continue
        pairs[judge] += [(gt, controls[k]) for k in NEGATIVES if k in controls]
    return pairs


def _value(score: ControlScore, dimension: str) -> float | None:
    return score.overall if dimension == OVERALL else score.subscores.get(dimension)


def _judge_figures(
    pairs: list[tuple[ControlScore, ControlScore]], dimensions: Sequence[str]
) -> dict[str, Any]:
    figures: dict[str, Any] = {"accuracy": {}, "by_kind": {}}
    for dim in (OVERALL, *dimensions):
        outcomes = [
            _outcome(g, n)
            for gt, neg in pairs
            if (g := _value(gt, dim)) is not None and (n := _value(neg, dim)) is not None
        ]
        acc = accuracy(outcomes)
        figures["accuracy"][dim] = {**acc, "discriminating": discriminates(acc)}
    for kind in NEGATIVES:
        mine = [(gt, neg) for gt, neg in pairs if neg.control == kind]
        if not mine:
            continue
        margins = [gt.overall - neg.overall for gt, neg in mine]
        moved = {
            d: accuracy([_outcome(gt.subscores[d], neg.subscores[d]) for gt, neg in mine
                         if d in gt.subscores and d in neg.subscores])["value"]
            for d in expected_dimensions(kind, dimensions)
        }  # fmt: skip
        figures["by_kind"][kind] = {
            "accuracy": accuracy([_outcome(gt.overall, neg.overall) for gt, neg in mine]),
            "median_margin": round(float(np.median(margins)), 2),
            "expected_dimensions": {
                d: {"accuracy": v, "moved": v is not None and v > CHANCE} for d, v in moved.items()
            },
        }
    figures["not_discriminating"] = [
        d for d, a in figures["accuracy"].items() if a["discriminating"] is False
    ]
    return figures


def control_figures(scores: Iterable[ControlScore], dimensions: Sequence[str]) -> dict[str, Any]:
    """Per judge: accuracy overall and per dimension (with interval, n, discriminating), per
    negative kind (accuracy, median margin gt - negative, whether each dimension it should move
    did), the dimensions that do not discriminate; and per product the ceiling (the gt's score)."""
    scores = list(scores)
    judges = {judge: _judge_figures(pairs, dimensions) for judge, pairs in _pairs(scores).items()}
    ceilings: dict[str, dict[str, float]] = defaultdict(dict)
    for s in scores:
        if s.control == POSITIVE:
            ceilings[s.judge][s.product] = s.overall
    return {"judges": judges, "ceilings": {j: dict(c) for j, c in ceilings.items()}}


def relative_to_gt(score: float | None, ceiling: float | None) -> float | None:
    """A candidate's score as a share of its product's ceiling (None when either is missing or
    the ceiling is 0)."""
    if score is None or not ceiling:
        return None
    return round(score / ceiling, 4)


def summary_line(figures: dict[str, Any]) -> str:
    """``controls: 38/40 pairs right (0.95 [0.85, 1.00]); finish not discriminating`` per judge."""
    parts = []
    for judge, f in sorted(figures["judges"].items()):
        acc = f["accuracy"][OVERALL]
        if acc["value"] is None:
            parts.append(f"{judge}: no pairs")
            continue
        right = f"{acc['right']:g}/{acc['n']}"
        line = f"{right} pairs right ({acc['value']:.2f} [{acc['low']:.2f}, {acc['high']:.2f}])"
        flagged = f["not_discriminating"]
        if flagged:
            line += f"; {', '.join(flagged)} not discriminating"
        parts.append(line if len(figures["judges"]) == 1 else f"{judge}: {line}")
    return "controls: " + (" | ".join(parts) if parts else "none judged")
