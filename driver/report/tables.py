"""scores.csv (one row per job) and repeats.csv (one row per job x judge x repeat x dimension):
UTF-8 with BOM like the SSOT, every stored field flattened into a column, and text cells that a
spreadsheet would run as a formula neutralised."""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from blender_addon.contract.atomic import atomic_writer
from driver.ssot.table_merge import format_cell

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FIRST_COLUMNS = [
    "run_id", "job_id", "product_id", "variant", "algo", "status", "selected",
    "vfscore_overall", "relative_to_gt", "error", "root_error", "retry_hint", "skip_reason",
]  # fmt: skip
REPEAT_COLUMNS = ["run_id", "job_id", "judge", "repeat", "overall", "dimension", "score"]


def safe_cell(value: Any) -> str:
    """The cell's text; a text that begins like a formula gets a leading apostrophe (numbers,
    negative ones included, stay numbers)."""
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_START) else value
    return format_cell(value)


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Nested dicts as dotted keys; lists (and empty dicts) stay whole, written as JSON."""
    if isinstance(value, Mapping) and value:
        out: dict[str, Any] = {}
        for key, inner in value.items():
            out.update(flatten(inner, f"{prefix}.{key}" if prefix else str(key)))
        return out
    return {prefix: value}


def score_rows(jobs: Sequence[Mapping[str, Any]]) -> tuple[list[str], list[dict[str, Any]]]:
    """(columns, rows) of scores.csv: the job's fields, its paths and its whole stored record."""
    rows = []
    for job in jobs:
        row = {k: job.get(k) for k in FIRST_COLUMNS}
        row.update(flatten(job.get("paths") or {}, "paths"))
        row.update(flatten(job.get("record") or {}, "record"))
        rows.append(row)
    extra = sorted({k for r in rows for k in r} - set(FIRST_COLUMNS))
    return FIRST_COLUMNS + extra, rows


def repeat_rows(jobs: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Rows of repeats.csv: every valid repeat's score per dimension, per judge of a panel."""
    rows = []
    for job in jobs:
        record = job.get("record") or {}
        judged = record.get("judges") or {record.get("llm_model"): record}
        for judge, payload in judged.items():
            overalls = payload.get("scores_all") or []
            for i, subs in enumerate(payload.get("subscores_all") or []):
                for dim, score in (subs or {}).items():
                    rows.append(
                        {"run_id": job.get("run_id"), "job_id": job.get("job_id"),
                         "judge": judge, "repeat": i,
                         "overall": overalls[i] if i < len(overalls) else None,
                         "dimension": dim, "score": score}
                    )  # fmt: skip
    return rows


def write_csv(path: Path, columns: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> None:
    """An atomic UTF-8-with-BOM CSV; lists and dicts as JSON, formula-looking text neutralised."""
    with atomic_writer(path, encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(columns)
        for row in rows:
            writer.writerow(
                [
                    safe_cell(json.dumps(v, ensure_ascii=False))
                    if isinstance(v, (list, dict))
                    else safe_cell(v)
                    for v in (row.get(c) for c in columns)
                ]
            )
