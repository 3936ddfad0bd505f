"""What the report says, as plain data: each job's status and values, the run's aggregate status,
and the comparison of algorithms. Pure logic: rows and records in, dicts out."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

SCHEMA_VERSION = 1
STATUSES = ("pass", "fail", "error", "not_evaluated_after_error", "skipped")
NOT_EVALUATED = "not evaluated: "
BOOTSTRAP = 1000


def job_status(row: Mapping[str, Any], fail_under: float | None) -> str:
    """pass | fail | error | not_evaluated_after_error | skipped, from the row's VF columns."""
    status = row.get("vf_status")
    if status == "ok":
        score = float(row.get("vfscore_overall") or 0)
        return "fail" if fail_under is not None and score < fail_under else "pass"
    if status == "error":
        if str(row.get("vf_error") or "").startswith(NOT_EVALUATED):
            return "not_evaluated_after_error"
        return "error"
    return "skipped"


def aggregate_status(statuses: Sequence[str]) -> str:
    """error > fail > pass > skipped: error if any selected job errored or was not evaluated;
    fail if any scored job is under the threshold; pass if one passed and none failed; skipped
    when nothing was selected."""
    present = set(statuses)
    if present & {"error", "not_evaluated_after_error"}:
        return "error"
    if "fail" in present:
        return "fail"
    if "pass" in present:
        return "pass"
    return "skipped"


def split_not_evaluated(message: str) -> tuple[str, str]:
    """(root error, retry hint) of a ``not evaluated: <root> — <hint>`` message."""
    body = message[len(NOT_EVALUATED) :] if message.startswith(NOT_EVALUATED) else message
    root, _, hint = body.partition(" — ")
    return root.strip(), hint.strip()


def skip_reason(row: Mapping[str, Any], only_status: Sequence[str]) -> str:
    """Why a row of the run has no VF result."""
    status = row.get("status")
    if status not in only_status:
        return f"status {status or 'empty'}"
    return "not scored yet (not selected, or the run stopped before it)"


def job_entry(
    row: Mapping[str, Any],
    record: Mapping[str, Any] | None,
    error_record: Mapping[str, Any] | None,
    fail_under: float | None,
    only_status: Sequence[str],
    paths: Mapping[str, Any],
) -> dict[str, Any]:
    """One job of the report: identity, status, scores, the full stored record, artifact paths
    (workspace-relative)."""
    status = job_status(row, fail_under)
    entry: dict[str, Any] = {
        "run_id": row.get("run_id"),
        "job_id": row.get("job_id"),
        "product_id": row.get("product_id"),
        "variant": row.get("variant"),
        "algo": row.get("algo"),
        "selected": status != "skipped",
        "status": status,
        "vfscore_overall": _number(row.get("vfscore_overall")),
        "error": row.get("vf_error") if status in ("error", "not_evaluated_after_error") else None,
        "record": dict(record) if record else None,
        "error_record": dict(error_record) if error_record else None,
        "paths": dict(paths),
    }
    if status == "not_evaluated_after_error":
        entry["root_error"], entry["retry_hint"] = split_not_evaluated(str(row.get("vf_error")))
    if status == "skipped":
        entry["skip_reason"] = skip_reason(row, only_status)
    return entry


def _number(value: Any) -> float | None:
    try:
        return None if value in (None, "") else float(value)
    except (TypeError, ValueError):
        return None


def median_ci(values: Sequence[float], seed: int = 0) -> dict[str, float | int | None]:
    """Median with a 95 % percentile-bootstrap interval (deterministic seed)."""
    if not values:
        return {"n": 0, "median": None, "low": None, "high": None}
    arr = np.asarray(values, dtype=np.float64)
    rng = random.Random(seed)
    boots = sorted(
        float(np.median([arr[rng.randrange(len(arr))] for _ in arr])) for _ in range(BOOTSTRAP)
    )
    return {
        "n": len(arr),
        "median": float(np.median(arr)),
        "low": boots[int(0.025 * BOOTSTRAP)],
        "high": boots[int(0.975 * BOOTSTRAP) - 1],
    }


def compare_algorithms(
    jobs: Sequence[Mapping[str, Any]], dimensions: Sequence[str]
) -> dict[str, Any]:
    """Per algorithm: the overall and per-dimension medians with 95 % CIs, and its win rate
    against each other algorithm within products (ties count half)."""
    scored = [j for j in jobs if j["status"] in ("pass", "fail") and j.get("record")]
    by_algo: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for j in scored:
        by_algo[str(j.get("algo") or "unknown")].append(j)
    out: dict[str, Any] = {}
    for algo, members in sorted(by_algo.items()):
        subs = [j["record"].get("vf_subscores_median") or {} for j in members]
        out[algo] = {
            "overall": median_ci([float(j["vfscore_overall"]) for j in members]),
            "dimensions": {
                d: median_ci([float(s[d]) for s in subs if s.get(d) is not None])
                for d in dimensions
            },
        }
    products: dict[str, dict[str, float]] = defaultdict(dict)
    for j in scored:
        key = f"{j.get('product_id')}/{j.get('variant') or ''}"
        products[key][str(j.get("algo") or "unknown")] = float(j["vfscore_overall"])
    for algo in out:
        wins: dict[str, dict[str, float | int | None]] = {}
        for other in out:
            if other == algo:
                continue
            games = [
                1.0 if p[algo] > p[other] else 0.5 if p[algo] == p[other] else 0.0
                for p in products.values()
                if algo in p and other in p
            ]
            rate = round(sum(games) / len(games), 4) if games else None
            wins[other] = {"products": len(games), "win_rate": rate}
        out[algo]["win_rate_vs"] = wins
    return out
