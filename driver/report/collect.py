"""Reading a run back for the report: its rows in generations.csv, each job's stored record and
error, rationales, and the paths of its renders, photos and history (workspace-relative)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from driver.pipeline.artifacts import ERROR_JSON, RATIONALES, RECORD_JSON
from driver.report.model import job_entry
from driver.report.thumbs import ensure_thumbnail, thumbnail_path
from driver.ssot.table_io import read_table
from driver.ssot.workspace import UnsafePathError, Workspace, check_id

HISTORY = "_history"
PHOTO_SLOTS = 6


def read_json_object(path: Path) -> dict[str, Any] | None:
    """The JSON object in ``path``; None when it is missing, unreadable or not an object."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _rel(ws: Workspace, path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        return ws.rel(path)
    except (ValueError, UnsafePathError):
        return None


def _photos(
    ws: Workspace, row: dict[str, Any], use: str, report_dir: Path
) -> list[dict[str, str | None]]:
    photos = []
    for k in range(1, PHOTO_SLOTS + 1):
        value = row.get(f"{use}_image_{k}_path")
        if not isinstance(value, str) or not value:
            continue
        try:
            path = ws.resolve(value)
        except UnsafePathError:
            continue
        # Photos are not the run's to change: their thumbnails live in the report's folder.
        name = hashlib.sha256(value.encode()).hexdigest()[:20]
        thumb = ensure_thumbnail(path, report_dir / "thumbs" / f"{name}.jpg")
        photos.append({"image": value, "thumb": _rel(ws, thumb)})
    return photos


def _views(ws: Workspace, out_dir: Path, record: dict[str, Any] | None) -> list[dict[str, Any]]:
    views = []
    for name in (record or {}).get("renders") or []:
        png = out_dir / name
        thumb = thumbnail_path(png)
        if not thumb.exists():
            thumb = ensure_thumbnail(png) or png
        views.append({"image": _rel(ws, png), "thumb": _rel(ws, thumb)})
    return views


def read_rationales(out_dir: Path) -> list[str]:
    """The texts of the judge's repeats, in repeat order."""
    folder = out_dir / RATIONALES
    files = sorted(folder.glob("rep_*.txt"), key=lambda p: int(p.stem.split("_")[1]))
    return [p.read_text(encoding="utf-8", errors="replace") for p in files]


def collect_jobs(
    ws: Workspace,
    run_id: str,
    fail_under: float | None,
    only_status: Sequence[str],
    use_images_from: str,
    report_dir: Path,
) -> list[dict[str, Any]]:
    """Every row of ``run_id`` as a report entry."""
    table = read_table(ws.generations_csv)
    jobs = []
    for _, series in table.iterrows():
        row = {str(k): v for k, v in series.items() if v is not None}
        if row.get("run_id") != run_id:
            continue
        try:
            out_dir = ws.job_metrics_dir(run_id, check_id(str(row.get("job_id")), "job_id"))
        except UnsafePathError:
            out_dir = None
        scored = row.get("vf_status") == "ok" and out_dir is not None
        record = read_json_object(out_dir / RECORD_JSON) if scored and out_dir else None
        error = read_json_object(out_dir / ERROR_JSON) if out_dir and not scored else None
        history = sorted((out_dir / HISTORY).glob("*")) if out_dir else []
        paths = {
            "artifacts_dir": _rel(ws, out_dir),
            "record": _rel(ws, out_dir / RECORD_JSON) if record and out_dir else None,
            "views": _views(ws, out_dir, record) if out_dir else [],
            "photos": _photos(ws, row, use_images_from, report_dir),
            "history": [_rel(ws, h) for h in history],
        }
        entry = job_entry(row, record, error, fail_under, only_status, paths)
        entry["rationales"] = read_rationales(out_dir) if record and out_dir else []
        jobs.append(entry)
    return jobs
