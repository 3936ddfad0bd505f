"""The agreement report: every figure for every judge, per dimension and overall, from the
evidence. Pure logic over :class:`Evidence`; the statistics are in ``agreement``."""

from __future__ import annotations

import math
from collections.abc import Mapping
from itertools import combinations
from typing import Any

import numpy as np

from driver.agreement.evidence import Evidence, JobKey
from driver.agreement.stats import (
    Figure,
    alpha,
    mean_figure,
    pairwise_accuracy,
    rank_agreement,
    rater_bias,
)

OVERALL = "overall"
SCHEMA_VERSION = 1
SOURCES = ("compare", "ratings")  # where a human preference comes from


def human_values(ev: Evidence) -> dict[str, dict[JobKey, dict[str, float]]]:
    """Dimension (and "overall": the rubric-weighted mean of a person's ratings) → job → rater
    → rating (1-5)."""
    out: dict[str, dict[JobKey, dict[str, float]]] = {d: {} for d in [*ev.dimensions, OVERALL]}
    for row in ev.ratings:
        key, rater = (row["run_id"], row["job_id"]), row["rater"]
        values = {d: float(row[f"r_{d}"]) for d in ev.dimensions if row.get(f"r_{d}")}
        for dim, value in values.items():
            out[dim].setdefault(key, {})[rater] = value
        if len(values) == len(ev.dimensions):
            total = sum(ev.weights[d] * v for d, v in values.items()) / sum(ev.weights.values())
            out[OVERALL].setdefault(key, {})[rater] = total
    return out


def _judge_value(entry: Mapping[str, Any], dim: str) -> float | None:
    value = entry["overall"] if dim == OVERALL else entry["dimensions"].get(dim)
    return None if value is None else float(value)


def preferences(ev: Evidence, dim: str) -> list[tuple[JobKey, JobKey, str]]:
    """(preferred job, other job, source) for every human preference on ``dim``: each
    compare-two answer that is not "same", and each pair of jobs of one product whose mean
    ratings differ."""
    out: list[tuple[JobKey, JobKey, str]] = []
    for row in ev.comparisons:
        left, right = (row["run_id"], row["job_left"]), (row["run_id"], row["job_right"])
        if dim == OVERALL:
            sign = {"left": 1, "right": -1, "same": 0}
            lean = sum(ev.weights[d] * sign.get(row.get(f"p_{d}", ""), 0) for d in ev.dimensions)
        else:
            lean = {"left": 1, "right": -1}.get(row.get(f"p_{dim}", ""), 0)
        if lean:
            out.append((left, right, "compare") if lean > 0 else (right, left, "compare"))
    means = {k: float(np.mean(list(v.values()))) for k, v in human_values(ev)[dim].items()}
    by_group: dict[str, list[JobKey]] = {}
    for key in sorted(means):
        by_group.setdefault(ev.groups.get(key, ""), []).append(key)
    for group, keys in by_group.items():
        for a, b in combinations(keys, 2):
            if group and means[a] != means[b]:
                out.append((a, b, "ratings") if means[a] > means[b] else (b, a, "ratings"))
    return out


def _repeat_stds(entries: Mapping[JobKey, Mapping[str, Any]], dim: str) -> list[float]:
    stds = []
    for entry in entries.values():
        if dim == OVERALL:
            values = [float(s) for s in entry["scores_all"] if s is not None]
        else:
            values = [float(r[dim]) for r in entry["subscores_all"] if r.get(dim) is not None]
        if len(values) >= 2:
            stds.append(float(np.std(values)))
    return stds


def _flips(ev: Evidence, judge: str, dim: str) -> list[float]:
    flips = []
    for record in ev.tournaments:
        if record.get("judge") != judge:
            continue
        for pair in record.get("pairs") or []:
            for name, verdict in (pair.get("dimensions") or {}).items():
                if dim in (OVERALL, name):
                    flips.append(1.0 if verdict.get("flipped") else 0.0)
    return flips


def judge_figures(ev: Evidence, judge: str, dim: str) -> dict[str, Any]:
    """Every figure of one judge on one dimension, and the scatter behind rho."""
    entries = ev.judges.get(judge, {})
    human = human_values(ev)[dim]
    keys = [k for k in sorted(human) if k in entries and _judge_value(entries[k], dim) is not None]
    judged = [_judge_value(entries[k], dim) or 0.0 for k in keys]
    people = [float(np.mean(list(human[k].values()))) for k in keys]
    prefs = [(p, o, src) for p, o, src in preferences(ev, dim) if p in entries and o in entries]
    scored = [(_judge_value(entries[p], dim), _judge_value(entries[o], dim)) for p, o, _ in prefs]
    pairs = [(a, b) for a, b in scored if a is not None and b is not None]
    accuracy = pairwise_accuracy(pairs)
    accuracy["sources"] = {s: sum(1 for *_, src in prefs if src == s) for s in SOURCES}
    return {
        **rank_agreement(judged, people),
        "pairwise_accuracy": accuracy,
        "repeat_std": mean_figure(_repeat_stds(entries, dim)),
        "flip_rate": mean_figure(_flips(ev, judge, dim)),
        "scatter": [
            {"run_id": k[0], "job_id": k[1], "judge": j, "human": round(h, 4)}
            for k, j, h in zip(keys, judged, people, strict=True)
        ],
    }


def _raters(ev: Evidence) -> dict[str, Any]:
    human = human_values(ev)
    dims = [*ev.dimensions, OVERALL]
    raters = sorted({r for by_job in human[OVERALL].values() for r in by_job} |
                    {r for d in ev.dimensions for v in human[d].values() for r in v})  # fmt: skip
    reliability: dict[str, Figure] = {}
    for dim in dims:
        keys = sorted(human[dim])
        matrix = [[human[dim][k].get(r, math.nan) for k in keys] for r in raters]
        reliability[dim] = alpha(matrix, "interval" if dim == OVERALL else "ordinal")
    return {
        "raters": raters,
        "ratings": len(ev.ratings),
        "comparisons": len(ev.comparisons),
        "krippendorff_alpha": reliability,
        "bias": {dim: rater_bias(human[dim]) for dim in dims},
    }


def agreement_report(ev: Evidence, judge: str | None = None) -> dict[str, Any]:
    """The whole agreement report (JSON-ready). ``judge`` keeps one judge."""
    judges = [j for j in sorted(ev.judges) if judge in (None, j)]
    dims = [*ev.dimensions, OVERALL]
    return {
        "schema_version": SCHEMA_VERSION,
        "dimensions": dims,
        "people": _raters(ev),
        "judges": {j: {d: judge_figures(ev, j, d) for d in dims} for j in judges},
    }
