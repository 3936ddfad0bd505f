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


def run_tournament(
    group: str,
    refs: Sequence[Path],
    entrants: Sequence[Entrant],
    judge: PairwiseJudge,
    max_pairs: int,
    seed: int = 0,
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
    for a, b in schedule(names, max_pairs, seed):
        first = judge.compare(photos, views[a], views[b])
        swapped = judge.compare(photos, views[b], views[a])
        for answer in (first, swapped):
            tokens["input"] += answer.input_tokens
            tokens["output"] += answer.output_tokens
        entry: dict[str, Any] = {"a": a, "b": b, "invalid": first.invalid + swapped.invalid}
        if first.winners is None or swapped.winners is None:
            entry["skipped"] = "no valid answer in one of the orders"
            pairs.append(entry)
            continue
        scores: dict[str, dict[str, Any]] = {}
        weighted = 0.0
        for dim in rubric.names:
            score, flipped = both_orders(first.winners[dim], swapped.winners[dim])
            per_dim[dim].append((a, b, score))
            weighted += weights[dim] * score
            scores[dim] = {"a_shown_first": first.winners[dim],
                           "b_shown_first": swapped.winners[dim], "score_a": score,
                           "flipped": flipped}  # fmt: skip
            for n in (a, b):
                verdicts[n] += 1
                flips[n] += flipped
        overall.append((a, b, weighted))
        entry["dimensions"] = scores
        pairs.append(entry)
    fit = _strengths(bradley_terry(names, overall))
    for n in names:
        fit[n]["flip_rate"] = round(flips[n] / verdicts[n], 4) if verdicts[n] else None
        fit[n]["group_size"] = len(names)
    total_flips, total = sum(flips.values()) // 2, sum(verdicts.values()) // 2
    return {
        "group": group,
        "judge": judge.provenance,
        "candidates": names,
        "pairs": pairs,
        "strengths": fit,
        "strengths_by_dimension": {
            d: _strengths(bradley_terry(names, r)) for d, r in per_dim.items()
        },
        "flip_rate": round(total_flips / total, 4) if total else None,
        "tokens": tokens,
        "cost_usd": cost(judge.cfg, tokens["input"], tokens["output"]),
    }
