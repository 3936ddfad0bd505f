"""`vfscore compute`: select rows, render and judge them in overlapping pools, upsert the scores.

Only this coordinator writes generations.csv (through the batched writer). Renders run in one
pool (Blender processes, --max-parallel of them), judging in another (the judge's own
concurrency), so rendering job k+1 overlaps judging job k.

Bookkeeping is total: every job is a future until the coordinator has written its row, and a
future can only end with a value or an exception, both of which become that job's row. An
interruption (Ctrl-C, SIGTERM) cancels the pools, kills every Blender, writes the rows of the
jobs that finished and logs the run as interrupted.
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ThreadPoolExecutor, wait
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from driver.config.schema import ComputeRequest
from driver.config.settings import RunSettings
from driver.pipeline.artifacts import JobPlace, load_finished, write_success
from driver.pipeline.cluster import ClusterError, ClusterLost, open_cluster
from driver.pipeline.control_plan import ControlPlan, plan_controls, plan_products
from driver.pipeline.controls import (
    ENTRANT,
    ControlContext,
    ControlOutcome,
    run_controls,
    tournament_controls,
    tournament_entrants,
)
from driver.pipeline.cost import RunEstimate, estimate_pairwise, estimate_run
from driver.pipeline.evaluator import check_deadline
from driver.pipeline.pairwise import pairwise_pass
from driver.pipeline.selection import (
    Candidate,
    Selection,
    SelectionError,
    job_matcher,
    select_jobs,
)
from driver.pipeline.stages import EvaluationError, RenderStage, Runner, judge_stage, render_stage
from driver.results.layout import RECORD_JSON, TOURNAMENTS, results_dir
from driver.results.records import archive_previous, record_failure
from driver.ssot.batched_upsert import BatchedUpserter, TableWriteError
from driver.ssot.metrics_log import append_log_record, utc_timestamp
from driver.ssot.table_io import lock_path_for, read_table
from driver.ssot.table_merge import TableFormatError
from driver.ssot.vf_columns import error_row, pairwise_error_row, pairwise_row, score_row
from driver.ssot.workspace import Workspace
from rubric import Entrant, FatalJudgeError, panel_agreement, redact

KEY_COLUMNS = ["run_id", "job_id"]
REQUIRED_COLUMNS = ("run_id", "job_id", "status", "gen_object_path")


class ComputeError(Exception):
    """The run cannot start (no table, bad options)."""


class RunInterrupted(BaseException):
    """Raised in the coordinator's thread to stop the run (SIGTERM; SIGINT is KeyboardInterrupt).

    A BaseException, like KeyboardInterrupt, so that no ``except Exception`` swallows it.
    """

    def __init__(self, signal_name: str) -> None:
        super().__init__(signal_name)
        self.signal_name = signal_name


@dataclass
class ComputeSummary:
    n_selected: int = 0
    ok: int = 0
    error: int = 0
    recovered: int = 0
    not_evaluated: int = 0
    interrupted: str | None = None  # the signal that stopped the run
    table_writes: int = 0  # rewrites of generations.csv (batched: every flush_rows/seconds)
    table_error: str | None = None  # why generations.csv could not be written (results kept)
    log_error: str | None = None  # why logs/metrics.log could not be appended to
    estimate: RunEstimate | None = None  # --dry-run with an LLM judge: what the run would cost
    panel_scores: dict[str, dict[str, int]] = field(default_factory=dict)  # judge → job → score
    tournaments: list[dict[str, Any]] = field(default_factory=list)  # pairwise mode, per product
    cluster: dict[str, Any] | None = None  # --scheduler: address, workers, slots, shared FS
    touched: list[str] = field(default_factory=list)  # job ids whose row this run wrote
    dropped: list[str] = field(default_factory=list)  # job_ids whose row was deleted meanwhile
    duplicate_keys: dict[str, int] = field(default_factory=dict)  # job_id → rows with its key
    skip_reasons: Counter[str] = field(default_factory=Counter)
    controls: ControlOutcome | None = None  # --controls: what they scored, skipped, cost
    control_estimate: RunEstimate | None = None  # --dry-run --controls with an LLM judge
    planned_controls: int = 0  # control jobs of the run (--controls)
    render_times: list[float] = field(default_factory=list)
    scoring_times: list[float] = field(default_factory=list)
    log_line: str = ""

    @property
    def processed(self) -> int:
        return self.ok + self.error

    @property
    def skipped(self) -> int:
        return sum(self.skip_reasons.values())


@dataclass
class _Run:
    """The coordinator's state: what every worker and bookkeeping step needs."""

    ws: Workspace
    opts: ComputeRequest
    settings: RunSettings
    writer: BatchedUpserter
    summary: ComputeSummary
    on_progress: Callable[[str, int], None] | None
    total: int
    cancel: threading.Event = field(default_factory=threading.Event)
    fatal: list[FatalJudgeError] = field(default_factory=list)
    runner: Runner | None = None  # where renders run (None: Blender processes here)
    started: str = field(default_factory=lambda: utc_timestamp().replace(":", "-"))
    render_slots: int = 1  # renders at once: --max-parallel here, the cluster's render slots

    @property
    def dims(self) -> list[str]:
        return self.settings.judge.rubric.names

    def tick(self, event: str) -> None:
        if self.on_progress is not None:
            self.on_progress(event, self.total)

    def ok(self, c: Candidate, payload: dict[str, Any], recovered: bool = False) -> None:
        self.summary.touched.append(c.job_id)
        rationales = self.ws.rel(self.ws.job_metrics_dir(c.run_id, c.job_id) / "rationales")
        for judge, scored in (payload.get("judges") or {}).items():
            if scored.get("vfscore_overall_median") is not None:
                self.summary.panel_scores.setdefault(judge, {})[c.job_id] = scored[
                    "vfscore_overall_median"
                ]
        self.writer.add(score_row(c.run_id, c.job_id, payload, self.dims, rationales))
        self.summary.ok += 1
        if recovered:
            self.summary.recovered += 1
        else:
            self.summary.render_times.append(payload.get("render_runtime_s") or 0.0)
            self.summary.scoring_times.append(payload.get("scoring_runtime_s") or 0.0)
        self.tick("ok")

    def error(self, run_id: str, job_id: str, message: str, event: str = "error") -> None:
        self.summary.touched.append(job_id)
        line = redact(message)
        self.writer.add(error_row(run_id, job_id, line, self.dims, self.settings.config_hash))
        self.summary.error += 1
        if event == "not evaluated":
            self.summary.not_evaluated += 1
        self.tick(event)

    def failed(self, c: Candidate, message: str) -> None:
        """A job that failed: error.json (when its folder can take it) and its error row."""
        self.error(c.run_id, c.job_id, record_failure(self.out_dir(c), message))

    def not_evaluated(self, c: Candidate) -> None:
        """A job skipped because the judge stopped the run (credentials, quota)."""
        reason = self.fatal[0]
        self.error(
            c.run_id,
            c.job_id,
            f"not evaluated: {reason} — nothing was retried; fix it and rerun "
            f"`vfscore compute --run-id {self.opts.run_id}` (finished jobs are kept)",
            "not evaluated",
        )

    def out_dir(self, c: Candidate) -> Path:
        return self.ws.job_metrics_dir(c.run_id, c.job_id)


