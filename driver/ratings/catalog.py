"""The jobs of a run as the inspector shows them: photos and standard views (served by token,
never by a path from the request), the judge's scores read at the moment they are shown, and the
snapshot stored with each rating."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from blender_addon.contract.digest import sha256_file
from driver.agreement.evidence import judge_entries
from driver.results.jobs import read_jobs
from driver.results.layout import RECORD_JSON, THUMBS, report_dir
from driver.ssot.workspace import Workspace
from rubric import Rubric


@dataclass(frozen=True)
class Image:
    token: str  # what the page asks for: /img/<token>
    rel: str  # workspace-relative path
    path: Path


@dataclass(frozen=True)
class Job:
    job_id: str
    group: str  # product_id/variant: jobs compared in pairs share it
    algo: str
    photos: tuple[Image, ...]
    views: tuple[Image, ...]
    record_path: Path


@dataclass
class Catalog:
    """The rateable jobs of one run (scored, with views and photos)."""

    ws: Workspace
    run_id: str
    rubric: Rubric
    jobs: dict[str, Job]
    images: dict[str, Image] = field(default_factory=dict)
    _sha: dict[tuple[str, int, int], str] = field(default_factory=dict)

    @property
    def groups(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for job in self.jobs.values():
            out.setdefault(job.group, []).append(job.job_id)
        return out

    def sha256(self, image: Image) -> str:
        """The image's sha256, cached while its size and mtime stay the same."""
        st = image.path.stat()
        key = (image.rel, st.st_size, st.st_mtime_ns)
        if key not in self._sha:
            self._sha[key] = sha256_file(image.path)
        return self._sha[key]


def _image(ws: Workspace, rel: str | None) -> Image | None:
    if not rel:
        return None
    token = hashlib.sha256(rel.encode()).hexdigest()[:24]
    return Image(token, rel, ws.root / rel)


def load_catalog(ws: Workspace, run_id: str, rubric: Rubric) -> Catalog:
    """Every scored job of the run with at least one view and one photo."""
    stored = read_jobs(ws, run_id, "used", report_dir(ws, run_id) / THUMBS)
    catalog = Catalog(ws, run_id, rubric, {})
    for e in stored:
        paths, row = e.paths, e.row
        photos = [_image(ws, p.get("image")) for p in paths["photos"]]
        views = [_image(ws, v.get("image")) for v in paths["views"]]
        if row.get("vf_status") != "ok" or not any(photos) or not any(views):
            continue
        job = Job(
            job_id=str(row["job_id"]),
            group=f"{row.get('product_id') or ''}/{row.get('variant') or ''}",
            algo=str(row.get("algo") or ""),
            photos=tuple(p for p in photos if p),
            views=tuple(v for v in views if v),
            record_path=ws.root / str(paths["artifacts_dir"]) / RECORD_JSON,
        )
        catalog.jobs[job.job_id] = job
        for image in (*job.photos, *job.views):
            catalog.images[image.token] = image
    return catalog


def judge_scores(record: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each judge of a stored result (a panel's members too) → its overall score and
    per-dimension medians."""
    return {
        judge: {"overall": e["overall"], "dimensions": e["dimensions"]}
        for judge, e in judge_entries(record).items()
    }


def snapshot(
    catalog: Catalog, jobs: Sequence[Job], records: Sequence[dict[str, Any]], blind: bool
) -> dict[str, Any]:
    """What was in front of the rater: per job the judges' scores at this moment, the rubric and
    render spec the scores were made with, the sha256 of every image shown; the inspector's rubric
    and whether the judge's scores were hidden until the rating was submitted."""
    rubric = catalog.rubric
    return {
        "blind": blind,
        "rubric": {"id": rubric.id, "version": rubric.version, "hash": rubric.rubric_hash()},
        "jobs": {
            job.job_id: {
                "judges": judge_scores(record),
                "rubric": record.get("rubric"),
                "spec_hash": (record.get("render_settings") or {}).get("spec_hash"),
                "images": {i.rel: catalog.sha256(i) for i in (*job.photos, *job.views)},
            }
            for job, record in zip(jobs, records, strict=True)
        },
    }
