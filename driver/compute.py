"""`vfscore compute`: select rows, render and judge them in overlapping pools, upsert the scores.

Only this coordinator writes generations.csv (through the batched writer). Workers return results
over a queue. Renders run in one pool (Blender processes, --max-parallel of them), judging in
another (the judge's own concurrency), so rendering job k+1 overlaps judging job k.
"""

from __future__ import annotations

import json
import os
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from driver.batched_upsert import BatchedUpserter
from driver.evaluator import (
    RATIONALES,
    EvaluationError,
    EvaluatorSettings,
    RenderStage,
    VFScoreRequest,
    VFScoreResponse,
    failure,
    judge_stage,
    load_finished,
    render_stage,
    write_success,
)
from driver.metrics_log import append_log_record, utc_timestamp
from driver.selection import Candidate, select_jobs
from driver.table_io import read_table
from driver.workspace import Workspace
from rubric.errors import FatalJudgeError
from rubric.offline import OfflineJudge

KEY_COLUMNS = ["run_id", "job_id"]
MAX_ERROR_CHARS = 2000


class ComputeError(Exception):
    """The run cannot start (no table, bad options)."""


@dataclass(frozen=True)
class ComputeOptions:
    run_id: str
    only_status: frozenset[str] = frozenset({"completed"})
    use_images_from: str = "used"
    repeats: int = 3
    redo: bool = False
    max_parallel: int = 1
    timeout_s: float | None = None
    dry_run: bool = False
    jobs: str | None = None
    limit: int | None = None
    flush_rows: int = 200
    flush_seconds: float = 30.0


@dataclass
class ComputeSummary:
    n_selected: int = 0
    ok: int = 0
    error: int = 0
    recovered: int = 0
    not_evaluated: int = 0
    skip_reasons: Counter[str] = field(default_factory=Counter)
    render_times: list[float] = field(default_factory=list)
    scoring_times: list[float] = field(default_factory=list)
    log_line: str = ""

    @property
    def processed(self) -> int:
        return self.ok + self.error

    @property
    def skipped(self) -> int:
        return sum(self.skip_reasons.values())


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


def one_line(text: str) -> str:
    return " ".join(text.split())[:MAX_ERROR_CHARS]


def score_row(
    ws: Workspace, c: Candidate, payload: dict[str, Any], dimensions: list[str]
) -> dict[str, Any]:
    """The VF columns of a scored job, from its canonical payload."""
    row: dict[str, Any] = dict.fromkeys(vf_columns(dimensions))
    subs = payload.get("vf_subscores_median") or {}
    rubric = payload.get("rubric") or {}
    row.update(
        run_id=c.run_id,
        job_id=c.job_id,
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
        vf_rationales_dir=ws.rel(ws.job_metrics_dir(c.run_id, c.job_id) / RATIONALES),
        vf_status="ok",
        vf_error=None,
    )
    for d in dimensions:
        row[f"vf_{d}"] = subs.get(d)
    return row


def error_row(
    run_id: str, job_id: str, message: str, dimensions: list[str], config_hash: str
) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(vf_columns(dimensions))
    row.update(
        run_id=run_id,
        job_id=job_id,
        vf_status="error",
        vf_error=one_line(message),
        vf_config_hash=config_hash,
    )
    return row


def _render_workers(max_parallel: int) -> int:
    return max(1, min(max_parallel, os.cpu_count() or 1))


def _judge_workers(settings: EvaluatorSettings) -> int:
    if isinstance(settings.judge, OfflineJudge):
        return 1  # CPU-bound and fast; more threads only fight the renders for the cores
    cfg = getattr(settings.judge, "cfg", None)
    return max(1, int(getattr(cfg, "max_concurrent", 1)))


def run_compute(
    ws: Workspace,
    opts: ComputeOptions,
    settings: EvaluatorSettings,
    on_progress: Callable[[str, int], None] | None = None,
) -> ComputeSummary:
    """Run one compute pass; ``on_progress(event, total)`` is told about each finished job."""
    if not ws.generations_csv.is_file():
        raise ComputeError(f"{ws.rel(ws.generations_csv)} does not exist in workspace {ws.root}")
    table = read_table(ws.generations_csv)
    missing = [
        c for c in ("run_id", "job_id", "status", "gen_object_path") if c not in table.columns
    ]
    if missing:
        raise ComputeError(f"{ws.rel(ws.generations_csv)} has no column(s) {', '.join(missing)}")
    sel = select_jobs(
        ws,
        table,
        opts.run_id,
        only_status=set(opts.only_status),
        use_images_from=opts.use_images_from,
        jobs=opts.jobs,
        redo=opts.redo,
        limit=opts.limit,
    )
    summary = ComputeSummary(n_selected=sel.n_selected, skip_reasons=sel.skip_reasons)
    dims = settings.judge.rubric.names
    if not opts.dry_run:
        with BatchedUpserter(
            ws.generations_csv,
            KEY_COLUMNS,
            flush_rows=opts.flush_rows,
            flush_seconds=opts.flush_seconds,
        ) as writer:
            _process(
                ws,
                opts,
                settings,
                sel.candidates,
                sel.input_errors,
                writer,
                summary,
                dims,
                on_progress,
            )
    summary.log_line = append_log_record(ws.metrics_log, _log_record(opts, settings, summary))
    return summary


