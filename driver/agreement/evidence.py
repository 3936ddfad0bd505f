"""Everything agreement is computed from, read from a workspace: people's current ratings and
comparisons, each job's product, each judge's stored scores and repeats (a panel's members
too), and the pairwise tournaments' verdicts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from driver.agreement.store import PAIRS_CSV, RATINGS_CSV, current, read_ratings
from driver.results.layout import RECORD_JSON, TOURNAMENTS, results_dir
from driver.results.records import read_json_object
from driver.ssot.table_io import read_table
from driver.ssot.workspace import UnsafePathError, Workspace, check_id
from rubric import Rubric

JobKey = tuple[str, str]  # (run_id, job_id)


@dataclass
class Evidence:
    dimensions: list[str]
    weights: dict[str, float]
    ratings: list[dict[str, str]] = field(default_factory=list)
    comparisons: list[dict[str, str]] = field(default_factory=list)
    groups: dict[JobKey, str] = field(default_factory=dict)
    judges: dict[str, dict[JobKey, dict[str, Any]]] = field(default_factory=dict)
    tournaments: list[dict[str, Any]] = field(default_factory=list)


def judge_entries(record: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Judge → its overall score, per-dimension medians and repeats, from one stored result (a
    panel's members as well as the panel)."""
    out = {str(record.get("llm_model")): {
        "overall": record.get("vfscore_overall"),
        "dimensions": record.get("vf_subscores_median") or {},
        "scores_all": record.get("scores_all") or [],
        "subscores_all": record.get("subscores_all") or [],
    }}  # fmt: skip
    for name, member in (record.get("judges") or {}).items():
        out[str(name)] = {
            "overall": member.get("vfscore_overall_median"),
            "dimensions": member.get("vf_subscores_median") or {},
            "scores_all": member.get("scores_all") or [],
            "subscores_all": member.get("subscores_all") or [],
        }
    return out


def read_evidence(ws: Workspace, run_ids: Sequence[str], rubric: Rubric) -> Evidence:
    """The evidence of ``run_ids`` (all runs that have ratings when empty)."""
    tables = ws.root / "tables"
    ratings = [dict(r) for r in current(read_ratings(tables / RATINGS_CSV))]
    comparisons = [dict(r) for r in current(read_ratings(tables / PAIRS_CSV))]
    runs = set(run_ids) or {r["run_id"] for r in ratings + comparisons}
    ev = Evidence(rubric.names, rubric.weights,
                  [r for r in ratings if r["run_id"] in runs],
                  [c for c in comparisons if c["run_id"] in runs])  # fmt: skip
    if not ws.generations_csv.is_file():
        return ev
    table = read_table(ws.generations_csv)
    for _, series in table[table["run_id"].isin(sorted(runs))].iterrows():
        run, job = str(series["run_id"]), str(series["job_id"])
        ev.groups[(run, job)] = f"{series.get('product_id') or ''}/{series.get('variant') or ''}"
        try:
            record = read_json_object(
                ws.job_metrics_dir(run, check_id(job, "job_id")) / RECORD_JSON
            )
        except UnsafePathError:
            continue
        if record is None or series.get("vf_status") != "ok":
            continue
        for judge, entry in judge_entries(record).items():
            ev.judges.setdefault(judge, {})[(run, job)] = entry
    for run in sorted(runs):
        folder = results_dir(ws, run) / TOURNAMENTS
        for path in sorted(folder.glob("*.json")):
            if (record := read_json_object(path)) is not None:
                ev.tournaments.append(record)
    return ev
