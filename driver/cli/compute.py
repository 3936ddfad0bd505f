"""The console side of `vfscore compute`: options, signals, progress bar, summary, exit status."""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from driver.cli.console import stderr_console, stdout_console
from driver.cli.options import merged
from driver.cli.report import write_report
from driver.config.loader import ConfigError, load_config
from driver.config.schema import ComputeRequest
from driver.config.settings import RunSettings, build_settings
from driver.pipeline.compute import (
    ComputeError,
    ComputeSummary,
    RunInterrupted,
    run_compute,
)
from driver.pipeline.stages import renderer_version
from driver.report.controls import controls_report
from driver.results.layout import results_dir
from driver.results.manifest import write_manifest
from driver.ssot.metrics_log import utc_timestamp
from driver.ssot.workspace import UnsafePathError, Workspace, WorkspaceError, check_id
from driver.ssot.workspace import open_workspace as open_ws
from rubric import JudgeConfigError, RubricError, panel_agreement

EXIT_OK, EXIT_JOB_ERRORS, EXIT_CANNOT_START, EXIT_FAIL_UNDER, EXIT_TABLE_NOT_WRITTEN = 0, 1, 2, 3, 4
# A lost Dask scheduler ends the run like a signal: finished jobs written, rerun to continue.
EXIT_SIGNAL = {"SIGINT": 130, "SIGTERM": 143, "scheduler lost": 75}
# The workspace and config paths are this machine's: the manifest stays workspace-relative.
MACHINE_PATHS = {"workspace", "config"}
START_ERRORS = (WorkspaceError, UnsafePathError, ConfigError, JudgeConfigError, RubricError)


def prepare(given: dict[str, Any], err: Console) -> tuple[Workspace, ComputeRequest, RunSettings]:
    """Everything checked before the first job: workspace, configuration, options, judge."""
    ws = open_ws(given.get("workspace"))
    loaded = load_config(given.get("config"), ws.root)
    err.print(loaded.describe(), highlight=False)
    req = merged(ComputeRequest, given, loaded.file.compute)
    check_id(req.run_id, "run_id")
    settings = build_settings(
        loaded,
        judge_spec=req.judge,
        preset_name=req.preset,
        cache_dir=ws.response_cache_dir(req.run_id),
        redo=req.redo,
        extra={
            "repeats": req.repeats,
            "use_images_from": req.use_images_from,
            "timeout_s": req.timeout_s,
        },
    )
    return ws, req, settings


@contextmanager
def stop_on_signals() -> Iterator[Callable[[], None]]:
    """The first SIGINT raises KeyboardInterrupt and the first SIGTERM :class:`RunInterrupted`
    in this (the main) thread, for the duration of the block; the block gets a function that
    ends that early (the run is over, only its bookkeeping and closing lines are left).

    Any later signal is acknowledged and ignored: the run is already stopping, and what remains
    (writing the finished jobs, the log line, saying what was kept) must not be cut short by a
    second Ctrl-C. SIGINT's handler is installed explicitly: a process started in the background
    by a non-interactive shell inherits SIGINT as ignored, and Python then installs none.
    """
    if threading.current_thread() is not threading.main_thread():
        yield lambda: None
        return
    stopping: list[str] = []

    def on_signal(signum: int, frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        if stopping:
            # os.write: safe wherever the signal lands, even inside a print.
            os.write(2, f"{name} again: already stopping, writing what finished…\n".encode())
            return
        stopping.append(name)
        if signum == signal.SIGINT:
            raise KeyboardInterrupt
        raise RunInterrupted(name)

    previous = {
        signal.SIGINT: signal.signal(signal.SIGINT, on_signal),
        signal.SIGTERM: signal.signal(signal.SIGTERM, on_signal),
    }
    try:
        yield lambda: stopping.append("finished")
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _progress(err: Console, run_id: str) -> tuple[Progress, Any]:
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[last]}", markup=False),
        console=err,
        transient=False,
    )
    task: list[Any] = []

    def on_progress(event: str, total: int) -> None:
        if not task:
            task.append(progress.add_task(f"run {run_id}", total=total, last=""))
        progress.update(task[0], total=total, advance=1, last=event)

    return progress, on_progress


