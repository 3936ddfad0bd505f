"""The ``vfscore`` command line."""

from __future__ import annotations

import platform
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from driver import __version__
from driver.cli.argv import expand_multi_value_options
from driver.cli.options import command_from
from driver.config.schema import MAX_REPEATS, ComputeRequest, ComputeTable
from rubric import DEFAULT_RUBRIC

app = typer.Typer(
    name="vfscore",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@app.callback()
def _root() -> None:
    """VFScore: score the visual fidelity (appearance, not geometry) of generated 3D models
    against reference photos, and record the scores in an archi3D workspace."""


@app.command()
def version() -> None:
    """Print the VFScore version, the Python version and the Blender (bpy) available, if any."""
    from importlib.util import find_spec

    bpy_state = "installed (extra 'render')" if find_spec("bpy") else "not installed"
    typer.echo(f"vfscore {__version__}")
    typer.echo(f"python {platform.python_version()}")
    typer.echo(f"bpy {bpy_state}")


def compute(**given: Any) -> None:
    """Score the rows of one run in tables/generations.csv: render each generated model in the
    standard scene, judge it against the product's photos, and upsert the vf_* columns.

    Exit status: 0 when every selected job was scored (or nothing was selected), 1 when any job
    ended in an error (see vf_error), 2 when the run could not start, 3 when a scored job is
    under --fail-under or the control accuracy under --fail-under-controls, 4 when the table
    could not be written (results kept in the job folders; rerun to write them), 130/143 when
    stopped by Ctrl-C/SIGTERM and 75 when the Dask scheduler went away (finished jobs are
    written; rerun to continue).
    """
    from driver.cli.compute import run_compute_command

    raise typer.Exit(run_compute_command(given))


# Its flags are the fields of ComputeRequest: the [compute] keys and the run's own.
app.command()(command_from(ComputeRequest, ComputeTable, "compute", compute))


@app.command()
def report(
    run_id: Annotated[str, typer.Option("--run-id", help="The run to report on.")],
    workspace: Annotated[
        Path | None,
        typer.Option(help="archi3D workspace root (default: $ARCHI3D_WORKSPACE)."),
    ] = None,
    fail_under: Annotated[
        float | None,
        typer.Option(help="A scored job under this overall score (0-100) fails the report."),
    ] = None,
    only_status: Annotated[
        str, typer.Option(help="Job statuses the run scores (for the skip reasons).")
    ] = "completed",
    fail_under_controls: Annotated[
        float | None,
        typer.Option(help="The report fails when the run's control accuracy (0-1) is under this."),
    ] = None,
) -> None:
    """Write the run's report into runs/<run>/metrics/vfscore/report/: index.html (opens from
    disk), report.json (schema_version, aggregate_status, every job), scores.csv and
    repeats.csv. `vfscore compute` writes it at the end of every run unless --no-report.

    Exit status: 0 pass (or nothing selected), 1 some job errored or was not evaluated, 2 bad
    arguments, 3 some scored job is under --fail-under, or the control accuracy under
    --fail-under-controls.
    """
    from driver.cli.report import run_report_command

    raise typer.Exit(
        run_report_command(workspace, run_id, fail_under, only_status, fail_under_controls)
    )


@app.command()
def rate(
    run_id: Annotated[str, typer.Option("--run-id", help="The run whose jobs to rate.")],
    workspace: Annotated[
        Path | None,
        typer.Option(help="archi3D workspace root (default: $ARCHI3D_WORKSPACE)."),
    ] = None,
    port: Annotated[
        int, typer.Option(min=0, max=65535, help="Port to serve on (0: any free port).")
    ] = 8765,
    host: Annotated[
        str,
        typer.Option(
            help="Address to bind. The default serves this machine only; another address lets "
            "anyone who reaches it read the run and add ratings."
        ),
    ] = "127.0.0.1",
    rater: Annotated[
        str | None, typer.Option(help="Your name, so the page does not ask for it.")
    ] = None,
    rubric: Annotated[
        Path | None,
        typer.Option(
            help="Rubric TOML whose dimensions are rated [default: the built-in appearance rubric]."
        ),
    ] = None,
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help="Serve only; do not open a browser.")
    ] = False,
) -> None:
    """Open the rating inspector: people rate the run's jobs (1-5 per rubric dimension, blind to
    the judge's scores until they submit) or compare two candidates of a product, in the
    browser. Ratings are appended to tables/vfscore_ratings.csv and tables/vfscore_pairs.csv;
    `vfscore agreement` measures how well each judge agrees with them.

    Exit status: 0 stopped with Ctrl-C, 2 the inspector could not start.
    """
    from driver.cli.rate import run_rate_command

    raise typer.Exit(run_rate_command(workspace, run_id, rubric, host, port, rater,
                                      not no_browser))  # fmt: skip


