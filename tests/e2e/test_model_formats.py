"""Model formats other than GLB, rendered by real Blender (tiny renders): a .gltf folder, an .obj
with .mtl and texture, a .ply with vertex colours. Each box is one colour; the render must show
that colour, so the right importer ran and the appearance came through."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from blender_addon.contract.render_job import RenderJob
from blender_addon.contract.spec import preset
from tests.support.blender import run_headless
from tests.support.model_files import write_gltf_folder, write_obj, write_ply

pytestmark = pytest.mark.blender

HERO = preset("hero").with_changes(resolution=(48, 48), samples=4)
RED, GREEN = (200, 20, 20), (20, 180, 20)


def mean_colour(tmp_path: Path, model: Path) -> np.ndarray:  # type: ignore[type-arg]
    """Mean RGB (0-1) of the covered pixels of the first view."""
    job = RenderJob(model, tmp_path / "out", HERO)
    proc, result = run_headless(job, tmp_path / "job.json")
    assert proc.returncode == 0, proc.stderr[-2000:]
    rgba = np.asarray(Image.open(tmp_path / "out" / result["views"][0]["file"]), np.float64)
    covered = rgba[..., 3] > 128
    assert covered.mean() > 0.1
    return rgba[covered][:, :3].mean(axis=0) / 255  # type: ignore[no-any-return]


def is_red(rgb: np.ndarray) -> bool:  # type: ignore[type-arg]
    return bool(rgb[0] > 2 * rgb[1] and rgb[0] > 2 * rgb[2])


def test_a_gltf_folder_renders_with_its_external_buffer_and_texture(tmp_path: Path) -> None:
    assert is_red(mean_colour(tmp_path, write_gltf_folder(tmp_path / "m", RED)))


def test_an_obj_renders_with_its_mtl_texture(tmp_path: Path) -> None:
    assert is_red(mean_colour(tmp_path, write_obj(tmp_path / "m", RED)))


def test_a_ply_renders_its_vertex_colours(tmp_path: Path) -> None:
    r, g, b = mean_colour(tmp_path, write_ply(tmp_path / "m.ply", GREEN))
    assert g > 2 * r and g > 2 * b


def test_the_format_is_read_from_the_content_not_the_name(tmp_path: Path) -> None:
    ply = write_ply(tmp_path / "m.ply", GREEN)
    disguised = tmp_path / "generated.glb"
    ply.rename(disguised)
    r, g, b = mean_colour(tmp_path, disguised)
    assert g > 2 * r and g > 2 * b
