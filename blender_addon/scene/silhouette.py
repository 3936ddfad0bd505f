"""The model's silhouette seen from any rig pose, by ray casting (no render, milliseconds).

Pose matching compares hundreds of poses with each photo; a Cycles render per pose would cost
seconds each. A BVH of the evaluated triangles answers "does this pixel's ray hit the model"
exactly for the same camera model the renders use (position, rotation and field of view of
:func:`camera_pose` and the rig's square frame).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import bpy
import numpy as np
import numpy.typing as npt
from mathutils import Vector
from mathutils.bvhtree import BVHTree

from ..contract.pose_match import Mask
from .build import camera_pose, world_vertices


@dataclass(frozen=True)
class Model:
    """The normalised model as the pose search sees it: a BVH of its triangles, and its
    vertices (world space, N x 3), whose projection bounds what a ray can hit."""

    tree: BVHTree
    vertices: npt.NDArray[np.float64]


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


def model_bvh(meshes: list[bpy.types.Object]) -> Model:
    """One BVH over the world-space triangles of ``meshes`` (the normalised model)."""
    depsgraph = bpy.context.evaluated_depsgraph_get()
    points, faces, count = [], [], 0
    for obj in meshes:
        co = world_vertices(obj, depsgraph)
        faces.append(_triangles(obj, depsgraph) + count)
        points.append(co)
        count += len(co)
    vertices = np.concatenate(points) if points else np.empty((0, 3))
    triangles = np.concatenate(faces) if faces else np.empty((0, 3), np.int64)
    # fake-bpy-module types FromPolygons as returning None; it returns the tree.
    tree: BVHTree = BVHTree.FromPolygons(
        [tuple(v) for v in vertices.tolist()],
        [tuple(t) for t in triangles.tolist()],
        all_triangles=True,
    )
    return Model(tree, vertices)


def _reach(
    model: Model, position: Vector, axes: npt.NDArray[np.float64], offsets: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Which ray columns and rows can hit the model: a triangle's projection lies inside the box
    of its vertices' projections, so a ray outside that box (padded by one ray) misses."""
    everything = np.ones(len(offsets), dtype=bool)
    if not len(model.vertices):
        return everything, everything
    rel = model.vertices - np.asarray(position, dtype=np.float64)
    depth = -(rel @ axes[:, 2])
    if depth.min() <= 1e-9:  # a vertex at or behind the camera: no projection bounds it
        return everything, everything
    u, v = (rel @ axes[:, 0]) / depth, (rel @ axes[:, 1]) / depth
    pad = float(offsets[1] - offsets[0]) if len(offsets) > 1 else 1.0
    cols = (offsets >= u.min() - pad) & (offsets <= u.max() + pad)
    rows = (offsets >= v.min() - pad) & (offsets <= v.max() + pad)
    return cols, rows


def silhouette(
    model: Model,
    azimuth_deg: float,
    elevation_deg: float,
    distance: float,
    fov_deg: float,
    rays: int,
) -> Mask:
    """(rays, rays) mask of the square frame, row 0 at the top: True where the model is.
    Only the rays that can reach the model are cast."""
    position, rotation = camera_pose(azimuth_deg, elevation_deg, distance)
    axes = np.array(rotation.to_matrix(), dtype=np.float64)  # columns: right, up, back
    half = math.tan(math.radians(fov_deg) / 2.0)
    offsets = ((np.arange(rays) + 0.5) / rays * 2.0 - 1.0) * half
    cols, rows = _reach(model, position, axes, offsets)
    mask = np.zeros((rays, rays), dtype=bool)
    xs = np.nonzero(cols)[0]
    cast = model.tree.ray_cast
    for i, y in enumerate(offsets[::-1]):
        if not rows[rays - 1 - i] or not len(xs):
            continue
        directions = offsets[xs, None] * axes[:, 0] + (y * axes[:, 1] - axes[:, 2])
        mask[i, xs] = [cast(position, d)[0] is not None for d in directions.tolist()]
    return mask
