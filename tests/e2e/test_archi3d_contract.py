"""VFScore as archi3D calls it: by import, by the entry point and by `python -m vfscore`, checked
by a stand-in of archi3D's adapter (tests/support/archi3d_standin.py) with real Blender renders
at tiny settings; and the two tools never redo each other's rows."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support import archi3d_standin as archi3d
from tests.support.fast_workspace import RUN_ID, build, fake_blender, job_id, table
from tests.support.processes import running

ROOT = Path(__file__).resolve().parents[2]
TINY = "[render]\nresolution = 48\nsamples = 2\n"


@pytest.fixture
def job(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """One job inside a workspace; tiny renders through $VFSCORE_CONFIG."""
    ws = build(tmp_path / "ws", n_jobs=1)
    config = tmp_path / "tiny.toml"
    config.write_text(TINY)
    monkeypatch.setenv("VFSCORE_CONFIG", str(config))
    monkeypatch.delenv("VFSCORE_BLENDER", raising=False)
    # archi3D's command path runs `python` from PATH: this environment's, as in an active venv.
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    row = table(ws).iloc[0]
    return {
        "cand_glb": str(ws / row["gen_object_path"]),
        "ref_images": [str(ws / row["used_image_1_path"])],
        "out_dir": str(ws / "runs" / RUN_ID / "metrics" / "vfscore" / job_id(0)),
        "repeats": 2,
        "timeout_s": 300,
        "workspace": str(ws),
        "algo": "trellis-v2",
    }


def check_payload(payload: dict[str, Any], job: dict[str, Any]) -> None:
    assert isinstance(payload["vfscore_overall_median"], int)
    assert payload["vfscore_overall"] == payload["vfscore_overall_median"]
    subs = payload["vf_subscores_median"]
    assert {"finish", "texture_identity", "texture_scale_placement"} <= set(subs)
    assert all(isinstance(v, int) and 0 <= v <= 100 for v in subs.values())
    assert payload["repeats_n"] == 2 and len(payload["scores_all"]) == 2
    assert len(payload["subscores_all"]) == 2
    assert isinstance(payload["iqr"], float | int) and isinstance(payload["std"], float | int)
    assert payload["llm_model"] == "offline:appearance-2.3"
    assert abs(sum(payload["rubric_weights"].values()) - 1) < 1e-9
    assert payload["render_settings"]["resolution"] == [48, 48]  # $VFSCORE_CONFIG was read
    assert payload["render_settings"]["samples"] == 2
    assert payload["version"] == payload["tool_version"] and payload["version"]
    assert len(payload["config_hash"]) == 64
    assert payload["render_runtime_s"] > 0 and payload["scoring_runtime_s"] >= 0
    assert payload["artifacts_dir"] == f"runs/{RUN_ID}/metrics/vfscore/{job_id(0)}"
    assert payload["render_image_path"] == f"{payload['artifacts_dir']}/renders/00_az000.png"
    assert payload["gt_image_path"] == "dataset/000123_tin/images/photo_1.png"
    record = json.loads((Path(job["out_dir"]) / "vfscore_result.json").read_text())
    assert record == payload


@pytest.mark.blender
def test_by_import_then_archi3d_rewrites_and_reads_its_cache(
    job: dict[str, Any], capfd: pytest.CaptureFixture[str]
) -> None:
    payload = archi3d.call_by_import(job)
    out, err = capfd.readouterr()
    assert out == ""  # Blender's output goes to files; the one line is archi3D's blender_exe
    assert err.splitlines() == [f"vfscore: warning: {payload['input_warnings'][0]}"]
    check_payload(payload, job)
    assert payload["algo"] == "trellis-v2"
    out_dir = Path(job["out_dir"])
    assert (
        json.loads((out_dir / "result.json").read_text())["vfscore_overall"]
        == (payload["vfscore_overall"])
    )
    (out_dir / "result.json").unlink()
    row = archi3d.archi3d_job(job)  # scores again (the renders are reused) and rewrites
    assert row["vfscore_overall"] == payload["vfscore_overall"]
    assert row["vf_config_hash"] == payload["config_hash"]
    # archi3D's --redo reads its own rewrite back: it has no vfscore_overall nor tool_version
    # (archi3D's bug, documented in the README), so those cells go empty.
    again = archi3d.archi3d_job(job)
    assert again["vf_status"] == "ok" and again["vfscore_overall"] is None
    assert again["vf_tool_version"] is None
    # VFScore's own record survives archi3D's rewrite, and a rerun reuses it.
    from driver.config.loader import load_config
    from driver.config.settings import build_settings
    from driver.pipeline.artifacts import load_finished

    settings = build_settings(load_config(None), cache_dir=None, extra={"repeats": 2})
    glb, refs = Path(job["cand_glb"]), tuple(Path(r) for r in job["ref_images"])
    record = json.loads((out_dir / "vfscore_result.json").read_text())
    assert load_finished(out_dir, glb, refs, settings) == record
    assert record["vfscore_overall"] == payload["vfscore_overall"]


@pytest.mark.blender
def test_by_entry_point(job: dict[str, Any]) -> None:
    payload = archi3d.call_by_entry_point(job)
    check_payload(payload, job)


@pytest.mark.blender
def test_by_python_dash_m(job: dict[str, Any]) -> None:
    payload = archi3d.call_by_cli({**job, "workspace": None}, cwd=ROOT)
    assert payload["vfscore_overall"] == payload["vfscore_overall_median"]
    # No workspace on archi3D's command line: the out_dir's shape names it.
    assert payload["artifacts_dir"] == f"runs/{RUN_ID}/metrics/vfscore/{job_id(0)}"
    assert payload["workspace_from"] == "out_dir"
    assert (Path(job["out_dir"]) / "vfscore_result.json").is_file()


def test_python_dash_m_with_a_command_is_the_full_cli() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "vfscore", "--help"], capture_output=True, text=True, check=True
    )
    assert "compute" in proc.stdout and "evaluate" in proc.stdout


@pytest.mark.parametrize("how", ["import", "cli"])
def test_bad_inputs_are_one_line_errors(job: dict[str, Any], tmp_path: Path, how: str) -> None:
    call = archi3d.call_by_import if how == "import" else archi3d.call_by_cli
    html = tmp_path / "page.glb"
    html.write_bytes(b"<!DOCTYPE html><html></html>")
    with pytest.raises(archi3d.AdapterFailure) as bad_glb:
        call({**job, "cand_glb": str(html)})
    assert "GLB import failed: not a glTF binary (file starts with '<!DOCTYPE')" in str(
        bad_glb.value
    )
    with pytest.raises(archi3d.AdapterFailure) as no_photo:
        call({**job, "ref_images": [str(tmp_path / "gone.jpg")]})
    assert "reference photo 'gone.jpg' does not exist" in str(no_photo.value)
    for failure in (bad_glb.value, no_photo.value):
        assert "Traceback" not in failure.message and "\n" not in failure.message.strip()
    if how == "cli":
        assert str(bad_glb.value).startswith("VFScore failed (exit 1): vfscore evaluate: GLB")


def test_cli_timeout_kills_the_render(
    job: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "log"
    log.mkdir()
    monkeypatch.setenv("VFSCORE_BLENDER", str(fake_blender(tmp_path)))
    monkeypatch.setenv("FAKE_BLENDER_LOG", str(log))
    monkeypatch.setenv("FAKE_BLENDER_HANG", "all")
    cmd = [sys.executable, "-m", "vfscore", "--cand-glb", job["cand_glb"], "--ref-images",
           *job["ref_images"], "--out-dir", job["out_dir"], "--timeout-s", "1"]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert "timeout: rendering took longer than 1s" in proc.stderr
    pids = [pid for p in log.glob("*.json") for pid in json.loads(p.read_text())["children"]]
    assert pids and not any(running(pid) for pid in pids)


def test_blender_exe_is_the_renderer_launched(
    job: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "log"
    log.mkdir()
    monkeypatch.setenv("FAKE_BLENDER_LOG", str(log))
    payload = archi3d.call_by_import({**job, "blender_exe": str(fake_blender(tmp_path))})
    assert len(list(log.glob("*.json"))) == 1  # the fake, not the bpy wheel, rendered
    assert payload["vfscore_overall"] is not None


def test_workspace_config_applies_when_no_other(
    job: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VFSCORE_CONFIG")
    monkeypatch.setenv("VFSCORE_BLENDER", str(fake_blender(tmp_path)))
    (Path(job["workspace"]) / "vfscore.toml").write_text('[render]\npreset = "hero"\n')
    payload = archi3d.call_by_import(job)
    assert payload["render_settings"]["camera"]["preset"] == "hero"


def test_neither_tool_redoes_the_other(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """archi3D first, then `vfscore compute`: no cell changes; and the other way round."""
    from typer.testing import CliRunner

    from driver.cli.app import app

    monkeypatch.setenv("VFSCORE_BLENDER", str(fake_blender(tmp_path)))
    compute = ["compute", "--run-id", RUN_ID, "--workspace"]
    # archi3D first: it calls VFScore per row and writes its columns itself.
    ws = build(tmp_path / "a", n_jobs=2)
    df = table(ws)
    for i in range(2):
        out_dir = ws / "runs" / RUN_ID / "metrics" / "vfscore" / job_id(i)
        one = {
            "cand_glb": str(ws / str(df.loc[i, "gen_object_path"])),
            "ref_images": [str(ws / str(df.loc[i, "used_image_1_path"]))],
            "out_dir": str(out_dir),
            "repeats": 1,
            "workspace": str(ws),
        }
        row = archi3d.archi3d_job(one)
        assert row["vf_status"] == "ok"
        df.loc[i, "vfscore_overall"] = str(row["vfscore_overall"])
    df.to_csv(ws / "tables" / "generations.csv", index=False, encoding="utf-8-sig")
    before = (ws / "tables" / "generations.csv").read_bytes()
    result = CliRunner().invoke(app, [*compute, str(ws)])
    assert result.exit_code == 0 and "already scored" in result.stdout
    assert (ws / "tables" / "generations.csv").read_bytes() == before
    # VFScore first: archi3D's cache read finds the score in result.json, with no call.
    ws2 = build(tmp_path / "b", n_jobs=1)
    assert CliRunner().invoke(app, [*compute, str(ws2)]).exit_code == 0
    out_dir = ws2 / "runs" / RUN_ID / "metrics" / "vfscore" / job_id(0)
    scored = int(str(table(ws2).loc[0, "vfscore_overall"]))
    version = json.loads((out_dir / "result.json").read_text())["tool_version"]
    photo = ws2 / str(table(ws2).loc[0, "used_image_1_path"])
    one = {"cand_glb": "unused", "ref_images": [str(photo)], "out_dir": str(out_dir), "repeats": 1}
    cached = archi3d.archi3d_job(one)
    assert (cached["vfscore_overall"], cached["vf_tool_version"]) == (scored, version)


def test_judge_offline_is_accepted_where_judge_is(tmp_path: Path) -> None:
    ref = tmp_path / "r.png"
    from PIL import Image

    Image.new("RGB", (32, 32), (100, 120, 140)).save(ref)
    cfg = tmp_path / "llm.toml"
    cfg.write_text('[judge]\nprovider = "openai"\nmodel = "gpt-4o-mini"\n')
    cmd = [sys.executable, "-m", "vfscore", "judge", "--refs", str(ref), "--renders", str(ref)]
    cmd += ["--judge", "offline", "--config", str(cfg)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["llm_model"] == "offline:appearance-2.3"
