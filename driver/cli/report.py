"""`vfscore report` and the report at the end of `vfscore compute`: build it, say where it is,
and turn its aggregate status into an exit status CI can gate on."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from driver.cli.console import stderr_console, stdout_console
from driver.report.build import build_report
from driver.results.layout import report_dir
from driver.ssot.table_merge import TableFormatError
from driver.ssot.workspace import UnsafePathError, Workspace, WorkspaceError, check_id
from driver.ssot.workspace import open_workspace as open_ws

EXIT_PASS, EXIT_ERRORS, EXIT_BAD_ARGS, EXIT_FAIL_UNDER = 0, 1, 2, 3
EXIT_BY_STATUS = {"pass": EXIT_PASS, "skipped": EXIT_PASS, "error": EXIT_ERRORS,
                  "fail": EXIT_FAIL_UNDER}  # fmt: skip


def write_report(
    ws: Workspace,
    run_id: str,
    fail_under: float | None,
    only_status: Sequence[str],
    use_images_from: str,
    out: Console,
    fail_under_controls: float | None = None,
) -> str | None:
    """Build the report and print where it is; returns the aggregate status (None when the
    report could not be written: the run's results are not affected)."""
    try:
        report = build_report(
            ws,
            run_id,
            fail_under=fail_under,
            only_status=only_status,
            use_images_from=use_images_from,
            fail_under_controls=fail_under_controls,
        )
    except (OSError, TableFormatError) as exc:
        out.print(f"report NOT written: {exc}", highlight=False)
        return None
    out.print(
        f"report:    {report_dir(ws, run_id) / 'index.html'} "
        f"(aggregate status: {report['aggregate_status']})",
        highlight=False,
    )
    return str(report["aggregate_status"])


def run_report_command(
    workspace: Path | None,
    run_id: str,
    fail_under: float | None,
    only_status: str,
    fail_under_controls: float | None = None,
) -> int:
    """`vfscore report`; exit 0 pass (or nothing selected), 1 a job errored, 2 bad arguments,
    3 a scored job is under --fail-under or the control accuracy under --fail-under-controls."""
    err, out = stderr_console(), stdout_console()
    try:
        ws = open_ws(workspace)
        check_id(run_id, "run_id")
    except (WorkspaceError, UnsafePathError) as exc:
        err.print(f"vfscore report: {exc}", highlight=False)
        return EXIT_BAD_ARGS
    if fail_under is not None and not 0 <= fail_under <= 100:
        err.print(f"vfscore report: --fail-under must be 0 to 100, got {fail_under:g}")
        return EXIT_BAD_ARGS
    if fail_under_controls is not None and not 0 <= fail_under_controls <= 1:
        err.print(
            f"vfscore report: --fail-under-controls must be 0 to 1, got {fail_under_controls:g}"
        )
        return EXIT_BAD_ARGS
    if not ws.generations_csv.is_file():
        err.print(f"vfscore report: {ws.rel(ws.generations_csv)} does not exist", highlight=False)
        return EXIT_BAD_ARGS
    statuses = [s.strip() for s in only_status.split(",") if s.strip()]
    status = write_report(ws, run_id, fail_under, statuses, "used", out, fail_under_controls)
    if status is None:
        return EXIT_ERRORS
    return EXIT_BY_STATUS[status]
