"""The pose search's silhouettes (real Blender): casting only the rays that can reach the model
gives the mask that casting every ray gives."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from driver.demo.assets import write_textured_glb
from tests.support.blender import run_bpy_script

pytestmark = pytest.mark.blender

SILHOUETTES = """
import json, math
from pathlib import Path
import bpy, numpy as np
from mathutils import Vector
from blender_addon.scene.build import camera_pose, import_model, mesh_objects
from blender_addon.scene.silhouette import model_bvh, silhouette
objects = import_model(Path(GLB))
for obj in mesh_objects(objects):
    obj.scale = (1.0, 0.3, 0.6)  # a flat box: most of a square frame is empty around it
bpy.context.view_layer.update()
model = model_bvh(mesh_objects(objects))
out = []
for az, el, distance in ((0, 20, 3.0), (90, 10, 3.0), (35, 60, 2.5), (200, -30, 4.0)):
    fast = silhouette(model, az, el, distance, 39.6, 40)
    position, rotation = camera_pose(az, el, distance)
    right, up, back = (Vector(rotation.to_matrix().col[i]) for i in range(3))
    half = math.tan(math.radians(39.6) / 2)
    offsets = ((np.arange(40) + 0.5) / 40 * 2 - 1) * half
    every = [[model.tree.ray_cast(position, up * float(y) - back + right * float(x))[0] is not None
              for x in offsets] for y in offsets[::-1]]
    out.append([fast.tolist(), every])
print(json.dumps(out))
"""


def test_culled_rays_give_the_silhouette_of_every_ray(tmp_path: Path) -> None:
    glb = write_textured_glb(tmp_path / "box.glb")
    code = SILHOUETTES.replace("GLB", repr(str(glb)))
    poses = json.loads(run_bpy_script(code).strip().splitlines()[-1])
    for fast, every in poses:
        fast, every = np.array(fast), np.array(every)
        assert 0.02 < every.mean() < 0.6  # the model is in the frame and does not fill it
        assert np.array_equal(fast, every)
