"""`vfscore agreement` and `vfscore ratings import`: how well each judge agrees with the people
who rated, as a table and a JSON file; ratings made elsewhere loaded into the workspace."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from blender_addon.contract.atomic import write_json_atomic
from driver.agreement.evidence import read_evidence
from driver.agreement.store import RatingError
from driver.agreement.summary import agreement_report
from driver.cli.console import stderr_console, stdout_console
from driver.ratings.importer import import_ratings
from driver.results.layout import AGREEMENT_JSON, results_dir
from driver.ssot.table_merge import TableFormatError
from driver.ssot.workspace import UnsafePathError, Workspace, WorkspaceError, check_id
from driver.ssot.workspace import open_workspace as open_ws
from rubric import RubricError, load_rubric

EXIT_OK, EXIT_BAD_ARGS = 0, 2


def agreement_path(ws: Workspace, run_ids: Sequence[str]) -> Path:
    """Where the JSON goes: the run's metrics folder for one run (the run report shows it),
    else the workspace's logs."""
    if len(run_ids) == 1:
        return results_dir(ws, run_ids[0]) / AGREEMENT_JSON
    return ws.root / "logs" / "vfscore_agreement.json"


def _cell(figure: dict[str, Any], digits: int = 2) -> str:
    if figure["value"] is None:
        return f"- (n={figure['n']})"
    interval = (
        ""
        if figure["low"] is None
        else f" [{figure['low']:.{digits}f}, {figure['high']:.{digits}f}]"
    )
    return f"{figure['value']:.{digits}f}{interval} n={figure['n']}"


def _print(report: dict[str, Any], out: Console) -> None:
    people = report["people"]
    out.print(f"{len(people['raters'])} rater(s), {people['ratings']} rating(s), "
              f"{people['comparisons']} comparison(s)", highlight=False)  # fmt: skip
    for judge, dims in report["judges"].items():
        table = Table(title=f"judge {judge} vs people (95 % bootstrap CI)")
        for col in ("dimension", "Spearman rho", "Kendall tau", "pairwise accuracy",
                    "repeat std", "flip rate"):  # fmt: skip
            table.add_column(col)
        for dim, f in dims.items():
            table.add_row(dim, _cell(f["spearman"]), _cell(f["kendall"]),
                          _cell(f["pairwise_accuracy"]), _cell(f["repeat_std"], 1),
                          _cell(f["flip_rate"]))  # fmt: skip
        out.print(table)
    table = Table(title="people: inter-rater reliability (Krippendorff's alpha)")
    table.add_column("dimension")
    table.add_column("alpha")
    for dim, f in people["krippendorff_alpha"].items():
        table.add_row(dim, _cell(f))
    out.print(table)


def run_agreement_command(
    workspace: Path | None, run_ids: Sequence[str], judge: str | None, rubric: Path | None,
    json_out: Path | None,
) -> int:  # fmt: skip
    """Print the agreement table and write the JSON; exit 2 when there is nothing to measure."""
    err, out = stderr_console(), stdout_console()
    try:
        ws = open_ws(workspace)
        for run in run_ids:
            check_id(run, "run_id")
        evidence = read_evidence(ws, run_ids, load_rubric(rubric) if rubric else load_rubric())
    except (WorkspaceError, UnsafePathError, RubricError, TableFormatError, OSError) as exc:
        err.print(f"vfscore agreement: {exc}", highlight=False)
        return EXIT_BAD_ARGS
    if not evidence.ratings and not evidence.comparisons:
        err.print("vfscore agreement: no human ratings for these runs yet: rate with `vfscore "
                  "rate`, or load some with `vfscore ratings import`", highlight=False)  # fmt: skip
        return EXIT_BAD_ARGS
    if judge is not None and judge not in evidence.judges:
        known = ", ".join(sorted(evidence.judges)) or "none"
        err.print(f"vfscore agreement: no scores by judge {judge!r} (judges found: {known})",
                  highlight=False)  # fmt: skip
        return EXIT_BAD_ARGS
    report = agreement_report(evidence, judge)
    _print(report, out)
    target = json_out or agreement_path(ws, run_ids)
    target.parent.mkdir(parents=True, exist_ok=True)
    write_json_atomic(target, report)
    out.print(f"written: {target}", highlight=False)
    return EXIT_OK


def run_import_command(workspace: Path | None, file: Path, rubric: Path | None) -> int:
    """`vfscore ratings import`; exit 2 when the file is refused (nothing appended)."""
    err, out = stderr_console(), stdout_console()
    try:
        ws = open_ws(workspace)
        dims = (load_rubric(rubric) if rubric else load_rubric()).names
        done = import_ratings(ws, file, dims)
    except (WorkspaceError, RubricError, RatingError, TableFormatError, OSError) as exc:
        err.print(f"vfscore ratings import: {exc}", highlight=False)
        return EXIT_BAD_ARGS
    out.print(f"imported {done.rows} row(s) into {ws.rel(done.table)}", highlight=False)
    return EXIT_OK