def _process(
    ws: Workspace,
    opts: ComputeOptions,
    settings: EvaluatorSettings,
    candidates: list[Candidate],
    input_errors: list[Any],
    writer: BatchedUpserter,
    summary: ComputeSummary,
    dims: list[str],
    on_progress: Callable[[str, int], None] | None,
) -> None:
    total = len(candidates) + len(input_errors)

    def tick(event: str) -> None:
        if on_progress is not None:
            on_progress(event, total)

    for e in input_errors:
        writer.add(error_row(e.run_id, e.job_id, e.reason, dims, settings.config_hash))
        summary.error += 1
        tick("error")

    todo: list[Candidate] = []
    for c in candidates:
        finished = None if opts.redo else load_finished(ws.job_metrics_dir(c.run_id, c.job_id))
        if finished is not None:
            # A crash after result.json but before the table flush: rebuild the row from it.
            writer.add(score_row(ws, c, finished, dims))
            summary.ok += 1
            summary.recovered += 1
            tick("ok")
        else:
            todo.append(c)
    if not todo:
        return

    results: queue.Queue[tuple[Candidate, VFScoreResponse | None]] = queue.Queue()
    cancel = threading.Event()
    fatal: list[FatalJudgeError] = []

    def request(c: Candidate) -> VFScoreRequest:
        return VFScoreRequest(
            c.glb,
            c.refs,
            ws.job_metrics_dir(c.run_id, c.job_id),
            opts.repeats,
            opts.timeout_s,
            ws.root,
        )

    def do_render(c: Candidate) -> None:
        if fatal or cancel.is_set():
            results.put((c, None))
            return
        req = request(c)
        start = time.perf_counter()
        try:
            stage = render_stage(req, settings, cancel)
        except EvaluationError as exc:
            results.put((c, failure(req, settings, str(exc))))
            return
        except Exception as exc:  # never lose a job to an unexpected error
            results.put((c, failure(req, settings, f"internal error while rendering: {exc!r}")))
            return
        judges.submit(do_judge, c, req, stage, start)

    def do_judge(c: Candidate, req: VFScoreRequest, stage: RenderStage, start: float) -> None:
        if fatal or cancel.is_set():
            results.put((c, None))
            return
        try:
            if opts.timeout_s is not None and time.perf_counter() - start > opts.timeout_s:
                raise EvaluationError(f"timeout: the job took longer than {opts.timeout_s:g}s")
            judged, scoring_s = judge_stage(req, settings, stage.views)
            results.put((c, write_success(req, settings, stage, judged, scoring_s)))
        except FatalJudgeError as exc:
            fatal.append(exc)
            results.put((c, None))
        except EvaluationError as exc:
            results.put((c, failure(req, settings, str(exc), stage.seconds)))
        except Exception as exc:
            results.put(
                (c, failure(req, settings, f"internal error while judging: {exc!r}", stage.seconds))
            )

    renders = ThreadPoolExecutor(_render_workers(opts.max_parallel), thread_name_prefix="render")
    judges = ThreadPoolExecutor(_judge_workers(settings), thread_name_prefix="judge")
    try:
        for c in todo:
            renders.submit(do_render, c)
        for _ in todo:
            c, resp = results.get()
            if resp is None:
                reason = fatal[0] if fatal else "the run was interrupted"
                message = (
                    f"not evaluated: {reason} — nothing was retried; fix it and rerun "
                    f"`vfscore compute --run-id {opts.run_id}` (finished jobs are kept)"
                )
                writer.add(error_row(c.run_id, c.job_id, message, dims, settings.config_hash))
                summary.error += 1
                summary.not_evaluated += 1
                tick("not evaluated")
            elif resp.ok and resp.payload is not None:
                writer.add(score_row(ws, c, resp.payload, dims))
                summary.ok += 1
                summary.render_times.append(resp.render_runtime_s or 0.0)
                summary.scoring_times.append(resp.scoring_runtime_s or 0.0)
                tick("ok")
            else:
                writer.add(
                    error_row(
                        c.run_id,
                        c.job_id,
                        resp.error or "unknown error",
                        dims,
                        settings.config_hash,
                    )
                )
                summary.error += 1
                tick("error")
    except BaseException:
        cancel.set()
        raise
    finally:
        renders.shutdown(wait=True, cancel_futures=True)
        judges.shutdown(wait=True, cancel_futures=True)


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 3) if values else None


def _log_record(
    opts: ComputeOptions, settings: EvaluatorSettings, s: ComputeSummary
) -> dict[str, Any]:
    return {
        "event": "compute_vfscore",
        "timestamp": utc_timestamp(),
        "run_id": opts.run_id,
        "n_selected": s.n_selected,
        "processed": s.processed,
        "ok": s.ok,
        "error": s.error,
        "skipped": s.skipped,
        "avg_render_runtime_s": _mean(s.render_times),
        "avg_scoring_runtime_s": _mean(s.scoring_times),
        "repeats": opts.repeats,
        "use_images_from": opts.use_images_from,
        "redo": opts.redo,
        "max_parallel": opts.max_parallel,
        "dry_run": opts.dry_run,
        "skip_reasons": dict(sorted(s.skip_reasons.items())),
        "recovered_from_result_json": s.recovered,
        "not_evaluated": s.not_evaluated,
        "judge": settings.judge.provenance,
        "config_hash": settings.config_hash,
    }
