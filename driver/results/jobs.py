"""Reading a run back (for the report and the inspector): its rows in generations.csv, each
job's stored record and error, rationales, and the paths of its renders, photos and history
(workspace-relative)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from driver.results.layout import ERROR_JSON, RECORD_JSON
from driver.results.records import history, read_json_object, read_rationales
from driver.results.thumbs import ensure_thumbnail, thumbnail_path
from driver.ssot.table_io import read_table
from driver.ssot.workspace import UnsafePathError, Workspace, check_id

PHOTO_SLOTS = 6


@dataclass(frozen=True)
class StoredJob:
    """One row of a run and what its job folder holds."""

    row: dict[str, Any]
    record: dict[str, Any] | None  # the stored record of a scored job
    error: dict[str, Any] | None  # error.json of a job that is not scored
    paths: dict[str, Any]  # artifacts_dir, record, views, photos, history: workspace-relative
    rationales: list[str] = field(default_factory=list)


def _rel(ws: Workspace, path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        return ws.rel(path)
    except (ValueError, UnsafePathError):
        return None


def _photos(
    ws: Workspace, row: dict[str, Any], use: str, thumbs_dir: Path
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
        thumb = ensure_thumbnail(path, thumbs_dir / f"{name}.jpg")
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


def read_jobs(
    ws: Workspace, run_id: str, use_images_from: str, thumbs_dir: Path
) -> list[StoredJob]:
    """Every row of ``run_id`` with its job folder's contents; photo thumbnails go to
    ``thumbs_dir`` (photos are not the run's to change)."""
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
        paths = {
            "artifacts_dir": _rel(ws, out_dir),
            "record": _rel(ws, out_dir / RECORD_JSON) if record and out_dir else None,
            "views": _views(ws, out_dir, record) if out_dir else [],
            "photos": _photos(ws, row, use_images_from, thumbs_dir),
            "history": [_rel(ws, h) for h in history(out_dir)] if out_dir else [],
        }
        rationales = read_rationales(out_dir) if record and out_dir else []
        jobs.append(StoredJob(row, record, error, paths, rationales))
    return jobs
