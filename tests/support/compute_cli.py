"""`vfscore compute` run in this process (typer parses the command line), and the stand-in
renderer as $VFSCORE_BLENDER."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from driver.cli.app import app
from tests.support.fast_workspace import RUN_ID, fake_blender


@dataclass(frozen=True)
class Ran:
    returncode: int
    stdout: str
    stderr: str


def vfscore(ws: Path, *args: str) -> Ran:
    """`vfscore compute --workspace ws --run-id RUN_ID ARGS…`; an exception that is not an exit
    is re-raised (a traceback is a failure)."""
    cmd = ["compute", "--workspace", str(ws), "--run-id", RUN_ID, *args]
    result = CliRunner().invoke(app, cmd)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Ran(result.exit_code, result.stdout, result.stderr)


def use_fake_blender(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The stand-in renderer as $VFSCORE_BLENDER; returns its log folder."""
    log = tmp_path / "fake-log"
    log.mkdir()
    monkeypatch.setenv("VFSCORE_BLENDER", str(fake_blender(tmp_path)))
    monkeypatch.setenv("FAKE_BLENDER_LOG", str(log))
    return log
