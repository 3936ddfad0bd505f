"""Attacks on process lifetime: whatever happens to `vfscore`, no Blender it started goes on
rendering without it. The stand-in renderer is launched exactly as Blender is."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.fast_workspace import RUN_ID, build, fake_blender, fake_runs
from tests.support.processes import running

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def hanging(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """The environment of a run whose every Blender hangs and ignores SIGTERM; its log folder."""
    log = tmp_path / "fake-log"
    log.mkdir()
    env = {
        **os.environ,
        "VFSCORE_BLENDER": str(fake_blender(tmp_path)),
        "FAKE_BLENDER_LOG": str(log),
        "FAKE_BLENDER_HANG": "all",
        "FAKE_BLENDER_STUBBORN": "1",
    }
    return env, log


def _blender_pids(log: Path, n: int, proc: subprocess.Popen[bytes]) -> list[int]:
    deadline = time.monotonic() + 60
    while len(runs := fake_runs(log)) < n or not all(r["children"] for r in runs):
        assert time.monotonic() < deadline and proc.poll() is None, "no Blender started"
        time.sleep(0.05)
    return [int(p.stem) for p in log.glob("*.json")]


def _gone(pids: list[int], within_s: float = 10.0) -> list[int]:
    deadline = time.monotonic() + within_s
    while (alive := [p for p in pids if running(p)]) and time.monotonic() < deadline:
        time.sleep(0.05)
    return alive


def _reap_strays(log: Path) -> None:
    # The stand-in's own `sleep` child is not Blender's business; do not leave it behind.
    for r in fake_runs(log):
        for pid in r["children"]:
            if running(pid):
                os.kill(pid, signal.SIGKILL)


@pytest.mark.timeout(120)
def test_a_sigkilled_compute_takes_its_blenders_with_it(
    tmp_path: Path, hanging: tuple[dict[str, str], Path]
) -> None:
    env, log = hanging
    ws = build(tmp_path / "ws", n_jobs=3)
    cmd = [sys.executable, "-m", "driver", "compute", "--workspace", str(ws), "--run-id", RUN_ID]
    proc = subprocess.Popen(
        [*cmd, "--max-parallel", "2"], cwd=ROOT, env=env, stderr=subprocess.DEVNULL
    )
    try:
        pids = _blender_pids(log, 2, proc)
        proc.kill()
        proc.wait()
        assert _gone(pids) == []
    finally:
        _reap_strays(log)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_a_stopped_evaluate_takes_its_stubborn_blender_with_it(
    tmp_path: Path, hanging: tuple[dict[str, str], Path], sig: int
) -> None:
    env, log = hanging
    ws = build(tmp_path / "ws", n_jobs=1)
    glb = next((ws / "runs").rglob("*.glb"))
    photo = next((ws / "dataset").rglob("*.png"))
    cmd = [sys.executable, "-m", "vfscore", "evaluate", "--cand-glb", str(glb)]
    cmd += ["--ref-images", str(photo), "--out-dir", str(tmp_path / "out")]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
    try:
        pids = _blender_pids(log, 1, proc)
        proc.send_signal(sig)
        proc.wait(timeout=30)
        assert _gone(pids) == []
    finally:
        _reap_strays(log)
