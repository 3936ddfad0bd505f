"""The ratings tables: ``tables/vfscore_ratings.csv`` (one job rated per dimension) and
``tables/vfscore_pairs.csv`` (two jobs compared), in the workspace beside the SSOT.

They are data that must not be lost: append-only (editing a rating appends a row that
supersedes the old one), written atomically under a lock like the SSOT, UTF-8 with BOM, every
cell text. Validation refuses a bad rating whole, before anything is written.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from driver.ssot.locking import DEFAULT_LOCK_TIMEOUT_S, locked
from driver.ssot.table_io import lock_path_for, read_csv_text, write_csv_atomic

RATINGS_CSV = "vfscore_ratings.csv"
PAIRS_CSV = "vfscore_pairs.csv"
BASE_COLUMNS = ["rating_id", "supersedes", "run_id", "job_id", "rater", "time_utc", "note",
                "snapshot"]  # fmt: skip
SCALE = range(1, 6)  # 1-5, labelled anchors in the inspector
RATER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$")


class RatingError(ValueError):
    """A rating that cannot be stored as given; nothing was written."""


@dataclass(frozen=True)
class Rating:
    run_id: str
    job_id: str
    rater: str
    time_utc: str
    values: Mapping[str, int]  # dimension → 1..5
    note: str = ""
    snapshot: str = "{}"  # JSON of what was shown (judge scores, hashes)
    supersedes: str = ""


def check_rating(rating: Rating, dimensions: Sequence[str]) -> None:
    """Raise :class:`RatingError` naming the first problem."""
    if not RATER.match(rating.rater):
        raise RatingError(
            f"rater name {rating.rater[:40]!r} is not allowed: 1-64 letters, digits, spaces, "
            "'.', '_' or '-', starting with a letter or digit"
        )
    unknown = sorted(set(rating.values) - set(dimensions))
    if unknown:
        raise RatingError(f"unknown dimension(s): {', '.join(unknown)}")
    missing = [d for d in dimensions if d not in rating.values]
    if missing:
        raise RatingError(f"no rating for: {', '.join(missing)}")
    for dim, value in rating.values.items():
        if isinstance(value, bool) or not isinstance(value, int) or value not in SCALE:
            raise RatingError(f"{dim}: {value!r} is not a rating from 1 to 5")


def rating_columns(dimensions: Sequence[str]) -> list[str]:
    return [*BASE_COLUMNS, *(f"r_{d}" for d in dimensions)]


def append_ratings(
    table: Path,
    ratings: Sequence[Rating],
    dimensions: Sequence[str],
    *,
    lock_timeout_s: float = DEFAULT_LOCK_TIMEOUT_S,
) -> list[str]:
    """Validate every rating, then append them all at once; returns their new rating ids.
    Rows already in the table are kept byte for byte (a wider header widens them)."""
    for rating in ratings:
        check_rating(rating, dimensions)
    ids = [uuid.uuid4().hex for _ in ratings]
    new = [
        {
            "rating_id": rid, "supersedes": r.supersedes, "run_id": r.run_id,
            "job_id": r.job_id, "rater": r.rater, "time_utc": r.time_utc, "note": r.note,
            "snapshot": r.snapshot, **{f"r_{d}": str(v) for d, v in r.values.items()},
        }
        for rid, r in zip(ids, ratings, strict=True)
    ]  # fmt: skip
    with locked(lock_path_for(table), lock_timeout_s):
        if table.exists() and table.stat().st_size > 0:
            header, rows, terminator = read_csv_text(table)
        else:
            header, rows, terminator = [], [], "\n"
        wanted = rating_columns(dimensions)
        columns = header + [c for c in wanted if c not in header]
        widened: list[list[str]] = [[*r, *[""] * (len(columns) - len(r))] for r in rows]
        widened += [[row.get(c, "") for c in columns] for row in new]
        write_csv_atomic(table, columns, widened, terminator)
    return ids


def read_ratings(table: Path) -> list[dict[str, str]]:
    """Every row, oldest first, as column → text."""
    if not table.exists():
        return []
    header, rows, _ = read_csv_text(table)
    return [dict(zip(header, [*r, *[""] * (len(header) - len(r))], strict=True)) for r in rows]


def current(rows: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The rows no later row supersedes (an edit replaces what it supersedes)."""
    replaced = {str(r.get("supersedes")) for r in rows if r.get("supersedes")}
    return [r for r in rows if r.get("rating_id") not in replaced]
