"""The ``vfscore`` command line."""

from __future__ import annotations

import platform
from pathlib import Path
from typing import Annotated

import typer

from driver import __version__

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


@app.command()
def compute(
    run_id: Annotated[str, typer.Option("--run-id", help="The archi3D run whose rows to score.")],
    workspace: Annotated[
        Path | None,
        typer.Option(help="archi3D workspace root (default: $ARCHI3D_WORKSPACE)."),
    ] = None,
    jobs: Annotated[
        str | None,
        typer.Option(help="Only job_ids matching: a substring, a glob (*, ?) or re:REGEX."),
    ] = None,
    only_status: Annotated[
        str | None, typer.Option(help="Comma-separated job statuses to score [default: completed].")
    ] = None,
    use_images_from: Annotated[
        str | None,
        typer.Option(help="Reference images: 'used' (used_image_*) or 'source' [default: used]."),
    ] = None,
    repeats: Annotated[int | None, typer.Option(help="Judge repeats per job [default: 3].")] = None,
    redo: Annotated[
        bool, typer.Option("--redo", help="Re-render and re-judge rows that already have a score.")
    ] = False,
    max_parallel: Annotated[
        int | None, typer.Option(help="Blender processes at once [default: 1].")
    ] = None,
    timeout_s: Annotated[
        float | None,
        typer.Option(help="Per-job limit in seconds; the job's Blender is killed past it."),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="Select and log only: no renders, no artifacts, no table change."
        ),
    ] = False,
    judge: Annotated[
        str | None,
        typer.Option(help="LLM judge PROVIDER:MODEL (default: [judge] of --config, else offline)."),
    ] = None,
    preset: Annotated[str | None, typer.Option(help="Render preset (turntable4, hero).")] = None,
    config: Annotated[
        Path | None, typer.Option(help="vfscore.toml with [render], [judge], [compute].")
    ] = None,
    limit: Annotated[int | None, typer.Option(help="Score at most N rows.")] = None,
) -> None:
    """Score the rows of one run in tables/generations.csv: render each generated model in the
    standard scene, judge it against the product's photos, and upsert the vf_* columns.

    Exit status: 0 when every selected job was scored (or nothing was selected), 1 when any job
    ended in an error (see vf_error), 2 when the run could not start.
    """
    from driver.compute_cli import run_compute_command

    raise typer.Exit(
        run_compute_command(
            workspace=workspace,
            run_id=run_id,
            jobs=jobs,
            only_status=only_status,
            use_images_from=use_images_from,
            repeats=repeats,
            redo=redo,
            max_parallel=max_parallel,
            timeout_s=timeout_s,
            dry_run=dry_run,
            judge=judge,
            preset=preset,
            config=config,
            limit=limit,
        )
    )


@app.command()
def demo(
    dir: Annotated[Path, typer.Option("--dir", help="Where to build the demo workspace.")] = Path(
        "vfscore-demo"
    ),
) -> None:
    """Build a small archi3D workspace from generated assets (3 products x 3 candidates), score it
    with `vfscore compute`, and print the results."""
    from driver.demo_cli import run_demo

    raise typer.Exit(run_demo(dir))


@app.command(
    "judge",
    add_help_option=False,
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
)
def judge(ctx: typer.Context) -> None:
    """Score renders against reference photos with an LLM judge; prints the aggregated JSON.
    `vfscore judge --help` lists the options."""
    from driver.judge_cli import run_judge_command

    raise typer.Exit(run_judge_command(list(ctx.args)))


@app.command(
    "evaluate",
    add_help_option=False,
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
)
def evaluate(ctx: typer.Context) -> None:
    """Evaluate one model against reference photos (the evaluator contract); prints the
    response JSON. `vfscore evaluate --help` lists the options."""
    from driver.evaluate_cli import run_evaluate_command

    raise typer.Exit(run_evaluate_command(list(ctx.args)))


@app.command("build-extension")
def build_extension(
    out: Annotated[Path, typer.Option(help="Folder to write the zip into.")] = Path("dist"),
) -> None:
    """Build the installable Blender extension zip (Edit > Preferences > Get Extensions >
    Install from Disk)."""
    from driver.extension_zip import build_extension_zip

    typer.echo(build_extension_zip(out))


def main() -> None:
    """Console-script entry point."""
    app()
