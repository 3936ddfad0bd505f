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