@app.command()
def agreement(
    run_id: Annotated[
        list[str] | None,
        typer.Option("--run-id", help="Runs to measure (repeatable; default: every rated run)."),
    ] = None,
    workspace: Annotated[
        Path | None,
        typer.Option(help="archi3D workspace root (default: $ARCHI3D_WORKSPACE)."),
    ] = None,
    judge: Annotated[
        str | None,
        typer.Option(help="Only this judge (as in vf_llm_model, e.g. offline:appearance-1.0)."),
    ] = None,
    rubric: Annotated[Path | None, typer.Option(help="Rubric TOML the ratings follow.")] = None,
    json_out: Annotated[
        Path | None,
        typer.Option(
            "--json",
            help="Where to write the JSON [default: the run's metrics "
            "folder for one run, else logs/vfscore_agreement.json].",
        ),
    ] = None,
) -> None:
    """How well each judge agrees with people, per dimension and overall: Spearman rho and
    Kendall tau of the judge's score against the mean human rating, pairwise accuracy (does the
    judge order two candidates of a product as people did), people's inter-rater reliability
    (Krippendorff's alpha), the judge's repeat std and, for pairwise runs, its flip rate; each
    with n and a 95 % bootstrap interval.

    Exit status: 0 measured, 2 nothing to measure or bad arguments.
    """
    from driver.cli.agreement import run_agreement_command

    raise typer.Exit(run_agreement_command(workspace, run_id or [], judge, rubric, json_out))


ratings_app = typer.Typer(no_args_is_help=True, help="Human ratings kept in the workspace.")
app.add_typer(ratings_app, name="ratings")


@ratings_app.command("import")
def ratings_import(
    file: Annotated[Path, typer.Argument(help="CSV of ratings (or comparisons) made elsewhere.")],
    workspace: Annotated[
        Path | None,
        typer.Option(help="archi3D workspace root (default: $ARCHI3D_WORKSPACE)."),
    ] = None,
    rubric: Annotated[Path | None, typer.Option(help="Rubric TOML the ratings follow.")] = None,
) -> None:
    """Append ratings made elsewhere to tables/vfscore_ratings.csv, all rows or none.

    Columns: run_id, job_id, rater, r_<dimension> (1-5) for every rubric dimension, and
    optionally time_utc (2026-11-22T10:00:00Z) and note. A file with job_left, job_right and
    p_<dimension> (left, right or same) goes to tables/vfscore_pairs.csv. Each job must be a row
    of its run in generations.csv; the same file is not imported twice.

    Exit status: 0 imported, 2 refused (the message names the line).
    """
    from driver.cli.agreement import run_import_command

    raise typer.Exit(run_import_command(workspace, file, rubric))


@app.command()
def demo(
    dir: Annotated[Path, typer.Option("--dir", help="Where to build the demo workspace.")] = Path(
        "vfscore-demo"
    ),
) -> None:
    """Build a small archi3D workspace from generated assets (3 products x 3 candidates), score it
    with `vfscore compute`, and print the results."""
    from driver.cli.demo import run_demo

    raise typer.Exit(run_demo(dir))


