"""Controls (issue 31): per product, the ground truth and known-wrong copies of it, judged like
candidates, kept out of generations.csv, and the figures that say whether the judge discriminates.

The stand-in renderer draws a disc whose colour comes from the model's bytes, so every distinct
model renders differently and costs milliseconds; the real renderer and the offline judge are
checked on the demo at the end."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from driver.demo.assets import label_texture, write_textured_glb
from driver.demo.glb_writer import Material, box_mesh, glb_bytes
from driver.results.layout import report_dir
from rubric.core.definition import load_rubric
from tests.support.compute_cli import use_fake_blender, vfscore
from tests.support.fast_workspace import RUN_ID, build, fake_runs, table
from tests.support.llm_server import ScriptedServer, answer_json, ok_reply

DIMS = load_rubric().names
CONTROLS = ("gt", "gt_hue", "gt_flat", "gt_matte", "gt_blur", "other_product")


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return use_fake_blender(tmp_path, monkeypatch)


def two_products(root: Path) -> Path:
    """Four candidates of two products, each product with its own textured ground truth."""
    ws = build(root, n_jobs=4)
    rows = table(ws)
    for product, palette, first in (("000123", None, 0), ("000456", "warm", 2)):
        gt = ws / "dataset" / product / "gt" / "model.glb"
        gt.parent.mkdir(parents=True)
        tex = label_texture() if palette is None else label_texture(
            palette=((230, 120, 20), (240, 220, 60), (200, 40, 40), (250, 240, 220))
        )  # fmt: skip
        write_textured_glb(gt, tex)
        for i in (first, first + 1):
            rows.loc[i, "product_id"] = product
            rows.loc[i, "gt_object_path"] = gt.relative_to(ws).as_posix()
    rows.to_csv(ws / "tables" / "generations.csv", index=False, encoding="utf-8-sig")
    return ws


def controls_table(ws: Path) -> list[dict[str, str]]:
    import csv

    with open(ws / "tables" / "vfscore_controls.csv", encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def report_json(ws: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((report_dir_of(ws) / "report.json").read_text())
    return doc


def report_dir_of(ws: Path) -> Path:
    from driver.ssot.workspace import Workspace

    return report_dir(Workspace(ws), RUN_ID)


def same_score_judge(server: ScriptedServer) -> str:
    server.responder = lambda r: ok_reply("openai", answer_json(DIMS, 70))
    return f"openai-compatible:{server.url}/v1#same"


def test_a_judge_that_gives_everything_one_score_is_at_chance_and_gated(
    tmp_path: Path, fake: Path
) -> None:
    ws = two_products(tmp_path / "ws")
    with ScriptedServer() as server:
        judge = same_score_judge(server)
        ran = vfscore(ws, "--controls", "--judge", judge, "--repeats", "1")
        assert ran.returncode == 0, ran.stdout + ran.stderr
        assert "controls: 5/10 pairs right (0.50 [" in ran.stdout
        assert f"overall, {', '.join(DIMS)} not discriminating" in ran.stdout
        rows = controls_table(ws)
        assert {(r["product"], r["control"]) for r in rows} == {
            (p, c) for p in ("000123", "000456") for c in CONTROLS
        }
        assert {r["status"] for r in rows} == {"ok"} and {r["vfscore_overall"] for r in rows} == {
            "70"
        }
        figures = report_json(ws)["controls"]["judges"]["openai-compatible:same"]
        assert figures["accuracy"]["overall"]["value"] == 0.5
        assert figures["not_discriminating"] == ["overall", *DIMS]
        assert {j["relative_to_gt"] for j in report_json(ws)["jobs"]} == {1.0}
        calls = len(server.requests)
        gated = vfscore(ws, "--controls", "--judge", judge, "--repeats", "1",
                        "--fail-under-controls", "0.8")  # fmt: skip
        assert gated.returncode == 3
        assert report_json(ws)["controls"]["gate"] == {
            "fail_under": 0.8, "judges": ["openai-compatible:same"], "accuracy": 0.5,
            "passed": False,
        }  # fmt: skip
        assert len(server.requests) == calls  # the gated rerun reused every control


def test_controls_leave_generations_alone_and_a_rerun_costs_nothing(
    tmp_path: Path, fake: Path
) -> None:
    ws = two_products(tmp_path / "ws")
    with ScriptedServer() as server:
        judge = same_score_judge(server)
        assert vfscore(ws, "--judge", judge, "--repeats", "1").returncode == 0
        before = (ws / "tables" / "generations.csv").read_bytes()
        renders, calls = len(fake_runs(fake)), len(server.requests)
        assert vfscore(ws, "--controls", "--judge", judge, "--repeats", "1").returncode == 0
        assert (ws / "tables" / "generations.csv").read_bytes() == before
        # Five renders per product: another product's gt reuses that product's own views.
        assert len(fake_runs(fake)) - renders == 10 and len(server.requests) > calls
        renders, calls = len(fake_runs(fake)), len(server.requests)
        again = vfscore(ws, "--controls", "--judge", judge, "--repeats", "1")
        assert "12 control(s) judged (12 reused)" in again.stdout
        assert (len(fake_runs(fake)), len(server.requests)) == (renders, calls)
        assert (ws / "tables" / "generations.csv").read_bytes() == before
        redo = vfscore(ws, "--controls", "--judge", judge, "--repeats", "1", "--redo")
        assert redo.returncode == 0
        assert len(fake_runs(fake)) - renders == 16  # 4 candidates and 12 controls again
        folders = sorted(p.name for p in (ws / "runs" / RUN_ID / "metrics" / "vfscore").iterdir())
        assert "_controls" in folders


def test_what_cannot_be_a_control_is_skipped_with_its_reason(tmp_path: Path, fake: Path) -> None:
    ws = two_products(tmp_path / "ws")
    rows = table(ws)
    plain = ws / "dataset" / "plain.glb"  # one flat grey colour: no texture, a grey factor
    plain.write_bytes(glb_bytes(box_mesh((0.8, 0.6, 0.5)), Material((0.5, 0.5, 0.5, 1.0))))
    grey = ws / "dataset" / "grey.glb"  # an achromatic texture: a hue turn changes nothing
    write_textured_glb(grey, Image.effect_noise((64, 64), 40).convert("RGB"))
    (ws / "dataset" / "page.glb").write_text("<!DOCTYPE html><html></html>")
    extra = rows.iloc[[0, 0, 0, 0]].copy()
    extra["job_id"] = ["0000000000a1", "0000000000a2", "0000000000a3", "0000000000a4"]
    extra["product_id"] = ["plain", "grey", "page", "gone"]
    extra["gt_object_path"] = ["dataset/plain.glb", "dataset/grey.glb", "dataset/page.glb",
                               "dataset/gone.glb"]  # fmt: skip
    import pandas as pd

    pd.concat([rows, extra]).to_csv(
        ws / "tables" / "generations.csv", index=False, encoding="utf-8-sig"
    )
    ran = vfscore(ws, "--controls", "--repeats", "1")
    assert "Traceback" not in ran.stdout + ran.stderr
    by = {(r["product"], r["control"]): r for r in controls_table(ws)}
    nothing = "the ground truth has nothing this copy changes"
    for control in ("gt_hue", "gt_flat", "gt_blur"):
        assert (by[("plain", control)]["status"], by[("plain", control)]["error"]) == (
            "skipped", nothing,
        )  # fmt: skip
    assert by[("plain", "gt_matte")]["status"] == "ok"
    assert (by[("grey", "gt_hue")]["status"], by[("grey", "gt_hue")]["error"]) == (
        "skipped", nothing,
    )  # fmt: skip
    assert by[("grey", "gt_flat")]["status"] == "ok"
    assert by[("page", "gt")]["status"] == "skipped"
    assert by[("page", "gt")]["error"].startswith("GLB import failed: not a glTF binary")
    assert by[("page", "gt_hue")]["error"].startswith("the ground truth could not be judged")
    assert (by[("gone", "gt")]["status"], by[("gone", "gt")]["error"]) == (
        "skipped", "ground-truth model 'dataset/gone.glb' does not exist",
    )  # fmt: skip
    assert by[("gone", "other_product")]["status"] == "ok"  # the only control it can have
    assert not any(r["status"] == "error" for r in by.values())


def test_the_judge_checks_in_chromium(tmp_path: Path, fake: Path, browser: Any) -> None:
    from selenium.webdriver.common.by import By

    ws = two_products(tmp_path / "ws")
    with ScriptedServer() as server:
        assert vfscore(ws, "--controls", "--judge", same_score_judge(server)).returncode == 0
    browser.get((report_dir_of(ws) / "index.html").resolve().as_uri())
    section = browser.find_element(By.ID, "judge-checks")
    assert "controls: 5/10 pairs right" in section.text
    assert section.text.count("not discriminating in this run") == 1 + len(DIMS)
    thumbs = section.find_elements(By.CSS_SELECTOR, ".product-controls img")
    assert len(thumbs) == 12
    assert all(browser.execute_script("return arguments[0].naturalWidth", t) > 0 for t in thumbs)


@pytest.mark.blender
def test_the_offline_judge_on_the_demo_sees_colour_kinds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two demo products at 64 px: the offline judge ranks each gt above its hue-turned and
    flat copies and above the other product's gt. (At this size it also ranks the matte copies
    below, by a point; it does not see the 1 % blur: ranked at or above the gt.)"""
    from blender_addon.contract.spec import preset
    from driver.demo.workspace import DEMO_RUN_ID, PRODUCTS, build_demo_workspace

    monkeypatch.delenv("VFSCORE_BLENDER", raising=False)
    ws = build_demo_workspace(
        tmp_path / "demo", preset().with_changes(resolution=(64, 64), samples=4), PRODUCTS[:2]
    )
    (ws / "vfscore.toml").write_text("[render]\nresolution = 64\nsamples = 4\n")
    from typer.testing import CliRunner

    from driver.cli.app import app

    args = ["compute", "--workspace", str(ws), "--run-id", DEMO_RUN_ID, "--controls"]
    result = CliRunner().invoke(app, [*args, "--repeats", "1", "--max-parallel", "2"])
    assert result.exit_code == 0, result.output
    rows = controls_table(ws)
    assert len(rows) == 12 and {r["status"] for r in rows} == {"ok"}
    doc = json.loads((ws / "runs" / DEMO_RUN_ID / "metrics/vfscore/report/report.json").read_text())
    kinds = doc["controls"]["judges"]["offline:appearance-2.3"]["by_kind"]
    for kind in ("gt_hue", "gt_flat", "other_product"):
        assert kinds[kind]["accuracy"]["value"] == 1.0, (kind, kinds[kind])
        assert kinds[kind]["median_margin"] > 5
    assert kinds["gt_flat"]["expected_dimensions"]["color_palette"]["moved"] is True
    relative = [j["relative_to_gt"] for j in doc["jobs"] if j["algo"] == "faithful"]
    assert all(r is not None and r >= 0.95 for r in relative), relative


