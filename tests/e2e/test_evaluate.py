"""`evaluate`, the evaluator contract for one job, with the stand-in renderer."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from driver.pipeline.evaluator import VFScoreRequest, evaluate
from tests.support.fast_workspace import RUN_ID, build, fake_blender, job_id, table
from tests.support.settings import settings_from


@pytest.fixture
def req(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> VFScoreRequest:
    monkeypatch.setenv("VFSCORE_BLENDER", str(fake_blender(tmp_path)))
    ws = build(tmp_path / "ws", n_jobs=1)
    row = table(ws).iloc[0]
    return VFScoreRequest(
        cand_glb=ws / str(row["gen_object_path"]),
        ref_images=(ws / str(row["used_image_1_path"]),),
        out_dir=ws / "runs" / RUN_ID / "metrics" / "vfscore" / job_id(0),
        repeats=2,
        timeout_s=60,
        workspace=ws,
        algo="gen-y",
    )


def test_a_scored_job(req: VFScoreRequest) -> None:
    r = evaluate(req, settings_from(None))
    assert r.ok is True and r.error is None and r.payload is not None
    assert r.render_runtime_s == r.payload["render_runtime_s"]
    assert r.render_runtime_s is not None and r.render_runtime_s > 0
    assert r.scoring_runtime_s == r.payload["scoring_runtime_s"]
    assert r.config_hash == r.payload["config_hash"] and r.tool_version == r.payload["version"]
    assert r.payload["algo"] == "gen-y" and r.payload["repeats_n"] == 2
    assert r.payload["artifacts_dir"] == f"runs/{RUN_ID}/metrics/vfscore/{job_id(0)}"
    assert r.payload["gt_image_path"] == "dataset/000123_tin/images/photo_1.png"


def test_a_failed_render(req: VFScoreRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    r = evaluate(replace(req, repeats=1), settings_from(None, judge="offline"))
    assert r.ok is True
    monkeypatch.setenv("FAKE_BLENDER_FAIL", "7:render failed: out of memory")
    failed = evaluate(replace(req, repeats=1), settings_from(None, redo=True))
    assert (failed.ok, failed.payload, failed.error) == (
        False,
        None,
        "render failed: out of memory",
    )
    assert failed.render_runtime_s is None and failed.scoring_runtime_s is None
    error = json.loads((req.out_dir / "error.json").read_text())
    assert error["error"] == "render failed: out of memory"


def test_the_timeout_reaches_the_render(
    req: VFScoreRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_BLENDER_HANG", "all")
    r = evaluate(replace(req, timeout_s=1.0), settings_from(None))
    assert (r.ok, r.error) == (False, "timeout: rendering took longer than 1s")
