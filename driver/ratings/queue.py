"""What a rater sees next. Pure logic: the jobs (or pairs) of a run and the ratings so far in, one
item out. Ratings are spread: an item is offered to a rater only while no item they have not
rated has fewer ratings, so every item gets k ratings before any gets k + 1."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from itertools import combinations
from typing import Any, TypeVar

Item = TypeVar("Item", str, tuple[str, str])


def pair_key(a: str, b: str) -> tuple[str, str]:
    """A pair of jobs whatever the order it was shown in."""
    return (a, b) if a <= b else (b, a)


def _order(rater: str, item: str | tuple[str, str]) -> str:
    # A per-rater shuffle among equally rated items, so that two raters working at once are
    # rarely offered the same item, and a reload offers the same one again.
    return hashlib.sha256(f"{rater}\x00{item}".encode()).hexdigest()


def next_item(
    items: Sequence[Item],
    counts: Mapping[Item, int],
    done_by_rater: Iterable[Item],
    skipped: Iterable[Item],
    rater: str,
) -> Item | None:
    """The item this rater should rate next: one they have neither rated nor skipped, with the
    fewest ratings so far; None when none is left."""
    done, skip = set(done_by_rater), set(skipped)
    open_items = [i for i in items if i not in done and i not in skip]
    if not open_items:
        return None
    return min(open_items, key=lambda i: (counts.get(i, 0), _order(rater, i)))


def candidate_pairs(groups: Mapping[str, Sequence[str]]) -> list[tuple[str, str]]:
    """Every pair of jobs of the same product (group → its rateable jobs), in a stable order."""
    return [
        pair_key(a, b)
        for group in sorted(groups)
        for a, b in combinations(sorted(groups[group]), 2)
    ]


def job_counts(rows: Iterable[Mapping[str, Any]]) -> Counter[str]:
    """Current ratings per job."""
    return Counter(str(r["job_id"]) for r in rows)


def pair_counts(rows: Iterable[Mapping[str, Any]]) -> Counter[tuple[str, str]]:
    """Current comparisons per pair (either order)."""
    return Counter(pair_key(str(r["job_left"]), str(r["job_right"])) for r in rows)


def progress(done: int, total: int, counts: Iterable[int]) -> dict[str, int]:
    """n rated by this rater of N, and the least and most ratings any item has."""
    values = list(counts) or [0]
    return {"done": done, "total": total, "min_ratings": min(values),
            "max_ratings": max(values)}  # fmt: skip