def _hues(rgb: Any) -> Any:
    """The normalised 12-bin hue histogram of an image's coloured pixels."""
    import numpy as np

    centre = rgb.reshape(-1, 3) / 255.0
    top, low = centre.max(axis=1), centre.min(axis=1)
    coloured = centre[(top - low > 0.2) & (top > 0.2)]
    if not len(coloured):
        return np.zeros(12)
    hsv = np.asarray(Image.fromarray((coloured[None] * 255).astype("uint8")).convert("HSV"))
    counts = np.bincount(hsv[0, :, 0].astype(int) * 12 // 256, minlength=12)
    return counts / counts.sum()


def _colour_judge(record: Any) -> Any:
    """A loopback judge that scores colour and texture by how alike the hue histograms of the
    photos and the renders are; finish is always 70."""
    import base64
    import io

    import numpy as np

    hists: dict[str, list[Any]] = {"photo": [], "render": []}
    kind = "photo"
    for part in record.body["messages"][-1]["content"]:
        if part["type"] == "text":
            kind = "photo" if part["text"].startswith("Reference photo") else "render"
            continue
        data = base64.b64decode(part["image_url"]["url"].partition(",")[2])
        hists[kind].append(_hues(np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))))
    l1 = float(np.abs(np.mean(hists["photo"], 0) - np.mean(hists["render"], 0)).sum())
    score = max(0, min(100, round(100 - 50 * l1)))
    answer = {d: {"score": 70 if d == "finish" else score, "rationale": "colour"} for d in DIMS}
    return ok_reply("openai", json.dumps(answer))