def run_compute(
    ws: Workspace,
    opts: ComputeRequest,
    settings: RunSettings,
    on_progress: Callable[[str, int], None] | None = None,
) -> ComputeSummary:
    """Run one compute pass; ``on_progress(event, total)`` is told about each finished job.

    An interruption (KeyboardInterrupt, :class:`RunInterrupted`) ends the pass early: the
    finished jobs are written and logged, ``summary.interrupted`` names the signal.
    """
    table = _read_generations(ws)
    _check_places(ws, opts)
    try:
        sel = select_jobs(
            ws,
            table,
            opts.run_id,
            only_status=set(opts.only_status),
            use_images_from=opts.use_images_from,
            jobs=opts.jobs,
            redo=opts.redo,
            limit=opts.limit,
            mode=opts.mode,
        )
    except SelectionError as exc:
        raise ComputeError(str(exc)) from None
    summary = ComputeSummary(
        n_selected=sel.n_selected,
        skip_reasons=sel.skip_reasons,
        duplicate_keys=sel.duplicate_keys,
    )
    plan = _control_plan(ws, table, opts) if opts.controls else None
    if opts.dry_run:
        _dry_run(ws, sel, plan, settings, opts, summary)
    else:
        _scored_pass(_Pass(ws, opts, settings, summary, on_progress), sel, plan)
    try:
        summary.log_line = append_log_record(ws.metrics_log, _log_record(opts, settings, summary))
    except OSError as exc:
        summary.log_error = f"{ws.rel(ws.metrics_log)} could not be appended to: {exc}"
    return summary