@app.command("judge")
def judge(
    refs: Annotated[
        list[Path], typer.Option(help="Reference photos of the real product (one or more).")
    ],
    renders: Annotated[list[Path], typer.Option(help="Renders of the candidate model.")],
    judge: Annotated[
        str | None,
        typer.Option(
            help="PROVIDER:MODEL, e.g. openai:gpt-4o-mini, gemini:gemini-2.5-flash, "
            "anthropic:claude-sonnet-4-5, openai-compatible:http://localhost:11434/v1#llava "
            "(other settings from [judge] of the config); with neither, the offline judge."
        ),
    ] = None,
    repeats: Annotated[
        int, typer.Option(min=1, max=MAX_REPEATS, help="Judgements to aggregate.")
    ] = 3,
    config: Annotated[
        Path | None, typer.Option(help="vfscore.toml (default: $VFSCORE_CONFIG).")
    ] = None,
    rubric: Annotated[Path, typer.Option(help="Rubric TOML.")] = DEFAULT_RUBRIC,
    cache_dir: Annotated[
        Path | None,
        typer.Option(help="Response cache (default: $VFSCORE_CACHE_DIR, else ~/.cache/vfscore)."),
    ] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Neither read nor write the response cache.")
    ] = False,
) -> None:
    """Score renders against reference photos on the rubric's appearance dimensions; print the
    aggregated result as JSON. API keys come from OPENAI_API_KEY, GEMINI_API_KEY,
    ANTHROPIC_API_KEY (or the api_key_env of [judge]).

    Exit status: 0 scored, 1 the judge failed for this input, 2 bad arguments or input,
    3 credentials rejected or quota exhausted (nothing retried).
    """
    from driver.cli.judge import JudgeFlags, run_judge_command

    raise typer.Exit(
        run_judge_command(
            JudgeFlags(refs, renders, judge, repeats, config, rubric, cache_dir, no_cache)
        )
    )


@app.command("evaluate")
def evaluate(
    cand_glb: Annotated[Path, typer.Option(help="The generated model (.glb).")],
    ref_images: Annotated[list[Path], typer.Option(help="Reference photos (one or more).")],
    out_dir: Annotated[Path, typer.Option(help="Folder for the job's artifacts.")],
    repeats: Annotated[int, typer.Option(min=1, max=MAX_REPEATS, help="Judge repeats.")] = 3,
    timeout_s: Annotated[
        float | None, typer.Option(help="Limit for the job, in seconds (more than 0).")
    ] = None,
    judge: Annotated[
        str | None, typer.Option(help="LLM judge PROVIDER:MODEL (default: offline).")
    ] = None,
    preset: Annotated[str | None, typer.Option(help="Render preset (turntable4, hero).")] = None,
    config: Annotated[
        Path | None, typer.Option(help="vfscore.toml (default: $VFSCORE_CONFIG).")
    ] = None,
    cache_dir: Annotated[
        Path | None, typer.Option(help="Response cache folder (default: none).")
    ] = None,
    redo: Annotated[
        bool,
        typer.Option("--redo", help="Re-render and re-ask even if renders or answers are cached."),
    ] = False,
    workspace: Annotated[
        Path | None,
        typer.Option(
            help="archi3D workspace: artifact paths are recorded relative to it, and its "
            "vfscore.toml is used when neither --config nor $VFSCORE_CONFIG is given. Default: "
            "the WS of an --out-dir shaped WS/runs/RUN/metrics/vfscore/JOB when "
            "WS/tables/generations.csv exists (archi3D's command call gives no workspace)."
        ),
    ] = None,
) -> None:
    """Render one generated model in the standard scene, judge it against reference photos,
    write the job's artifacts into --out-dir and print the VFScoreResponse as JSON.

    Exit status: 0 scored, 1 the job failed (the response says why), 2 bad arguments,
    3 the judge's credentials were rejected or its quota is exhausted.
    """
    from driver.cli.evaluate import EvaluateFlags, run_evaluate_command

    raise typer.Exit(
        run_evaluate_command(
            EvaluateFlags(
                cand_glb,
                ref_images,
                out_dir,
                repeats,
                timeout_s,
                judge,
                preset,
                config,
                cache_dir,
                redo,
                workspace,
            )
        )
    )


@app.command("build-extension")
def build_extension(
    out: Annotated[Path, typer.Option(help="Folder to write the zip into.")] = Path("dist"),
) -> None:
    """Build the installable Blender extension zip (Edit > Preferences > Get Extensions >
    Install from Disk)."""
    from driver.packaging.extension_zip import build_extension_zip

    typer.echo(build_extension_zip(out))


def main() -> None:
    """Console-script entry point."""
    app(args=expand_multi_value_options(sys.argv[1:]), prog_name="vfscore")
