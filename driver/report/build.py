"""Building the report of a run: collect, summarise, write report.json, the CSVs and the page."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from blender_addon.contract.atomic import atomic_writer, write_json_atomic
from driver.agreement.evidence import read_evidence
from driver.agreement.summary import agreement_report
from driver.report.controls import add_relative_to_gt, controls_report
from driver.report.html import render_html
from driver.report.model import (
    SCHEMA_VERSION,
    STATUSES,
    aggregate_status,
    compare_algorithms,
    job_entry,
)
from driver.report.tables import REPEAT_COLUMNS, repeat_rows, score_rows, write_csv
from driver.results.jobs import read_jobs
from driver.results.layout import THUMBS, report_dir, results_dir
from driver.results.manifest import latest_manifest
from driver.ssot.metrics_log import utc_timestamp
from driver.ssot.workspace import Workspace
from rubric import load_rubric


def _summary(jobs: Sequence[dict[str, Any]], dims: list[str]) -> dict[str, Any]:
    records = [j["record"] for j in jobs if j.get("record")]
    first = records[0] if records else {}
    rubric = first.get("rubric") or {}
    render = first.get("render_settings") or {}
    costs = [r.get("cost_usd") for r in records]
    return {
        "counts": {s: sum(1 for j in jobs if j["status"] == s) for s in STATUSES},
        "skip_reasons": dict(Counter(j["skip_reason"] for j in jobs if j.get("skip_reason"))),
        "judges": sorted({str(r.get("llm_model")) for r in records}),
        "rubric": f"{rubric.get('id')} {rubric.get('version')} (hash {rubric.get('hash')})"
        if rubric
        else None,
        "render": (
            f"{render.get('camera', {}).get('preset')} · {render.get('resolution')} px · "
            f"{render.get('samples')} spp · spec hash {render.get('spec_hash')}"
        )
        if render
        else None,
        # Which device rendered how many of the jobs: a GPU run that fell back is visible here.
        "devices": dict(Counter(str(r.get("device") or "unknown") for r in records)),
        "versions": f"vfscore {first.get('tool_version')} · Blender {first.get('blender_version')}"
        if first
        else None,
        "tokens": {
            k: sum(int((r.get("tokens") or {}).get(k) or 0) for r in records)
            for k in ("input", "output")
        },
        "cost_usd": None if None in costs or not costs else round(sum(costs), 6),
        "dimensions": dims,
    }


def _view(job: dict[str, Any]) -> dict[str, Any]:
    """What the page needs of a job (the full record stays in report.json)."""
    record = job.get("record") or {}
    keep = ("vf_subscores_median", "scores_all", "iqr", "std", "llm_model")
    return {
        **{k: job.get(k) for k in ("job_id", "product_id", "variant", "algo", "status",
                                    "vfscore_overall", "error", "root_error", "retry_hint",
                                    "skip_reason", "paths", "rationales")},
        "record": {k: record.get(k) for k in keep} if record else None,
    }  # fmt: skip


def _agreement(ws: Workspace, run_id: str) -> dict[str, Any] | None:
    """How well the run's judges agree with the people who rated its jobs; None before anyone
    has."""
    evidence = read_evidence(ws, [run_id], load_rubric())
    if not evidence.ratings and not evidence.comparisons:
        return None
    return agreement_report(evidence)


def build_report(
    ws: Workspace,
    run_id: str,
    *,
    fail_under: float | None = None,
    only_status: Sequence[str] = ("completed",),
    use_images_from: str = "used",
    fail_under_controls: float | None = None,
) -> dict[str, Any]:
    """Write ``runs/<run>/metrics/vfscore/report/`` and return report.json's content."""
    out = report_dir(ws, run_id)
    out.mkdir(parents=True, exist_ok=True)
    jobs = [
        {**job_entry(j.row, j.record, j.error, fail_under, only_status, j.paths),
         "rationales": j.rationales}
        for j in read_jobs(ws, run_id, use_images_from, out / THUMBS)
    ]  # fmt: skip
    dims = sorted({d for j in jobs for d in ((j.get("record") or {}).get("vf_subscores_median")
                                             or {})}) or load_rubric().names  # fmt: skip
    manifest = latest_manifest(results_dir(ws, run_id)) or {}
    summary = _summary(jobs, dims)
    controls = controls_report(ws, run_id, dims, summary["judges"], fail_under_controls)
    add_relative_to_gt(jobs, controls)
    status = aggregate_status([j["status"] for j in jobs if j["selected"]])
    if controls and controls["gate"] and not controls["gate"]["passed"] and status == "pass":
        status = "fail"
    report: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "run_id": run_id,
        "generated": utc_timestamp(),
        "started": manifest.get("started"),
        "ended": manifest.get("ended"),
        "options": {
            **(manifest.get("options") or {}),
            "fail_under": fail_under,
            "fail_under_controls": fail_under_controls,
        },
        "aggregate_status": status,
        "summary": summary,
        "controls": controls,
        "algorithms": compare_algorithms(jobs, dims),
        "agreement": _agreement(ws, run_id),
        "jobs": jobs,
    }
    write_json_atomic(out / "report.json", report)
    columns, rows = score_rows(jobs)
    write_csv(out / "scores.csv", columns, rows)
    write_csv(out / "repeats.csv", REPEAT_COLUMNS, repeat_rows(jobs))
    page = render_html({**report, "jobs_view": [_view(j) for j in jobs]},
                       root=Path(os.path.relpath(ws.root, out)).as_posix() + "/")  # fmt: skip
    with atomic_writer(out / "index.html") as f:
        f.write(page)
    return report
