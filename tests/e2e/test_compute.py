"""`vfscore compute` end to end: real Blender at tiny size, the offline judge, loopback LLMs."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from driver.config.schema import ComputeRequest
from driver.demo.workspace import DEMO_RUN_ID, PRODUCTS, build_demo_workspace
from driver.pipeline.compute import ComputeSummary, run_compute
from driver.ssot.vf_columns import vf_columns
from driver.ssot.workspace import open_workspace
from rubric.core.definition import load_rubric
from tests.support.fast_workspace import log_records, table
from tests.support.llm_server import ScriptedServer, answer_json, ok_reply, quota_exhausted
from tests.support.processes import running
from tests.support.settings import settings_from, spec_from

pytestmark = pytest.mark.blender  # real Blender: deselected in mutation runs

ROOT = Path(__file__).resolve().parents[2]
CONFIG = "[render]\nresolution = 64\nsamples = 4\n\n[compute]\nrepeats = 2\n"
DIMS = load_rubric().names
VF = vf_columns(DIMS)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("template") / "ws"
    build_demo_workspace(root, spec_from({"resolution": 64, "samples": 4}), PRODUCTS[:1])
    (root / "vfscore.toml").write_text(CONFIG)
    return root


@pytest.fixture
def ws(template: Path, tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    shutil.copytree(template, root)
    return root


def compute(
    root: Path, config_text: str | None = None, judge: str | None = None, **opts: object
) -> ComputeSummary:
    config = root / "vfscore.toml"
    if config_text is not None:
        config.write_text(config_text)
    workspace = open_workspace(root)
    run_id = str(opts.pop("run_id", DEMO_RUN_ID))
    options = ComputeRequest(run_id=run_id, repeats=2, **opts)  # type: ignore[arg-type]
    settings = settings_from(config, judge, workspace.response_cache_dir(run_id), redo=options.redo)
    return run_compute(workspace, options, settings)


def compute_cmd(ws: Path) -> list[str]:
    """`vfscore compute` on the test workspace, as a separate process."""
    config = str(ws / "vfscore.toml")
    return [
        sys.executable,
        "-m",
        "driver",
        "compute",
        "--workspace",
        str(ws),
        "--run-id",
        DEMO_RUN_ID,
        "--config",
        config,
    ]


def metrics_dir(root: Path, job_id: str, run_id: str = DEMO_RUN_ID) -> Path:
    return root / "runs" / run_id / "metrics" / "vfscore" / job_id


def test_dry_run_writes_nothing_then_real_run_scores(ws: Path) -> None:
    before = (ws / "tables" / "generations.csv").read_bytes()
    dry = compute(ws, dry_run=True)
    assert dry.n_selected == 3 and dry.processed == 0
    assert (ws / "tables" / "generations.csv").read_bytes() == before
    assert not (ws / "runs" / DEMO_RUN_ID / "metrics").exists()
    assert log_records(ws)[-1]["dry_run"] is True and log_records(ws)[-1]["n_selected"] == 3

    real = compute(ws)
    assert (real.ok, real.error, real.skipped) == (3, 0, 0)
    df = table(ws)
    assert list(df["status"]) == ["completed"] * 3  # never touched
    for _, row in df.iterrows():
        assert row["vf_status"] == "ok" and row["vf_error"] == ""
        assert 0 <= int(row["vfscore_overall"]) <= 100
        assert row["vf_repeats_n"] == "2"
        assert row["vf_llm_model"] == "offline:appearance-2.3"
        assert (
            row["vf_rationales_dir"]
            == f"runs/{DEMO_RUN_ID}/metrics/vfscore/{row['job_id']}/rationales"
        )
        out = metrics_dir(ws, row["job_id"])
        result = json.loads((out / "result.json").read_text())
        assert result["vfscore_overall_median"] == int(row["vfscore_overall"])
        assert set(result["vf_subscores_median"]) == set(DIMS)
        assert (
            result["render_settings"]["seed"] == 0
            and result["render_settings"]["engine"] == "CYCLES"
        )
        assert sorted(p.name for p in (out / "rationales").iterdir()) == ["rep_0.txt", "rep_1.txt"]
        assert (out / "config.json").is_file() and (out / "blender_stdout.txt").is_file()
        # Every stored path is relative: no absolute path of this machine in the artifacts.
        for name in (
            "result.json",
            "config.json",
            "renders/render_result.json",
            "renders/render_job.json",
        ):
            assert str(ws) not in (out / name).read_text(), name
    record = log_records(ws)[-1]
    assert {k: record[k] for k in ("event", "ok", "error", "skipped", "processed", "repeats")} == {
        "event": "compute_vfscore",
        "ok": 3,
        "error": 0,
        "skipped": 0,
        "processed": 3,
        "repeats": 2,
    }
    assert set(record) >= {
        "timestamp",
        "run_id",
        "n_selected",
        "avg_render_runtime_s",
        "avg_scoring_runtime_s",
        "use_images_from",
        "redo",
        "max_parallel",
        "dry_run",
        "skip_reasons",
    }


def test_second_run_skips_and_changes_nothing(ws: Path) -> None:
    compute(ws)
    first = table(ws)[VF].to_csv()
    stamp = {p: p.stat().st_mtime_ns for p in (ws / "runs").rglob("result.json")}
    again = compute(ws)
    assert (again.ok, again.error, again.skipped) == (0, 0, 3)
    assert again.skip_reasons == {"already scored": 3}
    assert table(ws)[VF].to_csv() == first
    assert {p: p.stat().st_mtime_ns for p in (ws / "runs").rglob("result.json")} == stamp


def test_redo_changes_the_values(ws: Path) -> None:
    with ScriptedServer() as server:
        judge = f"openai-compatible:{server.url}/v1#llava"
        server.script = [ok_reply("openai", answer_json(DIMS, 60)) for _ in range(6)]
        compute(ws, judge=judge)
        assert set(table(ws)["vfscore_overall"]) == {"60"}
        server.script = [ok_reply("openai", answer_json(DIMS, 80)) for _ in range(6)]
        assert compute(ws, judge=judge).skipped == 3  # without --redo: nothing asked
        assert len(server.requests) == 6
        compute(ws, judge=judge, redo=True)
        assert len(server.requests) == 12  # --redo bypasses the response cache
        assert set(table(ws)["vfscore_overall"]) == {"80"}
        assert set(table(ws)["vf_llm_model"]) == {"openai-compatible:llava"}


def test_missing_reference_images_is_an_error_naming_the_cause(ws: Path) -> None:
    shutil.rmtree(next((ws / "dataset").iterdir()) / "images")
    summary = compute(ws)
    assert (summary.ok, summary.error) == (0, 3)
    df = table(ws)
    assert set(df["vf_status"]) == {"error"}
    assert all(
        "no usable reference image" in e and "photo_1.jpg' does not exist" in e
        for e in df["vf_error"]
    )


def test_max_parallel_two_over_three_jobs(ws: Path) -> None:
    summary = compute(ws, max_parallel=2)
    assert (summary.ok, summary.error, summary.n_selected) == (3, 0, 3)
    df = table(ws)
    assert len(df) == 3 and set(df["vf_status"]) == {"ok"}


def test_timeout_kills_a_hung_blender(
    ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "blender"
    pids = tmp_path / "pids"
    pids.mkdir()
    # A "Blender" that hangs, with a child of its own: both must be gone after the timeout.
    fake.write_text(
        f'#!/bin/sh\nsleep 300 &\necho $! > "{pids}/child.$$"\necho $$ > "{pids}/main.$$"\nwait\n'
    )
    fake.chmod(0o755)
    monkeypatch.setenv("VFSCORE_BLENDER", str(fake))
    start = time.monotonic()
    summary = compute(ws, timeout_s=1.0, jobs="re:^" + table(ws)["job_id"][0] + "$")
    assert time.monotonic() - start < 30
    assert (summary.ok, summary.error) == (0, 1)
    row = table(ws).iloc[0]
    assert row["vf_status"] == "error" and row["vf_error"].startswith("timeout")
    recorded = [int(p.read_text()) for p in pids.iterdir()]
    assert len(recorded) == 2
    time.sleep(0.2)
    assert [pid for pid in recorded if running(pid)] == []


def test_killed_run_resumes_without_redoing_finished_jobs(ws: Path) -> None:
    cmd = compute_cmd(ws)
    proc = subprocess.Popen(
        cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.monotonic() + 120
    while not list((ws / "runs").rglob("vfscore_result.json")):
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    finished = {p: p.stat().st_mtime_ns for p in (ws / "runs").rglob("vfscore_result.json")}
    renders = {
        p: p.stat().st_mtime_ns
        for p in (ws / "runs").rglob("render_result.json")
        if p.parent.parent / "vfscore_result.json" in finished
    }
    assert finished and renders
    # The table is intact (old or new, never half).
    assert len(table(ws)) == 3
    resumed = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert "taken from an earlier vfscore_result.json" in resumed.stdout
    assert {p: p.stat().st_mtime_ns for p in finished} == finished
    assert {p: p.stat().st_mtime_ns for p in renders} == renders
    assert set(table(ws)["vf_status"]) == {"ok"}


def test_html_saved_as_glb_fails_that_job_only(ws: Path) -> None:
    df = table(ws)
    bad = ws / str(df.loc[1, "gen_object_path"])
    bad.write_bytes(b"<!DOCTYPE html>\n<html><body>Rate limited</body></html>\n")
    proc = subprocess.run(
        compute_cmd(ws),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 1  # some job errored
    after = table(ws)
    assert list(after["vf_status"]) == ["ok", "error", "ok"]
    assert (
        after.loc[1, "vf_error"]
        == "GLB import failed: not a glTF binary (file starts with '<!DOCTYPE')"
    )
    assert "error 1" in proc.stdout


def test_numeric_looking_ids_survive(ws: Path) -> None:
    path = ws / "tables" / "generations.csv"
    df = table(ws)
    df["run_id"] = "20251122"
    df.loc[0, "job_id"] = "000000000042"
    df["gen_object_path"] = [p.replace(DEMO_RUN_ID, "20251122") for p in df["gen_object_path"]]
    (ws / "runs" / DEMO_RUN_ID).rename(ws / "runs" / "20251122")
    src = ws / "runs" / "20251122" / "outputs"
    old = str(df.loc[0, "gen_object_path"]).split("/")[3]
    (src / old).rename(src / "000000000042")
    df.loc[0, "gen_object_path"] = str(df.loc[0, "gen_object_path"]).replace(old, "000000000042")
    df.to_csv(path, index=False, encoding="utf-8-sig")
    summary = compute(ws, run_id="20251122")
    assert summary.ok == 3
    after = table(ws)
    assert after["job_id"].iloc[0] == "000000000042" and set(after["run_id"]) == {"20251122"}
    assert list(after["product_id"]) == ["000123"] * 3
    assert (
        ws / "runs" / "20251122" / "metrics" / "vfscore" / "000000000042" / "result.json"
    ).is_file()


def test_reference_path_escaping_the_workspace(ws: Path) -> None:
    df = table(ws)
    (ws.parent / "outside.jpg").write_bytes((ws / str(df.loc[0, "used_image_1_path"])).read_bytes())
    for k in range(1, 7):
        df.loc[0, f"used_image_{k}_path"] = ""
    df.loc[0, "used_image_1_path"] = "../outside.jpg"
    df.to_csv(ws / "tables" / "generations.csv", index=False, encoding="utf-8-sig")
    summary = compute(ws, jobs=df.loc[0, "job_id"])
    assert summary.error == 1
    assert "'../outside.jpg'" in str(table(ws).loc[0, "vf_error"])


def test_quota_exhausted_stops_the_run(ws: Path) -> None:
    with ScriptedServer() as server:
        server.script = [quota_exhausted("openai")] * 10
        summary = compute(ws, judge=f"openai-compatible:{server.url}/v1#llava")
        assert len(server.requests) == 1
    assert (summary.ok, summary.error, summary.not_evaluated) == (0, 3, 3)
    errors = list(table(ws)["vf_error"])
    assert all(
        e.startswith("not evaluated: ") and "quota exhausted" in e and "rerun" in e for e in errors
    )


def test_unusable_job_ids_do_not_stop_the_run(ws: Path) -> None:
    df = table(ws)
    df.loc[0, "job_id"] = "../../etc"
    df.loc[1, "job_id"] = ""
    df.to_csv(ws / "tables" / "generations.csv", index=False, encoding="utf-8-sig")
    summary = compute(ws)
    assert (summary.ok, summary.error) == (1, 1)
    assert summary.skip_reasons == {"empty job_id": 1}
    after = table(ws)
    assert after.loc[0, "vf_error"] == "job_id '../../etc' is not usable as a folder name"
    assert after.loc[1, "vf_status"] == "" and after.loc[2, "vf_status"] == "ok"
