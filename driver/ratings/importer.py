"""`vfscore ratings import`: ratings made elsewhere (another tool, a spreadsheet) appended to the
workspace's ratings tables, all or nothing.

Columns of a ratings file: ``run_id, job_id, rater, r_<dimension>`` for every rubric dimension
(integers 1-5), optionally ``time_utc`` (``2026-11-22T10:00:00Z``) and ``note``. A file with
``job_left, job_right`` instead of ``job_id`` and ``p_<dimension>`` (left / right / same) is a
comparisons file. Extra columns are ignored."""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from blender_addon.contract.files import read_regular_bytes
from driver.agreement.store import (
    PAIRS_CSV,
    RATINGS_CSV,
    Comparison,
    Rating,
    RatingError,
    append_comparisons,
    append_ratings,
    check_comparison,
    check_rating,
    read_ratings,
)
from driver.ssot.metrics_log import utc_timestamp
from driver.ssot.table_io import read_table
from driver.ssot.workspace import Workspace

TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?Z$")
MAX_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Imported:
    table: Path
    rows: int


def _read(path: Path) -> tuple[list[str], list[dict[str, str]], str]:
    try:
        data = read_regular_bytes(path, "ratings file")
    except OSError as exc:
        raise RatingError(f"{path}: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise RatingError(f"{path}: {len(data)} bytes is more than a ratings file holds")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RatingError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    reader = csv.DictReader(text.splitlines())
    header = list(reader.fieldnames or [])
    rows = list(reader)
    if any(None in row for row in rows):
        raise RatingError(f"{path}: a row has more cells than the header")
    return header, rows, hashlib.sha256(data).hexdigest()


def _need(header: Sequence[str], columns: Sequence[str], path: Path) -> None:
    missing = [c for c in columns if c not in header]
    if missing:
        raise RatingError(f"{path.name}: missing column(s): {', '.join(missing)}")


def _time(value: str | None, line: int) -> str:
    if not value:
        return utc_timestamp()
    if not TIME.match(value):
        raise RatingError(f"line {line}: time_utc {value[:40]!r} is not like 2026-11-22T10:00:00Z")
    return value


def _integer(value: str, dim: str, line: int) -> int:
    if not re.fullmatch(r"\s*\d+\s*", value or ""):
        raise RatingError(f"line {line}: {dim}: {value[:20]!r} is not a rating from 1 to 5")
    return int(value)


def import_ratings(ws: Workspace, path: Path, dimensions: Sequence[str]) -> Imported:
    """Validate every row of ``path`` (columns, values, that each job is a row of its run in
    generations.csv, that this file was not imported before), then append them all."""
    header, rows, sha = _read(path)
    pairs = "job_left" in header
    table = ws.root / "tables" / (PAIRS_CSV if pairs else RATINGS_CSV)
    prefix = "p_" if pairs else "r_"
    ids = ["job_left", "job_right"] if pairs else ["job_id"]
    _need(header, ["run_id", *ids, "rater", *(f"{prefix}{d}" for d in dimensions)], path)
    if not rows:
        raise RatingError(f"{path.name}: no rows")
    if any(json.loads(r["snapshot"] or "{}").get("sha256") == sha for r in read_ratings(table)):
        raise RatingError(f"{path.name} was already imported (same bytes); nothing appended")
    known: set[tuple[str, str]] = set()
    if ws.generations_csv.is_file():
        gen = read_table(ws.generations_csv)
        known = set(zip(gen["run_id"].astype(str), gen["job_id"].astype(str), strict=True))
    source = {"source": "import", "file": path.name, "sha256": sha}
    ratings: list[Rating] = []
    comparisons: list[Comparison] = []
    for line, row in enumerate(rows, start=2):
        for col in ids:
            if (row["run_id"], row[col]) not in known:
                raise RatingError(f"line {line}: job {row[col][:60]!r} is not a job of run "
                                  f"{row['run_id'][:60]!r} in generations.csv")  # fmt: skip
        common = {"run_id": row["run_id"], "rater": row["rater"], "note": row.get("note") or "",
                  "time_utc": _time(row.get("time_utc"), line),
                  "snapshot": json.dumps({**source, "line": line}, sort_keys=True)}  # fmt: skip
        try:
            if pairs:
                values = {d: row[f"p_{d}"] for d in dimensions}
                comparison = Comparison(job_left=row["job_left"], job_right=row["job_right"],
                                        values=values, **common)  # fmt: skip
                check_comparison(comparison, dimensions)
                comparisons.append(comparison)
            else:
                scores = {d: _integer(row[f"r_{d}"], d, line) for d in dimensions}
                rating = Rating(job_id=row["job_id"], values=scores, **common)
                check_rating(rating, dimensions)
                ratings.append(rating)
        except RatingError as exc:
            raise RatingError(f"line {line}: {exc}") from None
    # Every row was checked above: one append writes them all, or a bad line wrote none.
    if pairs:
        append_comparisons(table, comparisons, dimensions)
    else:
        append_ratings(table, ratings, dimensions)
    return Imported(table, len(rows))
