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
PAIR_COLUMNS = ["rating_id", "supersedes", "run_id", "job_left", "job_right", "rater",
                "time_utc", "note", "snapshot"]  # fmt: skip
SCALE = range(1, 6)  # 1-5, labelled anchors in the inspector
CHOICES = ("left", "right", "same")  # which side of a pair is more faithful
RATER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$")
MAX_NOTE = 4000
# Line breaks and tabs are text a person types; other control characters are not (and NUL
# cannot be stored in a CSV cell).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class RatingError(ValueError):
    """A rating that cannot be stored as given; nothing was written."""


@dataclass(frozen=True)
class Rating:
    """One person's 1-5 rating of one job, per dimension."""

    run_id: str
    job_id: str
    rater: str
    time_utc: str
    values: Mapping[str, int]  # dimension → 1..5
    note: str = ""
    snapshot: str = "{}"  # JSON of what was shown (judge scores, hashes)
    supersedes: str = ""


@dataclass(frozen=True)
class Comparison:
    """One person's answer to "which of two candidates is more faithful", per dimension. Left
    and right are the sides as shown (randomised by the inspector)."""

    run_id: str
    job_left: str
    job_right: str
    rater: str
    time_utc: str
    values: Mapping[str, str]  # dimension → left | right | same
    note: str = ""
    snapshot: str = "{}"
    supersedes: str = ""


def check_rater(name: str) -> str:
    """``name`` if it is an allowed rater name, else raise :class:`RatingError`."""
    if not RATER.match(name):
        raise RatingError(
            f"rater name {name[:40]!r} is not allowed: 1-64 letters, digits, spaces, "
            "'.', '_' or '-', starting with a letter or digit"
        )
    return name


def check_note(note: str) -> None:
    """Raise :class:`RatingError` for a note too long or holding control characters."""
    if len(note) > MAX_NOTE:
        raise RatingError(f"the note is {len(note)} characters long: at most {MAX_NOTE}")
    if _CONTROL.search(note):
        raise RatingError("the note holds control characters (only text, tabs and line breaks)")


def _check_dimensions(values: Mapping[str, Any], dimensions: Sequence[str]) -> None:
    unknown = sorted(set(values) - set(dimensions))
    if unknown:
        raise RatingError(f"unknown dimension(s): {', '.join(unknown)}")
    missing = [d for d in dimensions if d not in values]
    if missing:
        raise RatingError(f"no rating for: {', '.join(missing)}")


def check_rating(rating: Rating, dimensions: Sequence[str]) -> None:
    """Raise :class:`RatingError` naming the first problem."""
    check_rater(rating.rater)
    check_note(rating.note)
    _check_dimensions(rating.values, dimensions)
    for dim, value in rating.values.items():
        if isinstance(value, bool) or not isinstance(value, int) or value not in SCALE:
            raise RatingError(f"{dim}: {value!r} is not a rating from 1 to 5")


def check_comparison(comparison: Comparison, dimensions: Sequence[str]) -> None:
    """Raise :class:`RatingError` naming the first problem."""
    check_rater(comparison.rater)
    check_note(comparison.note)
    if comparison.job_left == comparison.job_right:
        raise RatingError(f"a job is not compared with itself ({comparison.job_left!r})")
    _check_dimensions(comparison.values, dimensions)
    for dim, value in comparison.values.items():
        if value not in CHOICES:
            raise RatingError(f"{dim}: {value!r} is not one of left, right, same")


def rating_columns(dimensions: Sequence[str]) -> list[str]:
    """The ratings table's header for these dimensions."""
    return [*BASE_COLUMNS, *(f"r_{d}" for d in dimensions)]


def pair_columns(dimensions: Sequence[str]) -> list[str]:
    """The pairs table's header for these dimensions."""
    return [*PAIR_COLUMNS, *(f"p_{d}" for d in dimensions)]


def _append(
    table: Path, wanted: list[str], new: list[dict[str, str]], lock_timeout_s: float
) -> None:
    """Append ``new`` under the table's lock; rows already there are kept byte for byte (a
    wider header widens them)."""
    with locked(lock_path_for(table), lock_timeout_s):
        if table.exists() and table.stat().st_size > 0:
            header, rows, terminator = read_csv_text(table)
        else:
            header, rows, terminator = [], [], "\n"
        columns = header + [c for c in wanted if c not in header]
        widened: list[list[str]] = [[*r, *[""] * (len(columns) - len(r))] for r in rows]
        widened += [[row.get(c, "") for c in columns] for row in new]
        write_csv_atomic(table, columns, widened, terminator)


def append_ratings(
    table: Path,
    ratings: Sequence[Rating],
    dimensions: Sequence[str],
    *,
    lock_timeout_s: float = DEFAULT_LOCK_TIMEOUT_S,
) -> list[str]:
    """Validate every rating, then append them all at once; returns their new rating ids."""
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
    _append(table, rating_columns(dimensions), new, lock_timeout_s)
    return ids


def append_comparisons(
    table: Path,
    comparisons: Sequence[Comparison],
    dimensions: Sequence[str],
    *,
    lock_timeout_s: float = DEFAULT_LOCK_TIMEOUT_S,
) -> list[str]:
    """Validate every comparison, then append them all at once; returns their rating ids."""
    for c in comparisons:
        check_comparison(c, dimensions)
    ids = [uuid.uuid4().hex for _ in comparisons]
    new = [
        {
            "rating_id": rid, "supersedes": c.supersedes, "run_id": c.run_id,
            "job_left": c.job_left, "job_right": c.job_right, "rater": c.rater,
            "time_utc": c.time_utc, "note": c.note, "snapshot": c.snapshot,
            **{f"p_{d}": v for d, v in c.values.items()},
        }
        for rid, c in zip(ids, comparisons, strict=True)
    ]  # fmt: skip
    _append(table, pair_columns(dimensions), new, lock_timeout_s)
    return ids


def read_ratings(table: Path) -> list[dict[str, str]]:
    """Every row of a ratings or pairs table, oldest first, as column → text."""
    if not table.exists():
        return []
    header, rows, _ = read_csv_text(table)
    return [dict(zip(header, [*r, *[""] * (len(header) - len(r))], strict=True)) for r in rows]


def current(rows: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The rows no later row supersedes (an edit replaces what it supersedes)."""
    replaced = {str(r.get("supersedes")) for r in rows if r.get("supersedes")}
    return [r for r in rows if r.get("rating_id") not in replaced]
