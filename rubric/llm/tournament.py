"""One product's pairwise tournament: every scheduled pair asked in both orders, per dimension;
flips counted as ties; Bradley-Terry strengths overall (rubric-weighted) and per dimension."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rubric.core.judge import Entrant
from rubric.core.tournament import Strength, both_orders, bradley_terry, schedule
from rubric.llm.estimate import cost

if TYPE_CHECKING:  # the judge's own module calls this one
    from rubric.llm.pairwise import PairwiseJudge


def _strengths(fit: list[Strength]) -> dict[str, dict[str, Any]]:
    return {
        s.name: {
            "strength": s.strength,
            "low": s.low,
            "high": s.high,
            "rank": s.rank,
            "comparisons": s.comparisons,
        }
        for s in fit
    }


def _both_orders(
    first: dict[str, str], swapped: dict[str, str], dimensions: Sequence[str]
) -> dict[str, dict[str, Any]]:
    """Per dimension, the winners in both orders, A's score (a flip is a tie) and the flip."""
    scores = {}
    for dim in dimensions:
        score, flipped = both_orders(first[dim], swapped[dim])
        scores[dim] = {"a_shown_first": first[dim], "b_shown_first": swapped[dim],
                       "score_a": score, "flipped": flipped}  # fmt: skip
    return scores


def run_tournament(
    group: str,
    refs: Sequence[Path],
    entrants: Sequence[Entrant],
    judge: PairwiseJudge,
    max_pairs: int,
    seed: int,
) -> dict[str, Any]:
    """The tournament record (written to ``_tournaments/<group>.json``): pairs and verdicts,
    strengths overall and per dimension, flip rates, tokens and cost."""
    photos = judge.prepare(refs, "Reference photo")
    views = {e.job_id: judge.prepare(e.views, "view") for e in entrants}
    names = sorted(views)
    rubric = judge.rubric
    weights = {d.name: d.weight for d in rubric.dimensions}
    overall: list[tuple[str, str, float]] = []
    per_dim: dict[str, list[tuple[str, str, float]]] = {d: [] for d in rubric.names}
    flips = {n: 0 for n in names}
    verdicts = {n: 0 for n in names}
    pairs: list[dict[str, Any]] = []
    tokens = {"input": 0, "output": 0}
    judged = flipped = 0  # pairs' dimensions with a verdict in both orders, and flips of them
    for a, b in schedule(names, max_pairs, seed):
        first = judge.compare(photos, views[a], views[b])
        swapped = judge.compare(photos, views[b], views[a])
        for answer in (first, swapped):
            tokens["input"] += answer.input_tokens
            tokens["output"] += answer.output_tokens
        entry: dict[str, Any] = {"a": a, "b": b, "invalid": first.invalid + swapped.invalid}
        pairs.append(entry)
        if first.winners is None or swapped.winners is None:
            entry["skipped"] = "no valid answer in one of the orders"
            continue
        entry["dimensions"] = _both_orders(first.winners, swapped.winners, rubric.names)
        for dim, verdict in entry["dimensions"].items():
            per_dim[dim].append((a, b, verdict["score_a"]))
            judged += 1
            flipped += verdict["flipped"]
            for n in (a, b):
                verdicts[n] += 1
                flips[n] += verdict["flipped"]
        weighted = sum(weights[d] * v["score_a"] for d, v in entry["dimensions"].items())
        overall.append((a, b, weighted))
    fit = _strengths(bradley_terry(names, overall))
    for n in names:
        fit[n]["flip_rate"] = round(flips[n] / verdicts[n], 4) if verdicts[n] else None
        fit[n]["group_size"] = len(names)
    return {
        "group": group,
        "judge": judge.provenance,
        "candidates": names,
        "pairs": pairs,
        "strengths": fit,
        "strengths_by_dimension": {
            d: _strengths(bradley_terry(names, r)) for d, r in per_dim.items()
        },
        "flip_rate": round(flipped / judged, 4) if judged else None,
        "tokens": tokens,
        "cost_usd": cost(judge.cfg, tokens["input"], tokens["output"]),
    }