def _dry_run(
    ws: Workspace,
    sel: Selection,
    plan: ControlPlan | None,
    settings: RunSettings,
    opts: ComputeRequest,
    summary: ComputeSummary,
) -> None:
    """What the run would do and cost: counts and estimates only."""
    summary.planned_controls = len(plan.jobs) if plan else 0
    entrants = [] if plan is None or opts.mode != "pairwise" else [
        Candidate(opts.run_id, ENTRANT + j.control, j.model, j.product.photos, (), j.product.key)
        for j in plan.jobs
    ]  # fmt: skip
    summary.estimate = _estimate(ws, sel.candidates + entrants, settings, opts)
    if plan is not None and opts.mode == "absolute":
        summary.control_estimate = _control_estimate(plan, settings, opts)


@dataclass(frozen=True)
class _Pass:
    """What a scoring pass is given."""

    ws: Workspace
    opts: ComputeRequest
    settings: RunSettings
    summary: ComputeSummary
    on_progress: Callable[[str, int], None] | None


def _scored_pass(p: _Pass, sel: Selection, plan: ControlPlan | None) -> None:
    """Render, judge and write every selected job (and the controls), on this machine or a
    cluster; an interruption or a table that cannot be written ends it with what is done."""
    opts, summary = p.opts, p.summary
    # insert=False: a row archi3D deleted while its job ran must not come back as a ghost.
    writer = BatchedUpserter(
        p.ws.generations_csv,
        KEY_COLUMNS,
        flush_rows=opts.flush_rows,
        flush_seconds=opts.flush_seconds,
        insert=False,
    )
    try:
        with writer, ExitStack() as stack:
            run = _Run(p.ws, opts, p.settings, writer, summary, p.on_progress, sel.n_selected)
            run.render_slots = opts.max_parallel
            if opts.scheduler:
                try:
                    cluster = stack.enter_context(
                        open_cluster(opts.scheduler, p.ws.root, opts.max_parallel)
                    )
                except ClusterError as exc:
                    raise ComputeError(str(exc)) from None
                run.runner, run.render_slots = cluster["runner"], cluster["slots"]
                summary.cluster = cluster["info"]
            if opts.mode == "pairwise":
                _pairwise(run, sel, plan)
            else:
                _absolute(run, sel, plan)
    except KeyboardInterrupt:
        summary.interrupted = "SIGINT"
    except (RunInterrupted, ClusterLost) as exc:
        summary.interrupted = exc.signal_name
    except TableWriteError as exc:
        summary.table_error = str(exc)
    summary.table_writes = writer.flushes
    summary.dropped = [key[1] for key in writer.dropped]


def _absolute(run: _Run, sel: Selection, plan: ControlPlan | None) -> None:
    """A score per job: the selected jobs, then the controls (unless the judge gave up)."""
    run.summary.planned_controls = len(plan.jobs) if plan else 0
    run.total += run.summary.planned_controls
    for e in sel.input_errors:
        run.error(e.run_id, e.job_id, e.reason)
    _process(run, _recover_finished(run, sel.candidates))
    if plan is not None and not run.fatal:
        run.summary.controls = run_controls(_control_context(run), plan)


def _estimate(
    ws: Workspace, candidates: list[Candidate], settings: RunSettings, opts: ComputeRequest
) -> RunEstimate | None:
    """What the judge would cost for the jobs a real run would judge (finished ones excluded)."""
    if opts.mode == "pairwise":
        return estimate_pairwise(candidates, settings, opts.max_pairs)
    todo = [
        c
        for c in candidates
        if opts.redo
        or load_finished(ws.job_metrics_dir(c.run_id, c.job_id), c.glb, c.refs, settings) is None
    ]
    return estimate_run(todo, settings, opts.repeats, len(candidates) - len(todo))


def _control_plan(ws: Workspace, table: Any, opts: ComputeRequest) -> ControlPlan:
    """The run's controls: its products are those of the rows ``--only-status`` and ``--jobs``
    keep, scored or not."""
    matcher = job_matcher(opts.jobs)

    def keep(row: Any) -> bool:
        return row.get("status") in opts.only_status and (
            matcher is None or matcher(str(row.get("job_id") or ""))
        )

    products = plan_products(ws, table, opts.run_id, opts.use_images_from, keep)
    return plan_controls(ws, opts.run_id, products)


def _control_context(run: _Run) -> ControlContext:
    o = run.opts
    return ControlContext(
        run.ws, o.run_id, run.settings, o.repeats, o.timeout_s, o.redo, run.render_slots,
        run.cancel, run.runner, run.tick,
    )  # fmt: skip


