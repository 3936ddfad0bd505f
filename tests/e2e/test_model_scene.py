"""Real-world model features that must not change the standard scene (real Blender, tiny renders):
importer helpers of skinned models stay out of the framing, lights and cameras in the file stay
dark, single-sided faces are culled from behind. Assertions are on pixels."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from PIL import Image

from blender_addon.contract.render_job import RenderJob
from blender_addon.contract.spec import preset
from driver.demo.assets import write_textured_glb
from driver.demo.glb_writer import Material, Mesh, box_mesh, glb_bytes
from tests.support.blender import run_headless
from tests.support.glb_edit import add_accessor, rewrite_glb, rewrite_glb_json

pytestmark = pytest.mark.blender

HERO = preset("hero").with_changes(resolution=(48, 48), samples=4)  # camera above, at 35°


def render(tmp_path: Path, glb: Path, name: str) -> tuple[npt.NDArray[np.float64], dict[str, Any]]:
    """The first view as an RGBA array, and the render result."""
    job = RenderJob(glb, tmp_path / name, HERO)
    proc, result = run_headless(job, tmp_path / f"{name}.json")
    assert proc.returncode == 0, proc.stderr[-2000:]
    view = tmp_path / name / result["views"][0]["file"]
    return np.asarray(Image.open(view), dtype=np.float64), result


def coverage(rgba: npt.NDArray[np.float64]) -> float:
    return float((rgba[..., 3] > 128).mean())


def skin(doc: dict[str, Any], binary: bytearray) -> None:
    """One joint that every vertex follows (identity bind pose): a minimal skinned model."""
    n = doc["accessors"][0]["count"]
    weights = np.zeros((n, 4), np.float32)
    weights[:, 0] = 1.0
    prim = doc["meshes"][0]["primitives"][0]
    prim["attributes"]["JOINTS_0"] = add_accessor(
        doc, binary, np.zeros((n, 4), np.uint16), 5123, "VEC4"
    )
    prim["attributes"]["WEIGHTS_0"] = add_accessor(doc, binary, weights, 5126, "VEC4")
    ibm = add_accessor(doc, binary, np.eye(4, dtype=np.float32).reshape(1, 16), 5126, "MAT4")
    doc["nodes"][0]["skin"] = 0
    doc["nodes"].append({"name": "root_joint"})
    doc["skins"] = [{"joints": [1], "inverseBindMatrices": ibm}]
    doc["scenes"][0]["nodes"] = [0, 1]


def test_a_small_skinned_model_fills_the_frame_like_the_same_model_unskinned(
    tmp_path: Path,
) -> None:
    plain = write_textured_glb(tmp_path / "plain.glb", mesh=box_mesh((0.1, 0.1, 0.1)))
    rigged = write_textured_glb(tmp_path / "rigged.glb", mesh=box_mesh((0.1, 0.1, 0.1)))
    rewrite_glb(rigged, skin)
    plain_px, _ = render(tmp_path, plain, "plain")
    rigged_px, result = render(tmp_path, rigged, "rigged")
    # The importer's 2 m bone-shape sphere made this box a speck (a few % of the frame).
    assert coverage(rigged_px) == pytest.approx(coverage(plain_px), abs=0.02)
    assert coverage(rigged_px) > 0.2
    assert result["stats"]["helpers_not_rendered"] == 1
    assert result["normalization"]["scale"] == pytest.approx(10.0, rel=0.01)


def test_lights_and_cameras_in_the_file_do_not_light_the_standard_scene(tmp_path: Path) -> None:
    plain = write_textured_glb(tmp_path / "plain.glb")
    lit = write_textured_glb(tmp_path / "lit.glb")

    def lamps(doc: dict[str, Any]) -> None:
        doc["extensionsUsed"] = ["KHR_lights_punctual"]
        doc["extensions"] = {
            "KHR_lights_punctual": {
                "lights": [
                    {"type": "point", "color": [1, 0, 0], "intensity": 5000, "name": "red"},
                    {"type": "directional", "color": [0, 0, 1], "intensity": 50, "name": "blue"},
                ]
            }
        }
        doc["cameras"] = [{"type": "perspective", "perspective": {"yfov": 0.3, "znear": 0.1}}]
        doc["nodes"] += [
            {"name": "Lamp_red", "translation": [0.8, 0.8, 0.8], "extensions": {
                "KHR_lights_punctual": {"light": 0}}},
            {"name": "Lamp_blue", "extensions": {"KHR_lights_punctual": {"light": 1}}},
            {"name": "FileCam", "camera": 0, "translation": [0, 0, 3]},
        ]  # fmt: skip
        doc["scenes"][0]["nodes"] = [0, 1, 2, 3]

    rewrite_glb_json(lit, lamps)
    plain_px, _ = render(tmp_path, plain, "plain")
    lit_px, result = render(tmp_path, lit, "lit")
    # A 5000 W red lamp next to the box would tint it; hidden, the pixels are the same.
    assert np.abs(lit_px - plain_px)[..., :3].mean() < 1.0
    warning = next(w for w in result["warnings"] if w.startswith("not rendered: "))
    assert "2 lights" in warning and "1 camera" in warning


def plane(y_normal: float) -> Mesh:
    """A 1 x 1 horizontal plane whose winding (what Cycles calls its front) faces +Y or -Y."""
    pos = np.array([[-0.5, 0, -0.5], [0.5, 0, -0.5], [0.5, 0, 0.5], [-0.5, 0, 0.5]], np.float32)
    down = np.array([0, 1, 2, 0, 2, 3], np.uint32)  # (v1-v0) x (v2-v0) points to -Y
    indices = down if y_normal < 0 else down.reshape(-1, 3)[:, ::-1].reshape(-1)
    normals = np.tile(np.array([0, y_normal, 0], np.float32), (4, 1))
    uvs = np.array([[0, 0], [1, 0], [1, 1], [0, 1]], np.float32)
    return Mesh(pos, normals, uvs, indices)


def test_a_single_sided_face_seen_from_behind_is_culled(tmp_path: Path) -> None:
    grey = Material(base_color=(0.6, 0.6, 0.6, 1.0))
    px: dict[str, npt.NDArray[np.float64]] = {}
    for name, y_normal, double in [
        ("front", 1.0, False),  # faces the camera above it
        ("back", -1.0, False),  # faces away: glTF viewers cull it
        ("two_sided", -1.0, True),
    ]:
        glb = tmp_path / f"{name}.glb"
        glb.write_bytes(glb_bytes(plane(y_normal), grey))

        def sides(doc: dict[str, Any], double: bool = double) -> None:
            doc["materials"][0]["doubleSided"] = double

        rewrite_glb_json(glb, sides)
        px[name], result = render(tmp_path, glb, name)
        assert result["stats"]["single_sided_materials"] == (0 if double else 1)
    assert coverage(px["front"]) > 0.1
    assert coverage(px["two_sided"]) == pytest.approx(coverage(px["front"]), abs=0.02)
    assert coverage(px["back"]) < 0.01


def test_a_real_product_model_renders_framed_without_its_own_cameras(tmp_path: Path) -> None:
    mixer = Path(__file__).resolve().parents[1] / "data" / "realworld" / "Mixer.glb"
    px, result = render(tmp_path, mixer, "mixer")
    assert coverage(px) > 0.1
    assert result["warnings"][0] == (
        "not rendered: 3 cameras (camera0, camera1, camera2) that came with the model"
    )
    assert result["stats"]["helpers_not_rendered"] == 0
    assert all(not name.startswith("camera") for name in result["scene"]["objects"])
