"""`vfscore compute --scheduler` on a real Dask LocalCluster (worker processes on loopback, no
mocks), with the stand-in renderer as every worker's Blender."""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from distributed import Client, LocalCluster

from blender_addon.contract.render_job import RenderJob
from driver.pipeline.cluster import ClusterRunner, pack_job, shares_filesystem
from driver.pipeline.launcher import run_render
from tests.support.blender import tiny_spec
from tests.support.compute_cli import Ran, use_fake_blender, vfscore
from tests.support.fast_workspace import build, fake_runs, log_records, table
from tests.support.model_files import write_gltf_folder

RUNTIMES = ["vf_render_runtime_s", "vf_scoring_runtime_s"]


@pytest.fixture
def cluster(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalCluster]:
    """Two worker processes with one render slot each; the stand-in renderer is their Blender
    (set before the workers start, so they inherit it)."""
    use_fake_blender(tmp_path, monkeypatch)
    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        resources={"render": 1},
        dashboard_address=None,
        silence_logs=logging.ERROR,
    ) as local:
        yield local


@pytest.mark.timeout(180)
def test_a_cluster_run_equals_the_local_run_cell_for_cell(
    tmp_path: Path, cluster: LocalCluster
) -> None:
    here, there = build(tmp_path / "here", n_jobs=4), build(tmp_path / "there", n_jobs=4)
    assert vfscore(here).returncode == 0
    ran = vfscore(there, "--scheduler", cluster.scheduler_address)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    local, remote = table(here).drop(columns=RUNTIMES), table(there).drop(columns=RUNTIMES)
    assert local.equals(remote)
    info = log_records(there)[-1]["cluster"]
    assert info == {
        "scheduler": cluster.scheduler_address,
        "workers": 2,
        "render_slots": 2,
        "shared_filesystem": True,
    }


@pytest.mark.timeout(180)
def test_a_worker_without_the_workspace_renders_from_bytes(
    tmp_path: Path, cluster: LocalCluster
) -> None:
    gltf = write_gltf_folder(tmp_path / "model", (200, 30, 30))
    packed = pack_job(RenderJob(gltf, tmp_path / "x", tiny_spec()))
    assert sorted(packed.files) == ["model.bin", "model.gltf", "tex.png"]
    with Client(cluster) as client:
        assert shares_filesystem(client, tmp_path)
        runner = ClusterRunner(client, shared=False)
        job = RenderJob(gltf, tmp_path / "remote" / "renders", tiny_spec())
        outcome = runner(job, 60.0, tmp_path / "remote", None)
    assert outcome.returncode == 0 and outcome.result["ok"]
    local = run_render(RenderJob(gltf, tmp_path / "local" / "renders", tiny_spec()))
    for view in local.result["views"]:
        here = (tmp_path / "local" / "renders" / view["file"]).read_bytes()
        assert (tmp_path / "remote" / "renders" / view["file"]).read_bytes() == here
    assert (tmp_path / "remote" / "blender_stdout.txt").exists()


def _run_in_thread(ws: Path, *args: str) -> tuple[threading.Thread, list[Ran]]:
    out: list[Ran] = []
    thread = threading.Thread(target=lambda: out.append(vfscore(ws, *args)))
    thread.start()
    return thread, out


@pytest.mark.timeout(240)
def test_a_worker_killed_mid_run_loses_and_duplicates_nothing(
    tmp_path: Path, cluster: LocalCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_BLENDER_SLEEP_S", "1.0")  # read by each render, not at start
    ws = build(tmp_path / "ws", n_jobs=6)
    log = Path(os.environ["FAKE_BLENDER_LOG"])
    with Client(cluster) as client:
        pids = client.run(os.getpid)
    thread, out = _run_in_thread(ws, "--scheduler", cluster.scheduler_address)
    deadline = time.monotonic() + 60
    while len(fake_runs(log)) < 2:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.kill(next(iter(pids.values())), signal.SIGKILL)  # its nanny starts a new one
    thread.join(timeout=180)
    assert out and out[0].returncode == 0, out[0].stdout + out[0].stderr if out else "hung"
    rows = table(ws)
    assert len(rows) == 6 and rows["job_id"].is_unique
    assert set(rows["vf_status"]) == {"ok"}


@pytest.mark.timeout(240)
def test_a_lost_scheduler_stops_the_run_and_a_rerun_finishes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_fake_blender(tmp_path, monkeypatch)
    monkeypatch.setenv("FAKE_BLENDER_SLEEP_S", "0.5")
    ws = build(tmp_path / "ws", n_jobs=8)
    log = Path(os.environ["FAKE_BLENDER_LOG"])
    local = LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, resources={"render": 1},
        dashboard_address=None, silence_logs=logging.ERROR,
    )  # fmt: skip
    thread, out = _run_in_thread(ws, "--scheduler", local.scheduler_address)
    deadline = time.monotonic() + 60
    while len([r for r in fake_runs(log) if "end" in r]) < 2:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    local.close()
    thread.join(timeout=120)
    assert out, "the run hung after its scheduler went away"
    assert out[0].returncode == 75, out[0].stdout + out[0].stderr
    assert log_records(ws)[-1]["interrupted"] == "scheduler lost"
    done = (table(ws)["vf_status"] == "ok").sum()
    assert 1 <= done < 8
    monkeypatch.setenv("FAKE_BLENDER_SLEEP_S", "0")
    assert vfscore(ws).returncode == 0  # the rerun, here, finishes the rest
    assert set(table(ws)["vf_status"]) == {"ok"}


@pytest.mark.timeout(120)
def test_workers_without_a_render_slot_are_a_clear_start_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_fake_blender(tmp_path, monkeypatch)
    ws = build(tmp_path / "ws", n_jobs=1)
    with LocalCluster(
        n_workers=1, processes=True, dashboard_address=None, silence_logs=logging.ERROR
    ) as bare:
        ran = vfscore(ws, "--scheduler", bare.scheduler_address)
    assert ran.returncode == 2
    assert "declares the 'render' resource" in ran.stderr
