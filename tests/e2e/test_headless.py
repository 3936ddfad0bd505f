"""The headless render entry with real Blender (the bpy wheel): output, determinism, bad inputs."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from blender_addon.contract.render_job import EXIT_CODES, RenderJob
from driver.demo.assets import write_textured_glb
from driver.demo.glb_writer import Material, glb_bytes
from tests.support.blender import run_bpy_script, run_headless, tiny_spec

pytestmark = pytest.mark.blender  # real Blender: deselected in mutation runs


def test_renders_every_view_with_a_complete_result(tmp_path: Path, textured_glb: Path) -> None:
    job = RenderJob(textured_glb, tmp_path / "out", tiny_spec())
    proc, result = run_headless(job, tmp_path / "job.json")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert result["ok"] is True and result["error"] is None
    assert result["blender_version"].startswith("4.5")
    assert result["device"] == "CPU"
    assert result["spec_hash"] == job.spec.spec_hash()
    assert [v["file"] for v in result["views"]] == [
        "00_az000.png",
        "01_az090.png",
        "02_az180.png",
        "03_az270.png",
    ]
    assert set(result["timings"]) >= {"import_s", "setup_s", "views_s", "write_s", "total_s"}
    assert result["hdri"]["alias"] == "vfscore_studio"
    norm = result["normalization"]
    assert max(np.subtract(norm["bounds_max"], norm["bounds_min"])) * norm[
        "scale"
    ] == pytest.approx(1.0)
    for view in result["views"]:
        png = (tmp_path / "out" / view["file"]).read_bytes()
        img = Image.open(io.BytesIO(png))
        assert img.size == (64, 64) and img.mode == "RGBA"
        assert not any(str(k).startswith("cycles") for k in img.info), (
            "PNG text metadata must be stripped"
        )
        alpha = np.asarray(img)[..., 3]
        # The object is in frame: opaque in the middle, transparent at the corners.
        assert alpha[32, 32] == 255 and alpha[0, 0] == 0 and alpha[-1, -1] == 0
        assert view["coverage"] == pytest.approx(float((alpha > 127).mean()), abs=0.01)
        assert view["framing"]["fill"] == pytest.approx(0.9) and view["framing"]["distance"] > 0
        _assert_framed(alpha, 0.9)


def _assert_framed(alpha: np.ndarray, fill: float) -> None:  # type: ignore[type-arg]
    """The model's pixels span ``fill`` of the frame along the tighter axis, centred."""
    h, w = alpha.shape
    rows, cols = np.nonzero(alpha > 127)
    spans = ((cols.max() - cols.min() + 1) / w, (rows.max() - rows.min() + 1) / h)
    assert max(spans) == pytest.approx(fill, abs=3 / min(h, w)), spans
    assert (
        abs(cols.min() - (w - 1 - cols.max())) <= 2 and abs(rows.min() - (h - 1 - rows.max())) <= 2
    )