def report(out: Console, ws: Workspace, opts: ComputeRequest, summary: ComputeSummary) -> None:
    """The closing lines: counts, skip reasons, where things are."""
    skipped = ", ".join(f"{n} {r}" for r, n in sorted(summary.skip_reasons.items())) or "none"
    mode = "dry run: nothing rendered or written" if opts.dry_run else "scored"
    out.print(
        f"{mode} — selected {summary.n_selected}, ok {summary.ok}, error {summary.error}, "
        f"skipped {summary.skipped} ({skipped})",
        highlight=False,
    )
    if summary.recovered:
        out.print(
            f"{summary.recovered} job(s) taken from an earlier vfscore_result.json "
            "(not re-rendered or re-judged)"
        )
    for pair in panel_agreement(summary.panel_scores) if summary.panel_scores else []:
        a, b = pair["judges"]
        out.print(
            f"judges {a} and {b} over {pair['jobs']} job(s): Spearman rho {pair['spearman']}, "
            f"Cohen's kappa (5 bands) {pair['cohen_kappa']}",
            highlight=False,
        )
    if opts.dry_run:
        _estimate_lines(out, opts, summary)
    for job_id, n in sorted(summary.duplicate_keys.items()):
        out.print(
            f"warning: the table holds {n} rows for job {job_id!r} of this run (duplicate key; "
            "archi3D's table needs fixing): it was scored once and every copy got the result",
            highlight=False,
        )
    if summary.dropped:
        out.print(
            f"{len(summary.dropped)} result(s) not written to the table: their rows were deleted "
            f"while the run went on ({', '.join(summary.dropped[:5])}"
            f"{', …' if len(summary.dropped) > 5 else ''}); the results stay in their job folders",
            highlight=False,
        )
    _table_lines(out, summary)
    if not opts.dry_run:
        out.print(f"table:     {ws.generations_csv}", highlight=False)
        out.print(f"artifacts: {results_dir(ws, opts.run_id)}", highlight=False)
    out.print(f"log:       {ws.metrics_log}", highlight=False)


def _estimate_lines(out: Console, opts: ComputeRequest, summary: ComputeSummary) -> None:
    """What a dry run would cost: the controls' line and the judge's."""
    if opts.controls:
        if opts.mode == "pairwise":
            cost = "they join their products' tournaments: their pairs are in the estimate below"
        else:
            est = summary.control_estimate
            cost = est.line() if est else "no judge cost"
        out.print(f"controls: {summary.planned_controls} control job(s); {cost}")
    if summary.estimate is not None:
        out.print(summary.estimate.line(), highlight=False)
        out.print(
            "  (the response cache is not consulted: its keys depend on renders that do not "
            "exist before the run; cached answers will make some of these calls free)",
            highlight=False,
        )


def _table_lines(out: Console, summary: ComputeSummary) -> None:
    """What could not be written, and what to do about it."""
    if summary.table_error:
        out.print(
            f"table NOT updated: {summary.table_error}. Every finished job kept its result in "
            "its folder (vfscore_result.json): fix the table and rerun the same command to "
            "write them without re-rendering.",
            highlight=False,
        )
    if summary.log_error:
        out.print(f"log NOT written: {summary.log_error}", highlight=False)


def run_compute_command(given: dict[str, Any]) -> int:
    """`vfscore compute` with the flags ``given`` (by field of :class:`ComputeRequest`; None or
    absent: not given); returns the exit status (0, 1, 2, or 130/143 when interrupted)."""
    err, out = stderr_console(), stdout_console()
    try:
        ws, opts, settings = prepare(given, err)
    except START_ERRORS as exc:
        err.print(f"vfscore compute: {exc}", style="red")
        return EXIT_CANNOT_START
    kind = (
        "No LLM judge configured: scoring with the offline judge"
        if (settings.judge.provenance.startswith("offline:"))
        else "Judge"
    )
    err.print(f"{kind}: {settings.judge.provenance}", highlight=False)
    if settings.judge.provenance.startswith("offline:") and opts.repeats > 1:
        err.print(
            f"note: the offline judge is deterministic; its {opts.repeats} repeats give the same "
            "answer (--repeats 1 is enough)",
            highlight=False,
        )
    with stop_on_signals() as finishing:
        progress, on_progress = _progress(err, opts.run_id)
        started = utc_timestamp()
        try:
            with progress:
                summary = run_compute(ws, opts, settings, on_progress)
        except ComputeError as exc:
            err.print(f"vfscore compute: {exc}", style="red")
            return EXIT_CANNOT_START
        except (KeyboardInterrupt, RunInterrupted) as exc:  # before any job started
            name = exc.signal_name if isinstance(exc, RunInterrupted) else "SIGINT"
            err.print(f"Interrupted ({name}) before any job was written.", highlight=False)
            return EXIT_SIGNAL[name]
        finishing()
        return _close(out, err, (ws, opts, settings, summary), started)


