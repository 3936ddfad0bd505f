"""The report's view of a run's controls (``report.json`` → ``controls``):

    {
      "summary": "controls: 38/40 pairs right (0.95 [0.85, 1.00]); finish not discriminating",
      "judges": {JUDGE: {"accuracy": {"overall"|DIM: {value, low, high, n, right,
                                                       discriminating}},
                         "by_kind": {KIND: {accuracy, median_margin,
                                            expected_dimensions: {DIM: {accuracy, moved}}}},
                         "not_discriminating": [...]}},
      "ceilings": {JUDGE: {PRODUCT: gt score}},
      "products": [{"product": KEY, "controls": [{control, judge, status, overall, error,
                                                  source_product, render}]}],
      "gate": {"fail_under": A, "judges": [...], "accuracy": lowest, "passed": bool} | null
    }

``accuracy.value`` is the share of (gt, negative) pairs of one product where the gt scored
higher, ties half; ``low``/``high`` its 95 % bootstrap interval. None when the run judged no
controls. Each job also gets ``relative_to_gt``: its score over its product's ceiling.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from driver.pipeline.controls import control_scores, read_control_rows
from driver.results.thumbs import ensure_thumbnail, thumbnail_path
from driver.ssot.workspace import UnsafePathError, Workspace
from rubric import OVERALL, control_figures, relative_to_gt, summary_line


def _render(ws: Workspace, row: dict[str, str]) -> str | None:
    """The workspace-relative thumbnail of the control's first view, made if missing."""
    if not row.get("artifacts_dir"):
        return None
    try:
        renders = ws.resolve(row["artifacts_dir"]) / "renders"
    except UnsafePathError:
        return None
    views = sorted(renders.glob("00_*.png")) if renders.is_dir() else []
    if not views or ensure_thumbnail(views[0]) is None:
        return None
    return ws.rel(thumbnail_path(views[0]))


def _products(ws: Workspace, rows: list[dict[str, str]]) -> list[dict[str, Any]]:
    by_product: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by_product.setdefault(r["product"], []).append(
            {
                "control": r["control"],
                "judge": r["judge"],
                "status": r["status"],
                "overall": float(r["vfscore_overall"]) if r.get("vfscore_overall") else None,
                "error": r.get("error") or None,
                "source_product": r.get("source_product") or None,
                "render": _render(ws, r),
            }
        )
    return [{"product": k, "controls": v} for k, v in sorted(by_product.items())]


def controls_report(
    ws: Workspace,
    run_id: str,
    dimensions: Sequence[str],
    run_judges: Sequence[str],
    fail_under: float | None = None,
) -> dict[str, Any] | None:
    """``report.json``'s ``controls`` (see the module docstring); the gate applies to the run's
    own judges (``run_judges``, else every judge with pairs)."""
    rows = read_control_rows(ws, run_id)
    if not rows:
        return None
    figures = control_figures(control_scores(rows), dimensions)
    gate = None
    if fail_under is not None:
        judged = [j for j in run_judges if j in figures["judges"]] or list(figures["judges"])
        values = [figures["judges"][j]["accuracy"][OVERALL]["value"] for j in judged]
        known = [v for v in values if v is not None]
        lowest = min(known) if known else None
        passed = lowest is not None and lowest >= fail_under
        gate = {"fail_under": fail_under, "judges": judged, "accuracy": lowest, "passed": passed}
    return {
        "summary": summary_line(figures),
        **figures,
        "products": _products(ws, rows),
        "gate": gate,
    }


def add_relative_to_gt(jobs: list[dict[str, Any]], controls: dict[str, Any] | None) -> None:
    """Set each job's ``relative_to_gt``: its score over its product's ceiling by its judge."""
    ceilings = (controls or {}).get("ceilings") or {}
    for job in jobs:
        record = job.get("record") or {}
        product = (
            f"{job.get('product_id')}/{job.get('variant')}"
            if job.get("variant")
            else str(job.get("product_id") or "")
        )
        ceiling = (ceilings.get(str(record.get("llm_model"))) or {}).get(product)
        job["relative_to_gt"] = relative_to_gt(job.get("vfscore_overall"), ceiling)
