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

from tests.support.fast_workspace import RUN_ID, build, fake_blender, fake_runs, table
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


def _wrapper(folder: Path) -> Path:
    """A launcher script as distributions ship them: the real renderer runs as its child (no
    exec), and that child ignores SIGTERM."""
    exe = folder / "blender-launcher"
    exe.write_text(
        "#!/bin/sh\ntrap '' TERM\n"
        'while [ "$#" -gt 0 ] && [ "$1" != "-P" ]; do shift; done\nshift\n'
        f'"{sys.executable}" "$@"\n'
    )
    exe.chmod(0o755)
    return exe


@pytest.mark.blender
@pytest.mark.timeout(180)
def test_a_blender_behind_a_wrapper_ends_when_vfscore_is_killed(tmp_path: Path) -> None:
    import psutil

    ws = build(tmp_path / "ws", n_jobs=1)
    # Long enough to be still rendering when vfscore is killed.
    (tmp_path / "slow.toml").write_text(
        "[render]\nresolution = 512\nsamples = 65536\nadaptive_threshold = 0.000001\n"
    )
    env = {**os.environ, "VFSCORE_BLENDER": str(_wrapper(tmp_path))}
    env["VFSCORE_CONFIG"] = str(tmp_path / "slow.toml")
    glb = next((ws / "runs").rglob("*.glb"))
    photo = next((ws / "dataset").rglob("*.png"))
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "vfscore", "evaluate", "--cand-glb", str(glb)]
    cmd += ["--ref-images", str(photo), "--out-dir", str(out), "--repeats", "1"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
    renderers: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + 120
        log = out / "blender_stdout.txt"
        while not (log.is_file() and "Fra:" in log.read_text(errors="replace")):
            assert time.monotonic() < deadline and proc.poll() is None, "the render never began"
            time.sleep(0.2)
        tree = psutil.Process(proc.pid).children(recursive=True)
        renderers = [p for p in tree if p.cmdline()[:1] == [sys.executable]]
        assert len(renderers) == 1 and renderers[0].ppid() != proc.pid  # behind the wrapper
        proc.kill()
        proc.wait()
        assert _gone([p.pid for p in renderers]) == []
        assert (
            "the process that launched the render is gone"
            in (out / "blender_stderr.txt").read_text()
        )
    finally:
        for p in renderers:
            if p.is_running():
                p.kill()


@pytest.mark.timeout(120)
def test_ctrl_c_twice_still_says_what_was_kept(tmp_path: Path) -> None:
    log = tmp_path / "fake-log"
    log.mkdir()
    env = {**os.environ, "VFSCORE_BLENDER": str(fake_blender(tmp_path)),
           "FAKE_BLENDER_LOG": str(log), "FAKE_BLENDER_HANG": "after:1"}  # fmt: skip
    ws = build(tmp_path / "ws", n_jobs=4)
    cmd = [sys.executable, "-m", "driver", "compute", "--workspace", str(ws), "--run-id", RUN_ID]
    proc = subprocess.Popen(
        [*cmd, "--max-parallel", "2"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while sum(1 for r in fake_runs(log) if r["children"]) < 2:
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.05)
        time.sleep(0.3)  # the first job's result is in
        proc.send_signal(signal.SIGINT)
        time.sleep(0.02)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        _reap_strays(log)
    text = err.decode()
    assert proc.returncode == 130, text[-2000:]
    assert (
        "Interrupted (SIGINT): every Blender of the run was stopped, finished jobs were written; "
        "rerun the same command to continue." in text
    )
    assert "Traceback" not in text
    assert list(table(ws)["vf_status"]).count("ok") == 1