def _close(
    out: Console,
    err: Console,
    run: tuple[Workspace, ComputeRequest, RunSettings, ComputeSummary],
    started: str,
) -> int:
    """After the pass: the closing lines, the manifest, the report and the exit status."""
    ws, opts, settings, summary = run
    report(out, ws, opts, summary)
    control_lines(out, ws, opts.run_id, settings, summary)
    aggregate = None
    gates = opts.fail_under is not None or opts.fail_under_controls is not None
    if not opts.dry_run:
        _manifest(ws, opts, settings, summary, started)
        if not opts.no_report or gates:
            aggregate = write_report(
                ws, opts.run_id, opts.fail_under, sorted(opts.only_status),
                opts.use_images_from, out, opts.fail_under_controls,
            )  # fmt: skip
    sys.stdout.flush()
    if summary.interrupted:
        err.print(
            f"Interrupted ({summary.interrupted}): every Blender of the run was stopped, finished "
            "jobs were written; rerun the same command to continue.",
            highlight=False,
        )
        return EXIT_SIGNAL.get(summary.interrupted, 130)
    if summary.table_error:
        return EXIT_TABLE_NOT_WRITTEN
    if summary.error:
        return EXIT_JOB_ERRORS
    return EXIT_FAIL_UNDER if aggregate == "fail" else EXIT_OK


def control_lines(
    out: Console, ws: Workspace, run_id: str, settings: RunSettings, summary: ComputeSummary
) -> None:
    """What the controls say about the judge, in one line, and what they could not do."""
    c = summary.controls
    if c is None:
        return
    figures = controls_report(ws, run_id, settings.judge.rubric.names, [])
    out.print(figures["summary"] if figures else "controls: none judged")
    skipped = "; ".join(f"{n} {r}" for r, n in sorted(c.skip_reasons.items())) or "none"
    out.print(f"  {c.judged} control(s) judged ({c.reused} reused), skipped: {skipped}")
    for line in c.errors[:5]:
        out.print(f"  control error: {line}")
    if c.fatal is not None:
        out.print(f"  controls stopped: {c.fatal}; rerun to finish them")
    if c.table_error:
        out.print(f"  {c.table_error}; the controls kept their results in their folders")


def _manifest(
    ws: Workspace, opts: ComputeRequest, settings: RunSettings, s: ComputeSummary, started: str
) -> None:
    """The run's manifest (never overwritten); a failure to write it is said, not fatal."""
    data = {
        "run_id": opts.run_id,
        "started": started,
        "ended": utc_timestamp(),
        "options": opts.model_dump(mode="json", exclude=MACHINE_PATHS),
        "config": settings.config,
        "config_hash": settings.config_hash,
        "versions": {"renderer": renderer_version(settings.blender),
                     "judge": settings.judge.provenance},
        "cluster": s.cluster,
        "counts": {"selected": s.n_selected, "ok": s.ok, "error": s.error,
                   "skipped": s.skipped, "recovered": s.recovered},
        "skip_reasons": dict(s.skip_reasons),
        "jobs_touched": s.touched,
        "interrupted": s.interrupted,
    }  # fmt: skip
    try:
        write_manifest(results_dir(ws, opts.run_id), started.replace(":", "-"),
                       data)  # fmt: skip
    except OSError as exc:
        print(f"manifest NOT written: {exc}", file=sys.stderr)
