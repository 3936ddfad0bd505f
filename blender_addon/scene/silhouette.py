"""The model's silhouette seen from any rig pose, by ray casting (no render, milliseconds).

Pose matching compares hundreds of poses with each photo; a Cycles render per pose would cost
seconds each. A BVH of the evaluated triangles answers "does this pixel's ray hit the model"
exactly for the same camera model the renders use (position, rotation and field of view of
:func:`camera_pose` and the rig's square frame).
"""

from __future__ import annotations

import math

import bpy
import numpy as np
import numpy.typing as npt
from mathutils import Vector
from mathutils.bvhtree import BVHTree

from ..contract.pose_match import Mask
from .build import camera_pose, world_vertices


def _triangles(obj: bpy.types.Object, depsgraph: bpy.types.Depsgraph) -> npt.NDArray[np.int64]:
    evaluated = obj.evaluated_get(depsgraph)
    mesh = evaluated.to_mesh()
    try:
        mesh.calc_loop_triangles()
        tris = np.empty(len(mesh.loop_triangles) * 3, dtype=np.int64)
        mesh.loop_triangles.foreach_get("vertices", tris)
    finally:
        evaluated.to_mesh_clear()
    return tris.reshape(-1, 3)


def model_bvh(meshes: list[bpy.types.Object]) -> BVHTree:
    """One BVH over the world-space triangles of ``meshes`` (the normalised model)."""
    depsgraph = bpy.context.evaluated_depsgraph_get()
    vertices: list[tuple[float, float, float]] = []
    triangles: list[tuple[int, int, int]] = []
    for obj in meshes:
        co = world_vertices(obj, depsgraph)
        tris = _triangles(obj, depsgraph) + len(vertices)
        vertices += [tuple(v) for v in co.tolist()]
        triangles += [tuple(t) for t in tris.tolist()]
    # fake-bpy-module types FromPolygons as returning None; it returns the tree.
    tree: BVHTree = BVHTree.FromPolygons(vertices, triangles, all_triangles=True)
    return tree


def silhouette(
    tree: BVHTree,
    azimuth_deg: float,
    elevation_deg: float,
    distance: float,
    fov_deg: float,
    rays: int,
) -> Mask:
    """(rays, rays) mask of the square frame, row 0 at the top: True where the model is."""
    position, rotation = camera_pose(azimuth_deg, elevation_deg, distance)
    axes = rotation.to_matrix()
    right, up, back = (Vector(axes.col[i]) for i in range(3))
    half = math.tan(math.radians(fov_deg) / 2.0)
    offsets = ((np.arange(rays) + 0.5) / rays * 2.0 - 1.0) * half
    mask = np.zeros((rays, rays), dtype=bool)
    cast = tree.ray_cast
    for i, y in enumerate(offsets[::-1]):
        row_dir = up * float(y) - back
        for j, x in enumerate(offsets):
            mask[i, j] = cast(position, row_dir + right * float(x))[0] is not None
    return mask