def _control_estimate(
    plan: ControlPlan, settings: RunSettings, opts: ComputeRequest
) -> RunEstimate | None:
    """What judging the controls would cost (finished ones excluded)."""
    todo = [
        Candidate(opts.run_id, j.control, j.model, j.product.photos)
        for j in plan.jobs
        if opts.redo or not (j.out_dir / RECORD_JSON).is_file()
    ]
    return estimate_run(todo, settings, opts.repeats, len(plan.jobs) - len(todo))


def _check_places(ws: Workspace, opts: ComputeRequest) -> None:
    """The files and folders the run will write, checked before the first job: a folder where
    the log should be, or a file where the artifacts go, is one clear error, not N job errors."""
    log, lock = ws.metrics_log, lock_path_for(ws.generations_csv)
    if log.exists() and not log.is_file():
        raise ComputeError(f"{ws.rel(log)} is not a regular file (the run's log goes there)")
    if lock.is_dir():
        raise ComputeError(f"{ws.rel(lock)} is a folder: it must be the table's lock file")
    if opts.dry_run:
        return
    artifacts = results_dir(ws, opts.run_id)
    try:
        artifacts.mkdir(parents=True, exist_ok=True)
        probe = artifacts / f".vfscore-write-probe-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise ComputeError(
            f"cannot write the run's artifacts in {ws.rel(artifacts)}: {exc.strerror or exc}"
        ) from None


def _read_generations(ws: Workspace) -> Any:
    if not ws.generations_csv.is_file():
        raise ComputeError(f"{ws.rel(ws.generations_csv)} does not exist in workspace {ws.root}")
    try:
        table = read_table(ws.generations_csv)
    except (OSError, TableFormatError) as exc:
        raise ComputeError(f"cannot read {ws.rel(ws.generations_csv)}: {exc}") from None
    missing = [c for c in REQUIRED_COLUMNS if c not in table.columns]
    if missing:
        raise ComputeError(f"{ws.rel(ws.generations_csv)} has no column(s) {', '.join(missing)}")
    return table


def _recover_finished(run: _Run, candidates: list[Candidate]) -> list[Candidate]:
    """Write the rows of jobs whose result.json exists (a crash after it, before the flush);
    return the others."""
    todo = []
    for c in candidates:
        finished = (
            None if run.opts.redo else load_finished(run.out_dir(c), c.glb, c.refs, run.settings)
        )
        if finished is not None:
            run.ok(c, finished, recovered=True)
        else:
            todo.append(c)
    return todo


@dataclass(frozen=True)
class _Rendered:
    stage: RenderStage
    start: float


def _render(run: _Run, c: Candidate) -> _Rendered | None:
    """Render stage of one job (a pool task); None when the run stopped before it began."""
    if run.fatal or run.cancel.is_set():
        return None
    if run.opts.redo:
        archive_previous(run.out_dir(c), run.started)
    start = time.perf_counter()
    stage = render_stage(
        c.glb, run.out_dir(c), run.opts.timeout_s, run.settings, run.cancel, run.runner, c.refs
    )
    return _Rendered(stage, start)


def _judge(run: _Run, c: Candidate, rendered: _Rendered) -> dict[str, Any] | None:
    """Judge stage of one job (a pool task): the payload, or None when the run stopped."""
    if run.fatal or run.cancel.is_set():
        return None
    check_deadline(rendered.start, run.opts.timeout_s)
    try:
        judged, scoring_s = judge_stage(
            c.refs, run.opts.repeats, run.settings, rendered.stage.views, rendered.stage.matched
        )
    except FatalJudgeError as exc:
        run.fatal.append(exc)
        return None
    place = JobPlace(run.out_dir(c), c.refs, run.ws.root, None, c.warnings, "given")
    return write_success(place, run.settings, rendered.stage, judged, scoring_s)


def _settle(run: _Run, c: Candidate, fut: Future[Any], judges: Executor) -> Future[Any] | None:
    """Turn a finished task into the job's row, or into its next task (returned)."""
    try:
        value = fut.result()
    except EvaluationError as exc:
        run.failed(c, str(exc))
        return None
    except Exception as exc:  # a bug or an OS error in one job must not stop the others
        run.failed(c, f"internal error: {exc!r}")
        return None
    if isinstance(value, _Rendered):
        return judges.submit(_judge, run, c, value)
    if value is None:
        run.not_evaluated(c)
    else:
        run.ok(c, value)
    return None


