"""The columns VFScore owns in generations.csv and the rows it writes into them. Pure logic."""

from __future__ import annotations

import json
from typing import Any

# SSOT.md: vf_error is a single line of at most about 2000 characters.
MAX_ERROR_CHARS = 2000


def one_line(text: str) -> str:
    """``text`` on one line (whitespace runs collapsed), cut to :data:`MAX_ERROR_CHARS`."""
    return " ".join(text.split())[:MAX_ERROR_CHARS]


def vf_columns(dimensions: list[str]) -> list[str]:
    """The columns VFScore owns, in the order they are appended to the table."""
    return [
        "vfscore_overall",
        *[f"vf_{d}" for d in dimensions],
        "vf_repeats_n",
        "vf_iqr",
        "vf_std",
        "vf_llm_model",
        "vf_rubric_json",
        "vf_render_runtime_s",
        "vf_scoring_runtime_s",
        "vf_config_hash",
        "vf_rationales_dir",
        "vf_status",
        "vf_error",
    ]


def score_row(
    run_id: str, job_id: str, payload: dict[str, Any], dimensions: list[str], rationales_dir: str
) -> dict[str, Any]:
    """The VF columns of a scored job, from its canonical payload (result.json)."""
    row: dict[str, Any] = dict.fromkeys(vf_columns(dimensions))
    subs = payload.get("vf_subscores_median") or {}
    rubric = payload.get("rubric") or {}
    row.update(
        run_id=run_id,
        job_id=job_id,
        vfscore_overall=payload["vfscore_overall_median"],
        vf_repeats_n=payload.get("repeats_n"),
        vf_iqr=payload.get("iqr"),
        vf_std=payload.get("std"),
        vf_llm_model=payload.get("llm_model"),
        vf_rubric_json=json.dumps(
            {
                "id": rubric.get("id"),
                "version": rubric.get("version"),
                "weights": payload.get("rubric_weights"),
            },
            separators=(",", ":"),
        ),
        vf_render_runtime_s=payload.get("render_runtime_s"),
        vf_scoring_runtime_s=payload.get("scoring_runtime_s"),
        vf_config_hash=payload.get("config_hash"),
        vf_rationales_dir=rationales_dir,
        vf_status="ok",
        vf_error=None,
    )
    for d in dimensions:
        row[f"vf_{d}"] = subs.get(d)
    return row


PAIRWISE_COLUMNS = [
    "vf_pairwise_strength",
    "vf_pairwise_low",
    "vf_pairwise_high",
    "vf_pairwise_rank",
    "vf_pairwise_group_size",
    "vf_pairwise_comparisons",
    "vf_pairwise_flip_rate",
    "vf_pairwise_model",
    "vf_pairwise_file",
    "vf_pairwise_status",
    "vf_pairwise_error",
]


def pairwise_row(
    run_id: str, job_id: str, result: dict[str, Any], model: str, file: str
) -> dict[str, Any]:
    """The pairwise columns of a job ranked in its product's tournament (``result``: strength,
    low, high, rank, group_size, comparisons, flip_rate)."""
    row: dict[str, Any] = dict.fromkeys(PAIRWISE_COLUMNS)
    row.update({f"vf_pairwise_{k}": result[k] for k in (
        "strength", "low", "high", "rank", "group_size", "comparisons", "flip_rate")})  # fmt: skip
    row.update(
        run_id=run_id,
        job_id=job_id,
        vf_pairwise_model=model,
        vf_pairwise_file=file,
        vf_pairwise_status="ok",
    )
    return row


def pairwise_error_row(run_id: str, job_id: str, message: str) -> dict[str, Any]:
    """The pairwise columns of a job that could not be ranked: blanked, the reason kept."""
    row: dict[str, Any] = dict.fromkeys(PAIRWISE_COLUMNS)
    row.update(
        run_id=run_id,
        job_id=job_id,
        vf_pairwise_status="error",
        vf_pairwise_error=one_line(message),
    )
    return row


def error_row(
    run_id: str, job_id: str, message: str, dimensions: list[str], config_hash: str
) -> dict[str, Any]:
    """The VF columns of a job that could not be scored: every score blanked, the reason kept."""
    row: dict[str, Any] = dict.fromkeys(vf_columns(dimensions))
    row.update(
        run_id=run_id,
        job_id=job_id,
        vf_status="error",
        vf_error=one_line(message),
        vf_config_hash=config_hash,
    )
    return row
