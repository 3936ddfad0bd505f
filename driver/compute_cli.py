"""The console side of `vfscore compute`: options, progress bar, summary, exit status."""

from __future__ import annotations

import sys
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from driver.compute import ComputeError, ComputeOptions, run_compute
from driver.config_file import ConfigFileError, compute_defaults, read_config_file
from driver.run_settings import build_settings, response_cache_dir
from driver.workspace import UnsafePathError, WorkspaceError, check_id, open_workspace
from rubric.config import JudgeConfigError
from rubric.definition import RubricError

EXIT_OK, EXIT_JOB_ERRORS, EXIT_CANNOT_START = 0, 1, 2


def run_compute_command(
    *,
    workspace: Path | None,
    run_id: str,
    jobs: str | None,
    only_status: str | None,
    use_images_from: str | None,
    repeats: int | None,
    redo: bool,
    max_parallel: int | None,
    timeout_s: float | None,
    dry_run: bool,
    judge: str | None,
    preset: str | None,
    config: Path | None,
    limit: int | None,
) -> int:
    err = Console(stderr=True)
    out = Console()
    try:
        ws = open_workspace(workspace)
        check_id(run_id, "run_id")
        defaults = compute_defaults(read_config_file(config).get("compute", {}))
        opts = ComputeOptions(
            run_id=run_id,
            only_status=frozenset(
                s.strip() for s in (only_status or defaults.only_status).split(",") if s.strip()
            ),
            use_images_from=use_images_from or defaults.use_images_from,
            repeats=repeats if repeats is not None else defaults.repeats,
            redo=redo,
            max_parallel=max_parallel if max_parallel is not None else defaults.max_parallel,
            timeout_s=timeout_s if timeout_s is not None else defaults.timeout_s,
            dry_run=dry_run,
            jobs=jobs,
            limit=limit,
            flush_rows=defaults.flush_rows,
            flush_seconds=defaults.flush_seconds,
        )
        if opts.use_images_from not in ("used", "source"):
            raise ConfigFileError(
                f"--use-images-from must be 'used' or 'source', not {opts.use_images_from!r}"
            )
        if opts.repeats < 1 or opts.max_parallel < 1:
            raise ConfigFileError("--repeats and --max-parallel must be at least 1")
        settings, _ = build_settings(
            config,
            judge,
            preset,
            response_cache_dir(ws, run_id),
            redo,
            extra={
                "repeats": opts.repeats,
                "use_images_from": opts.use_images_from,
                "timeout_s": opts.timeout_s,
            },
        )
    except (
        WorkspaceError,
        UnsafePathError,
        ConfigFileError,
        JudgeConfigError,
        RubricError,
        ValueError,
        TypeError,
    ) as exc:
        err.print(f"[red]vfscore compute: {exc}[/red]", highlight=False)
        return EXIT_CANNOT_START
    if settings.judge.provenance.startswith("offline:"):
        err.print(
            "No LLM judge configured: scoring with the offline judge "
            f"({settings.judge.provenance}).",
            highlight=False,
        )
    else:
        err.print(f"Judge: {settings.judge.provenance}", highlight=False)

    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[last]}"),
        console=err,
        transient=False,
    )
    task = None

    def on_progress(event: str, total: int) -> None:
        nonlocal task
        if task is None:
            task = progress.add_task(f"run {run_id}", total=total, last="")
        progress.update(task, advance=1, last=event)

    try:
        with progress:
            summary = run_compute(ws, opts, settings, on_progress)
    except ComputeError as exc:
        err.print(f"[red]vfscore compute: {exc}[/red]", highlight=False)
        return EXIT_CANNOT_START
    except KeyboardInterrupt:
        err.print("Interrupted: finished jobs were written; rerun the same command to continue.")
        return 130

    skipped = ", ".join(f"{n} {r}" for r, n in sorted(summary.skip_reasons.items())) or "none"
    mode = "dry run: nothing rendered or written" if opts.dry_run else "scored"
    out.print(
        f"{mode} — selected {summary.n_selected}, ok {summary.ok}, error {summary.error}, "
        f"skipped {summary.skipped} ({skipped})",
        highlight=False,
    )
    if summary.recovered:
        out.print(
            f"{summary.recovered} job(s) taken from an earlier result.json "
            "(not re-rendered or re-judged)"
        )
    if not opts.dry_run:
        out.print(f"table:     {ws.generations_csv}", highlight=False)
        out.print(f"artifacts: {ws.run_dir(run_id) / 'metrics' / 'vfscore'}", highlight=False)
    out.print(f"log:       {ws.metrics_log}", highlight=False)
    sys.stdout.flush()
    return EXIT_JOB_ERRORS if summary.error else EXIT_OK