def _process(run: _Run, todo: list[Candidate]) -> None:
    if not todo:
        return
    renders = ThreadPoolExecutor(run.render_slots, "render")
    judges = ThreadPoolExecutor(run.settings.judge.concurrency, "judge")
    pending: dict[Future[Any], Candidate] = {renders.submit(_render, run, c): c for c in todo}
    try:
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                c = pending.pop(fut)
                follow_up = _settle(run, c, fut, judges)
                if follow_up is not None:
                    pending[follow_up] = c
    except BaseException:
        run.cancel.set()  # every running Blender is killed within one poll interval
        raise
    finally:
        renders.shutdown(wait=True, cancel_futures=True)
        judges.shutdown(wait=True, cancel_futures=True)


def _pairwise(run: _Run, sel: Selection, plan: ControlPlan | None = None) -> None:
    """Pairwise mode: renders, then one tournament per product; pairwise columns only. With
    ``plan``, each product's controls join its tournament (their strengths go to the controls
    table)."""
    judge = run.settings.judge.pairwise()
    if judge is None:
        raise ComputeError("--mode pairwise needs an LLM judge: pass --judge PROVIDER:MODEL")
    folder = results_dir(run.ws, run.opts.run_id) / TOURNAMENTS

    def failed(c: Candidate, message: str) -> None:
        line = record_failure(run.out_dir(c), message) if run.out_dir(c).exists() else message
        run.writer.add(pairwise_error_row(c.run_id, c.job_id, redact(line)))
        run.summary.error += 1
        run.tick("error")

    def ok(c: Candidate, result: dict[str, Any], path: Path) -> None:
        run.writer.add(pairwise_row(c.run_id, c.job_id, result, judge.provenance, run.ws.rel(path)))
        run.summary.ok += 1
        run.tick("ok")

    def render(c: Candidate) -> list[Path]:
        return render_stage(
            c.glb, run.out_dir(c), run.opts.timeout_s, run.settings, run.cancel, run.runner
        ).views

    for e in sel.input_errors:
        run.writer.add(pairwise_error_row(e.run_id, e.job_id, redact(e.reason)))
        run.summary.error += 1
        run.tick("error")
    ctx, outcome = _control_context(run), ControlOutcome()
    by_group: dict[str, list[Any]] = {}
    for job in plan.jobs if plan else []:
        by_group.setdefault(job.product.key, []).append(job)
    rendered: dict[str, list[Any]] = {}
    records: list[dict[str, Any]] = []

    def extras(group: str) -> list[Entrant]:
        rendered[group] = tournament_entrants(ctx, by_group.get(group, []), outcome)
        return [Entrant(ENTRANT + job.control, tuple(views)) for job, views in rendered[group]]

    try:
        records += pairwise_pass(
            sel.candidates, render, judge, max_parallel=run.render_slots,
            max_pairs=run.opts.max_pairs, folder=folder, ok=ok, failed=failed, extras=extras,
        )  # fmt: skip
    except FatalJudgeError as exc:
        run.fatal.append(exc)
        return
    finally:
        if plan is not None:
            run.summary.controls = tournament_controls(ctx, plan, records, rendered, outcome)
    run.summary.tournaments = [
        {"group": r["group"], "candidates": len(r["candidates"]), "flip_rate": r["flip_rate"],
         "cost_usd": r["cost_usd"]} for r in records
    ]  # fmt: skip


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 3) if values else None


def _log_record(opts: ComputeRequest, settings: RunSettings, s: ComputeSummary) -> dict[str, Any]:
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
        "interrupted": s.interrupted,
        "table_writes": s.table_writes,
        "table_error": s.table_error,
        "rows_deleted_meanwhile": s.dropped,
        "duplicate_keys": s.duplicate_keys,
        "estimate": None if s.estimate is None else s.estimate.__dict__,
        "judge_agreement": panel_agreement(s.panel_scores) if s.panel_scores else None,
        "mode": opts.mode,
        "cluster": s.cluster,
        "tournaments": s.tournaments or None,
        "judge": settings.judge.provenance,
        "config_hash": settings.config_hash,
        "controls": None if s.controls is None else _control_record(s.controls),
    }


def _control_record(c: ControlOutcome) -> dict[str, Any]:
    return {
        "judged": c.judged,
        "reused": c.reused,
        "errors": len(c.errors),
        "skip_reasons": dict(sorted(c.skip_reasons.items())),
        "table_error": c.table_error,
    }