@pytest.mark.blender
def test_a_colour_judge_sees_colour_kinds_and_is_flagged_on_finish(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from blender_addon.contract.spec import preset
    from driver.demo.workspace import DEMO_RUN_ID, PRODUCTS, build_demo_workspace

    monkeypatch.delenv("VFSCORE_BLENDER", raising=False)
    ws = build_demo_workspace(
        tmp_path / "demo", preset().with_changes(resolution=(64, 64), samples=4), PRODUCTS[:2]
    )
    # Photos then renders, in order: the stand-in judge reads each image's label.
    (ws / "vfscore.toml").write_text(
        "[render]\nresolution = 64\nsamples = 4\n[judge]\nshuffle_images = false\n"
    )
    with ScriptedServer() as server:
        server.responder = _colour_judge
        judge = f"openai-compatible:{server.url}/v1#colour"
        from typer.testing import CliRunner

        from driver.cli.app import app

        args = ["compute", "--workspace", str(ws), "--run-id", DEMO_RUN_ID, "--controls"]
        result = CliRunner().invoke(app, [*args, "--repeats", "1", "--judge", judge])
    assert result.exit_code == 0, result.output
    doc = json.loads((ws / "runs" / DEMO_RUN_ID / "metrics/vfscore/report/report.json").read_text())
    figures = doc["controls"]["judges"]["openai-compatible:colour"]
    for kind in ("gt_hue", "gt_flat", "other_product"):
        assert figures["by_kind"][kind]["accuracy"]["value"] == 1.0, (kind, figures["by_kind"])
    assert figures["accuracy"]["finish"]["value"] == 0.5
    assert "finish" in figures["not_discriminating"]
    assert figures["by_kind"]["gt_matte"]["expected_dimensions"]["finish"]["moved"] is False


def test_a_panel_has_figures_per_member_and_for_the_panel(tmp_path: Path, fake: Path) -> None:
    ws = two_products(tmp_path / "ws")
    with ScriptedServer() as a, ScriptedServer() as b:
        a.responder = lambda r: ok_reply("openai", answer_json(DIMS, 70))
        b.responder = lambda r: ok_reply("openai", answer_json(DIMS, 40))
        judges = ["--judge", f"openai-compatible:{a.url}/v1#a"]
        judges += ["--judge", f"openai-compatible:{b.url}/v1#b"]
        assert vfscore(ws, "--controls", "--repeats", "1", *judges).returncode == 0
    rows = controls_table(ws)
    by_judge: dict[str, set[str]] = {}
    for r in rows:
        by_judge.setdefault(r["judge"], set()).add(r["vfscore_overall"])
    members = {"openai-compatible:a": {"70"}, "openai-compatible:b": {"40"}}
    assert {k: v for k, v in by_judge.items() if k in members} == members
    (panel,) = set(by_judge) - set(members)
    assert by_judge[panel] == {"55"}
    figures = report_json(ws)["controls"]["judges"]
    assert set(figures) == {panel, *members}
    assert all(f["accuracy"]["overall"]["n"] == 10 for f in figures.values())


def test_a_dry_run_prices_the_controls_on_their_own_line(tmp_path: Path, fake: Path) -> None:
    ws = two_products(tmp_path / "ws")
    with ScriptedServer() as server:
        judge = same_score_judge(server)
        ran = vfscore(ws, "--controls", "--judge", judge, "--repeats", "2", "--dry-run")
        assert server.requests == []
    assert ran.returncode == 0, ran.stderr
    line = next(ln for ln in ran.stdout.splitlines() if ln.startswith("controls: "))
    assert line.startswith("controls: 12 control job(s); estimate for openai-compatible:same: ")
    assert "24 calls for 12 job(s)" in line
    assert not (ws / "tables" / "vfscore_controls.csv").exists() and fake_runs(fake) == []


def test_in_pairwise_mode_the_controls_join_each_tournament(tmp_path: Path, fake: Path) -> None:
    """A judge that prefers whatever it sees first: every pair flips, every strength ties, so the
    gt ranks no better than its copies: accuracy 0.5 from the Bradley-Terry strengths."""
    ws = two_products(tmp_path / "ws")
    with ScriptedServer() as server:
        answer = {n: {"winner": "A", "rationale": "first"} for n in DIMS}
        server.responder = lambda r: ok_reply("openai", json.dumps(answer))
        judge = f"openai-compatible:{server.url}/v1#pairs"
        ran = vfscore(ws, "--mode", "pairwise", "--controls", "--judge", judge, "--repeats", "1")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    rows = controls_table(ws)
    assert {(r["product"], r["control"]) for r in rows} == {
        (p, c) for p in ("000123", "000456") for c in CONTROLS
    }
    assert {r["judge"] for r in rows} == {"openai-compatible:pairs pairwise"}
    assert all(r["status"] == "ok" and r["rank"] for r in rows)
    record = json.loads(
        next(
            (ws / "runs" / RUN_ID / "metrics" / "vfscore" / "_tournaments").glob("*.json")
        ).read_text()
    )
    assert "control:gt" in record["candidates"] and len(record["candidates"]) == 8
    figures = report_json(ws)["controls"]["judges"]["openai-compatible:pairs pairwise"]
    assert figures["accuracy"]["overall"]["value"] == 0.5
    assert "controls: 5/10 pairs right" in ran.stdout
    assert set(table(ws)["vf_pairwise_status"]) == {"ok"}  # the candidates' rows, as before


def test_a_copy_that_renders_like_the_gt_is_skipped_not_a_tie(
    tmp_path: Path, fake: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = two_products(tmp_path / "ws")
    monkeypatch.setenv("FAKE_BLENDER_SAME", "1")  # every model renders alike
    assert vfscore(ws, "--controls", "--repeats", "1").returncode == 0
    by = {(r["product"], r["control"]): r for r in controls_table(ws)}
    for product in ("000123", "000456"):
        assert by[(product, "gt")]["status"] == "ok"
        for control in CONTROLS[1:]:
            row = by[(product, control)]
            assert (row["status"], row["error"]) == (
                "skipped", "renders identical to the ground truth's",
            ), control  # fmt: skip
    assert (
        report_json(ws)["controls"]["judges"]["offline:appearance-2.3"]["accuracy"]["overall"]["n"]
        == 0
    )
