"""Every command has help, every option says what it does, and the multi-value options parse."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest
import typer
from typer.testing import CliRunner

from driver.cli.app import app
from driver.cli.argv import expand_multi_value_options

COMMANDS = sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]


def test_the_commands() -> None:
    assert COMMANDS == [
        "agreement",
        "build-extension",
        "compute",
        "demo",
        "evaluate",
        "judge",
        "rate",
        "ratings",
        "report",
        "version",
    ]


def _leaves() -> list[list[str]]:
    """Every runnable command as its argv path; a group's sub-commands (ratings import)."""
    root = typer.main.get_command(app)
    out = []
    for name in COMMANDS:
        command = root.commands[name]  # type: ignore[attr-defined]
        subs = getattr(command, "commands", None)
        out += [[name, sub] for sub in sorted(subs)] if subs else [[name]]
    return out


@pytest.mark.parametrize("path", _leaves(), ids=" ".join)
def test_every_command_and_option_has_help(path: list[str]) -> None:
    command = typer.main.get_command(app)
    for name in path:
        command = command.commands[name]  # type: ignore[attr-defined]
    assert command.help and len(command.help.split()) >= 5, path
    for param in command.params:
        if isinstance(param, click.Option) and param.name != "help":
            assert param.help, f"{path} {param.opts}"
    result = CliRunner().invoke(app, [*path, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.stdout


def test_several_values_after_one_option() -> None:
    argv = ["judge", "--refs", "a.jpg", "b.jpg", "--renders", "c.png", "--repeats", "2"]
    assert expand_multi_value_options(argv) == [
        "judge", "--refs", "a.jpg", "--refs", "b.jpg", "--renders", "c.png", "--repeats", "2",
    ]  # fmt: skip
    assert expand_multi_value_options(["--refs", "a", "--jobs", "x", "y"]) == [
        "--refs", "a", "--jobs", "x", "y",
    ]  # fmt: skip


def test_the_offline_judge_does_not_load_the_llm_stack() -> None:
    code = (
        "import sys; import rubric.offline.judge; "
        "print(sorted(m for m in sys.modules if m == 'requests' or m.startswith('rubric.llm')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