def test_a_wide_frame_is_filled_and_centred_too(tmp_path: Path, textured_glb: Path) -> None:
    spec = tiny_spec().with_changes(resolution=(96, 48))
    proc, result = run_headless(
        RenderJob(textured_glb, tmp_path / "out", spec), tmp_path / "j.json"
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    for view in result["views"]:
        alpha = np.asarray(Image.open(tmp_path / "out" / view["file"]))[..., 3]
        _assert_framed(alpha, 0.9)


BORDER_OR_NOT = """
import bpy, json, sys
from pathlib import Path
from blender_addon.contract.spec import RenderSpec
from blender_addon.render.job import render_views
from blender_addon.scene.build import BORDER_PROP, build_standard_scene, import_model
from blender_addon.scene.hdri_access import blender_world_dir, resolve_hdri
spec = RenderSpec.from_dict(json.loads(SPEC))
objects = import_model(Path(GLB))
built = build_standard_scene(bpy.context.scene, objects, spec,
                             resolve_hdri(spec.hdri_alias, blender_world_dir()).path)
borders = [list(cam[BORDER_PROP]) for cam in built.cameras]
render_views(bpy.context.scene, built.cameras, spec, Path(OUT) / "border")
for cam in built.cameras:
    del cam[BORDER_PROP]
render_views(bpy.context.scene, built.cameras, spec, Path(OUT) / "whole")
print(json.dumps(borders))
"""


def test_rendering_inside_the_border_changes_no_pixel_of_the_model(
    tmp_path: Path, textured_glb: Path
) -> None:
    """Cycles renders only the model's extent (plus a margin); the written frame is the same."""
    spec = tiny_spec().with_changes(resolution=(96, 48), denoiser="NONE")
    code = BORDER_OR_NOT.replace("SPEC", repr(json.dumps(spec.to_dict())))
    code = code.replace("GLB", repr(str(textured_glb))).replace("OUT", repr(str(tmp_path)))
    borders = json.loads(run_bpy_script(code).strip().splitlines()[-1])
    assert all(0.0 < b[0] < b[1] < 1.0 for b in borders)  # narrower than the wide frame
    for name in sorted(p.name for p in (tmp_path / "whole").glob("*.png")):
        whole = np.asarray(Image.open(tmp_path / "whole" / name), np.int16)
        inside = np.asarray(Image.open(tmp_path / "border" / name), np.int16)
        assert np.array_equal(whole[..., 3] > 0, inside[..., 3] > 0), name
        assert np.abs(whole - inside).max() <= 2, name


def test_same_inputs_same_bytes_other_seed_other_pixels(tmp_path: Path, textured_glb: Path) -> None:
    digests = []
    for name, seed in (("a", 0), ("b", 0), ("c", 7)):
        job = RenderJob(textured_glb, tmp_path / name, tiny_spec(seed=seed))
        proc, result = run_headless(job, tmp_path / f"{name}.json")
        assert proc.returncode == 0, proc.stderr[-2000:]
        digests.append([v["sha256"] for v in result["views"]])
        assert all((tmp_path / name / v["file"]).is_file() for v in result["views"])
    assert digests[0] == digests[1]
    assert digests[0] != digests[2]
    a = np.asarray(Image.open(tmp_path / "a" / "00_az000.png"), dtype=np.int16)
    c = np.asarray(Image.open(tmp_path / "c" / "00_az000.png"), dtype=np.int16)
    assert np.abs(a - c).max() > 0


def _bad(tmp_path: Path, name: str, content: bytes | None = None, glb: Path | None = None):
    path = glb if glb is not None else tmp_path / f"{name}.glb"
    if content is not None:
        path.write_bytes(content)
    job = RenderJob(path, tmp_path / f"out_{name}", tiny_spec())
    return run_headless(job, tmp_path / f"{name}.json")


@pytest.mark.parametrize(
    ("name", "content", "code", "message"),
    [
        (
            "html",
            b"<!DOCTYPE html>\n<html><head><title>404</title></head></html>\n",
            "glb_import_failed",
            "GLB import failed: not a glTF binary (file starts with '<!DOCTYPE')",
        ),
        ("empty", b"", "glb_import_failed", "GLB import failed: file is empty (0 bytes)"),
        ("nomesh", glb_bytes(None), "no_mesh", "no mesh in GLB"),
    ],
)
def test_bad_inputs_give_code_and_one_line(
    tmp_path: Path, name: str, content: bytes, code: str, message: str
) -> None:
    proc, result = _bad(tmp_path, name, content)
    assert proc.returncode == EXIT_CODES[code]
    assert result["ok"] is False
    assert result["error"] == {"code": code, "exit_code": EXIT_CODES[code], "message": message}
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr


def test_truncated_glb(tmp_path: Path, textured_glb: Path) -> None:
    textured_glb.write_bytes(textured_glb.read_bytes()[:300])
    proc, result = _bad(tmp_path, "trunc", glb=textured_glb)
    assert proc.returncode == EXIT_CODES["glb_import_failed"]
    assert result["error"]["message"].startswith("GLB import failed: truncated file")
    assert "Traceback" not in proc.stderr


def test_missing_texture(tmp_path: Path) -> None:
    glb = write_textured_glb(tmp_path / "ext.glb", material=Material(texture_uri="albedo.png"))
    proc, result = _bad(tmp_path, "tex", glb=glb)
    assert proc.returncode == EXIT_CODES["missing_texture"]
    assert (
        result["error"]["message"]
        == "missing texture: image 0 'albedo.png' not found next to the GLB"
    )


def test_corrupt_embedded_texture(tmp_path: Path) -> None:
    glb = write_textured_glb(
        tmp_path / "bad.glb", material=Material(texture_png=b"\x89PNG\r\n\x1a\nnot really")
    )
    proc, result = _bad(tmp_path, "badtex", glb=glb)
    assert proc.returncode == EXIT_CODES["missing_texture"]
    assert result["error"]["message"].startswith("missing texture: image(s) ")
    assert "could not be loaded" in result["error"]["message"]


@pytest.mark.parametrize(
    ("content", "detail"),
    [
        ("{not json", "is not readable JSON"),
        ('{"schema": "other", "version": 1}', "expected schema vfscore.render_job"),
    ],
)
def test_bad_job_file(tmp_path: Path, content: str, detail: str) -> None:
    import subprocess
    import sys

    from tests.support.blender import HEADLESS

    job = tmp_path / "job.json"
    job.write_text(content)
    proc = subprocess.run(
        [sys.executable, str(HEADLESS), "--job", str(job)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == EXIT_CODES["bad_job"]
    assert detail in proc.stderr and "Traceback" not in proc.stderr
