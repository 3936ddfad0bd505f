"""Build the standard scene in Blender from a RenderSpec: normalise, light, frame, configure.

One code path for the add-on and the headless entry, so what an artist sees is the scene the batch
renders. Everything VFScore adds is named ``VFScore_*`` so it can be found and rebuilt.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bpy
import numpy as np
import numpy.typing as npt
from mathutils import Matrix, Quaternion, Vector

from ..contract.framing import Framing, frame_view, render_border
from ..contract.model_format import sniff
from ..contract.spec import RenderSpec

FloatArray = npt.NDArray[np.float64]
ROOT_NAME = "VFScore_Root"
CAMERA_PREFIX = "VFScore_Cam_"
WORLD_NAME = "VFScore_World"
SPEC_PROP = "vfscore_spec"
VIEW_INDEX_PROP = "vfscore_view_index"
# The render border of a standard camera's view (contract/framing.render_border).
BORDER_PROP = "vfscore_border"
HUGE_TRIANGLE_COUNT = 2_000_000
GPU_BACKENDS = ("OPTIX", "CUDA", "HIP", "ONEAPI", "METAL")


@dataclass
class SceneInfo:
    """What building the scene decided and measured."""

    scale: float
    offset: tuple[float, float, float]
    bounds_min: tuple[float, float, float]
    bounds_max: tuple[float, float, float]
    radius: float
    cameras: list[bpy.types.Object]
    framings: list[Framing]  # per camera: distance, lens shift, fill
    device: str
    stats: dict[str, int]
    warnings: list[str] = field(default_factory=list)
    hidden: list[str] = field(default_factory=list)  # other objects of the scene, not rendered


VERTEX_COLOUR_MATERIAL = "VFScore_VertexColour"


def import_model(path: Path) -> list[bpy.types.Object]:
    """Import a .glb, .gltf, .obj or .ply (decided by content) into the current scene; returns
    the objects it created."""
    kind = sniff(path)
    before = set(bpy.data.objects)
    if kind in ("glb", "gltf"):
        bpy.ops.import_scene.gltf(filepath=str(path))
    elif kind == "obj":
        # glTF's convention (Y up, -Z forward) is also Blender's OBJ default.
        bpy.ops.wm.obj_import(filepath=str(path))
    else:
        bpy.ops.wm.ply_import(filepath=str(path))
    objects = [o for o in bpy.data.objects if o not in before]
    if kind == "ply":
        _shade_vertex_colours(objects)
    return objects


def _shade_vertex_colours(objects: list[bpy.types.Object]) -> None:
    """A PLY brings colours per vertex and no material: render them as the base colour, as a
    PLY viewer shows them (generators such as TripoSR carry all appearance this way)."""
    for obj in objects:
        if obj.type != "MESH" or obj.data.materials or not obj.data.color_attributes:
            continue
        mat = bpy.data.materials.new(VERTEX_COLOUR_MATERIAL)
        mat.use_nodes = True
        tree = mat.node_tree
        attribute = tree.nodes.new("ShaderNodeVertexColor")
        attribute.layer_name = obj.data.color_attributes[0].name
        principled = next(n for n in tree.nodes if n.type == "BSDF_PRINCIPLED")
        tree.links.new(attribute.outputs["Color"], principled.inputs["Base Color"])
        obj.data.materials.append(mat)


def renderable(obj: bpy.types.Object) -> bool:
    """Whether Cycles renders ``obj``: not hidden from render itself or through a collection.

    The glTF importer adds helpers that are never rendered, e.g. the 2 m bone-shape sphere of a
    skinned model in its ``glTF_not_exported`` collection; counting them in the bounds made a
    rigged figure a speck in the frame.
    """
    return not obj.hide_render and not any(c.hide_render for c in obj.users_collection)


def mesh_objects(objects: list[bpy.types.Object]) -> list[bpy.types.Object]:
    """The model's meshes that render (importer helpers excluded)."""
    return [o for o in objects if o.type == "MESH" and renderable(o)]


def _count(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


def drop_scene_extras(objects: list[bpy.types.Object]) -> list[str]:
    """Hide the lights and cameras a model file brought (KHR_lights_punctual, glTF cameras):
    the standard scene is lit by its HDRI and seen by its rig only. Returns the warnings."""
    extras = [o for o in objects if o.type in ("LIGHT", "CAMERA") and not o.hide_render]
    for obj in extras:
        obj.hide_render = True
    if not extras:
        return []
    lights = [o.name for o in extras if o.type == "LIGHT"]
    cameras = [o.name for o in extras if o.type == "CAMERA"]
    parts = [
        f"{_count(len(names), kind)} ({', '.join(sorted(names))})"
        for names, kind in ((lights, "light"), (cameras, "camera"))
        if names
    ]
    return [f"not rendered: {' and '.join(parts)} that came with the model"]


CULL_NODE = "VFScore_BackfaceCull"


def cull_single_sided(meshes: list[bpy.types.Object]) -> int:
    """Make single-sided materials (glTF ``doubleSided: false``, which the importer turns into
    ``use_backface_culling``) transparent from behind, as glTF viewers draw them: Cycles
    ignores the flag. Idempotent; returns the number of single-sided materials."""
    materials = {
        slot.material
        for obj in meshes
        for slot in obj.material_slots
        if slot.material is not None
        and slot.material.use_backface_culling
        and slot.material.use_nodes
    }
    for mat in materials:
        tree = mat.node_tree
        if CULL_NODE in tree.nodes:
            continue
        outputs = [n for n in tree.nodes if n.type == "OUTPUT_MATERIAL" and n.is_active_output]
        if not outputs or not outputs[0].inputs["Surface"].is_linked:
            continue
        surface = outputs[0].inputs["Surface"]
        shader = surface.links[0].from_socket
        geometry = tree.nodes.new("ShaderNodeNewGeometry")
        clear = tree.nodes.new("ShaderNodeBsdfTransparent")
        mix = tree.nodes.new("ShaderNodeMixShader")
        mix.name = CULL_NODE
        tree.links.new(geometry.outputs["Backfacing"], mix.inputs["Fac"])
        tree.links.new(shader, mix.inputs[1])
        tree.links.new(clear.outputs["BSDF"], mix.inputs[2])
        tree.links.new(mix.outputs["Shader"], surface)
    return len(materials)


def world_vertices(obj: bpy.types.Object, depsgraph: bpy.types.Depsgraph) -> FloatArray:
    evaluated = obj.evaluated_get(depsgraph)
    mesh = evaluated.to_mesh()
    try:
        co = np.empty(len(mesh.vertices) * 3, dtype=np.float64)
        mesh.vertices.foreach_get("co", co)
    finally:
        evaluated.to_mesh_clear()
    co = co.reshape(-1, 3)
    m = np.array(obj.matrix_world, dtype=np.float64)
    return co @ m[:3, :3].T + m[:3, 3]  # type: ignore[no-any-return]


def model_vertices(meshes: list[bpy.types.Object]) -> FloatArray:
    """Every evaluated vertex of ``meshes`` in world space (N x 3)."""
    depsgraph = bpy.context.evaluated_depsgraph_get()
    co = np.concatenate([world_vertices(o, depsgraph) for o in meshes] or [np.empty((0, 3))])
    if not len(co):
        raise ValueError("the meshes have no vertices")
    return co


def clear_standard_scene(scene: bpy.types.Scene) -> None:
    """Remove what an earlier build added (cameras, root), keeping the model where it is."""
    for obj in list(scene.objects):
        if obj.name.startswith(CAMERA_PREFIX):
            data = obj.data
            bpy.data.objects.remove(obj)
            if data is not None and data.users == 0:
                bpy.data.cameras.remove(data)
    root = bpy.data.objects.get(ROOT_NAME)
    if root is not None:
        for child in list(root.children):
            world = child.matrix_world.copy()
            child.parent = None
            child.matrix_world = world
        bpy.data.objects.remove(root)


def normalise(
    scene: bpy.types.Scene, objects: list[bpy.types.Object], vertices: FloatArray
) -> dict[str, Any]:
    """Parent the model under ``VFScore_Root``: bounds centred at the origin, largest side 1.
    ``vertices`` are the model's (world space); their normalised copy is ``"vertices"``."""
    low, high = vertices.min(axis=0), vertices.max(axis=0)
    size = float(np.max(high - low))
    scale = 1.0 / size if size > 0 else 1.0
    centre = (low + high) / 2.0
    root = bpy.data.objects.new(ROOT_NAME, None)
    scene.collection.objects.link(root)
    chosen = set(objects)
    for obj in objects:
        if obj.parent is None or obj.parent not in chosen:
            world = obj.matrix_world.copy()
            obj.parent = root
            obj.matrix_parent_inverse = Matrix.Identity(4)
            obj.matrix_world = world
    root.scale = (scale, scale, scale)
    root.location = tuple(float(x) for x in -centre * scale)
    bpy.context.view_layer.update()
    return {
        "scale": scale,
        "offset": tuple(float(x) for x in -centre * scale),
        "bounds_min": tuple(float(x) for x in low),
        "bounds_max": tuple(float(x) for x in high),
        "radius": float(np.linalg.norm(high - low) / 2.0 * scale),
        "vertices": (vertices - centre) * scale,
    }


def setup_world(scene: bpy.types.Scene, hdri_path: Path, spec: RenderSpec) -> None:
    """World lit by the HDRI only, with the spec's strength and rotation about Z."""
    world = bpy.data.worlds.get(WORLD_NAME) or bpy.data.worlds.new(WORLD_NAME)
    world.use_nodes = True
    nodes = world.node_tree.nodes
    links = world.node_tree.links
    nodes.clear()
    coords = nodes.new("ShaderNodeTexCoord")
    mapping = nodes.new("ShaderNodeMapping")
    mapping.inputs["Rotation"].default_value = (0.0, 0.0, math.radians(spec.hdri_rotation_deg))
    env = nodes.new("ShaderNodeTexEnvironment")
    env.image = bpy.data.images.load(str(hdri_path), check_existing=True)
    env.interpolation = "Linear"
    background = nodes.new("ShaderNodeBackground")
    background.inputs["Strength"].default_value = spec.hdri_strength
    output = nodes.new("ShaderNodeOutputWorld")
    links.new(coords.outputs["Generated"], mapping.inputs["Vector"])
    links.new(mapping.outputs["Vector"], env.inputs["Vector"])
    links.new(env.outputs["Color"], background.inputs["Color"])
    links.new(background.outputs["Background"], output.inputs["Surface"])
    # The importance map defaults to 1024 px: far finer than the 512x256 studio HDRI needs, and
    # rebuilding it costs most of a small render's time.
    world.cycles.sampling_method = "MANUAL"
    world.cycles.sample_map_resolution = 256
    scene.world = world


def camera_pose(
    azimuth_deg: float, elevation_deg: float, distance: float
) -> tuple[Vector, Quaternion]:
    """Where a rig camera sits (on a sphere of ``distance`` around the origin; azimuth 0 looks
    along +Y, i.e. at the model's front) and its rotation (looking at the origin, Z up)."""
    az, el = math.radians(azimuth_deg), math.radians(elevation_deg)
    position = Vector(
        (
            distance * math.cos(el) * math.sin(az),
            -distance * math.cos(el) * math.cos(az),
            distance * math.sin(el),
        )
    )
    return position, (-position).to_track_quat("-Z", "Y")


def add_cameras(
    scene: bpy.types.Scene, spec: RenderSpec, vertices: FloatArray
) -> tuple[list[bpy.types.Object], list[Framing]]:
    """One camera per view, framed on ``vertices`` (the normalised model) by
    :func:`~blender_addon.contract.framing.frame_view`.

    ``fov_deg`` is the field of view across the shorter side of the image.
    """
    width, height = spec.resolution
    cameras, framings = [], []
    for i, view in enumerate(spec.rig.views):
        f = frame_view(vertices, view.azimuth_deg, view.elevation_deg, spec.rig.fov_deg,
                       spec.resolution, spec.rig.fill)  # fmt: skip
        name = f"{CAMERA_PREFIX}{i:02d}_{view.name}"
        data = bpy.data.cameras.new(name)
        data.lens_unit = "FOV"
        if width >= height:
            data.sensor_fit = "VERTICAL"
            data.angle_y = math.radians(spec.rig.fov_deg)
        else:
            data.sensor_fit = "HORIZONTAL"
            data.angle_x = math.radians(spec.rig.fov_deg)
        data.shift_x, data.shift_y = f.shift_x, f.shift_y
        data.clip_start = max(f.near * 0.5, f.distance * 1e-3)
        data.clip_end = f.far * 2.0
        cam = bpy.data.objects.new(name, data)
        cam[VIEW_INDEX_PROP] = i
        cam[BORDER_PROP] = render_border(f, spec.resolution)
        scene.collection.objects.link(cam)
        cam.location, rotation = camera_pose(view.azimuth_deg, view.elevation_deg, f.distance)
        cam.rotation_mode = "QUATERNION"
        cam.rotation_quaternion = rotation
        cameras.append(cam)
        framings.append(f)
    if cameras:
        scene.camera = cameras[0]
    bpy.context.view_layer.update()
    return cameras, framings


def _choose_device(scene: bpy.types.Scene, spec: RenderSpec, warnings: list[str]) -> str:
    """The first GPU backend with a device (OptiX, CUDA, HIP, oneAPI, Metal) for AUTO and GPU,
    else the CPU (a warning only when a GPU was asked for); returns what rendered."""
    if spec.device in ("AUTO", "GPU"):
        addon = bpy.context.preferences.addons.get("cycles")
        prefs = addon.preferences if addon is not None else None
        for backend in GPU_BACKENDS if prefs is not None else ():
            try:
                prefs.compute_device_type = backend  # type: ignore[union-attr]
            except TypeError:
                continue
            prefs.get_devices()  # type: ignore[union-attr]
            devices = [d for d in prefs.devices if d.type == backend]  # type: ignore[union-attr]
            if devices:
                for d in prefs.devices:  # type: ignore[union-attr]
                    d.use = d.type == backend
                scene.cycles.device = "GPU"
                return f"GPU:{backend}:{','.join(sorted(d.name for d in devices))}"
        if spec.device == "GPU":
            warnings.append("GPU requested but no GPU device is available; rendered on the CPU")
    scene.cycles.device = "CPU"
    return "CPU"


def configure_light_paths(cycles: Any, spec: RenderSpec) -> None:
    """Bounces per kind, caustics, indirect clamping and the texture size limit."""
    cycles.max_bounces = spec.max_bounces
    cycles.diffuse_bounces = spec.diffuse_bounces
    cycles.glossy_bounces = spec.glossy_bounces
    cycles.transmission_bounces = spec.transmission_bounces
    cycles.transparent_max_bounces = spec.transparent_bounces
    cycles.volume_bounces = 0
    cycles.caustics_reflective = cycles.caustics_refractive = spec.caustics
    cycles.sample_clamp_direct = 0.0
    cycles.sample_clamp_indirect = spec.clamp_indirect
    cycles.texture_limit_render = str(spec.texture_limit) if spec.texture_limit else "OFF"


def configure_render(scene: bpy.types.Scene, spec: RenderSpec, warnings: list[str]) -> str:
    """Cycles, sampling, colour management and output as the spec says; returns the device used."""
    render = scene.render
    render.engine = "CYCLES"
    device = _choose_device(scene, spec, warnings)
    cycles = scene.cycles
    cycles.samples = spec.samples
    cycles.use_adaptive_sampling = spec.adaptive_threshold > 0
    cycles.adaptive_threshold = spec.adaptive_threshold
    cycles.use_denoising = spec.denoiser != "NONE"
    if spec.denoiser != "NONE":
        cycles.denoiser = spec.denoiser
        cycles.denoising_input_passes = spec.denoise_passes
        cycles.denoising_prefilter = spec.denoise_prefilter
        cycles.denoising_quality = spec.denoise_quality
        cycles.denoising_use_gpu = False
    configure_light_paths(cycles, spec)
    cycles.seed = spec.seed
    cycles.use_animated_seed = False
    render.resolution_x, render.resolution_y = spec.resolution
    render.resolution_percentage = 100
    render.pixel_aspect_x = render.pixel_aspect_y = 1.0
    render.film_transparent = spec.film_transparent
    # Keep BVH, textures and the light importance map between the views of one job.
    render.use_persistent_data = True
    # Stamps and PNG text metadata carry dates, times and hostnames: off, so equal inputs give
    # equal bytes.
    render.use_stamp = False
    for prop in render.bl_rna.properties:
        if prop.identifier.startswith("use_stamp"):
            setattr(render, prop.identifier, False)
    settings = render.image_settings
    settings.file_format = spec.output_format
    settings.color_mode = "RGBA"
    settings.color_depth = spec.color_depth
    settings.compression = 15
    scene.display_settings.display_device = "sRGB"
    view = scene.view_settings
    view.view_transform = spec.view_transform
    view.look = spec.look
    view.exposure = spec.exposure
    view.gamma = spec.gamma
    view.use_curve_mapping = False
    scene[SPEC_PROP] = json.dumps(spec.to_dict(), sort_keys=True)
    return device


def _non_manifold_edges(mesh: bpy.types.Mesh) -> int:
    """Edges not shared by exactly two faces, after welding vertices at equal positions.

    glTF meshes are split at every UV seam and hard edge, so without welding every seam would
    count as an open boundary.
    """
    if not len(mesh.edges) or not len(mesh.loops):
        return 0
    co = np.empty(len(mesh.vertices) * 3, dtype=np.float64)
    mesh.vertices.foreach_get("co", co)
    _, weld = np.unique(np.round(co.reshape(-1, 3), 6), axis=0, return_inverse=True)
    ends = np.empty(len(mesh.edges) * 2, dtype=np.int64)
    mesh.edges.foreach_get("vertices", ends)
    welded = np.sort(weld.reshape(-1)[ends.reshape(-1, 2)], axis=1)
    _, edge_ids = np.unique(welded, axis=0, return_inverse=True)
    loop_edges = np.empty(len(mesh.loops), dtype=np.int64)
    mesh.loops.foreach_get("edge_index", loop_edges)
    faces_per_edge = np.bincount(edge_ids.reshape(-1)[loop_edges])
    return int(np.count_nonzero(faces_per_edge != 2))


def mesh_warnings(meshes: list[bpy.types.Object]) -> tuple[dict[str, int], list[str]]:
    """Counts (meshes, vertices, triangles) and warnings, one line per kind: non-manifold edges
    (how many meshes, the worst one), huge polycount."""
    warnings: list[str] = []
    triangles = vertices = 0
    open_meshes: list[tuple[float, int, int, str]] = []
    for obj in meshes:
        mesh = obj.data
        mesh.calc_loop_triangles()
        triangles += len(mesh.loop_triangles)
        vertices += len(mesh.vertices)
        bad = _non_manifold_edges(mesh)
        if bad:
            open_meshes.append((bad / len(mesh.edges), bad, len(mesh.edges), obj.name))
    if open_meshes:
        _, bad, edges, name = max(open_meshes)
        warnings.append(
            f"non-manifold edges in {len(open_meshes)} of {_count(len(meshes), 'mesh', 'meshes')} "
            f"(worst: {bad} of {edges} edges in {name!r})"
        )
    if triangles > HUGE_TRIANGLE_COUNT:
        warnings.append(f"huge polycount: {triangles} triangles (over {HUGE_TRIANGLE_COUNT})")
    return {"meshes": len(meshes), "vertices": vertices, "triangles": triangles}, warnings


def unloadable_images(objects: list[bpy.types.Object]) -> list[str]:
    """Names of images used by the objects' materials that Blender could not load."""
    bad = []
    seen: set[str] = set()
    for obj in mesh_objects(objects):
        for slot in obj.material_slots:
            mat = slot.material
            if mat is None or not mat.use_nodes:
                continue
            for node in mat.node_tree.nodes:
                image = getattr(node, "image", None)
                if image is None or image.name in seen:
                    continue
                seen.add(image.name)
                if image.size[0] == 0 or image.size[1] == 0:
                    bad.append(image.name)
    return sorted(bad)


def build_standard_scene(
    scene: bpy.types.Scene, objects: list[bpy.types.Object], spec: RenderSpec, hdri_path: Path
) -> SceneInfo:
    """Turn ``scene`` into the standard scene around ``objects`` (the model)."""
    meshes = mesh_objects(objects)
    if not meshes:
        raise ValueError("no mesh in GLB")
    clear_standard_scene(scene)
    warnings = drop_scene_extras(objects)
    stats, mesh_warns = mesh_warnings(meshes)
    warnings += mesh_warns
    stats["single_sided_materials"] = cull_single_sided(meshes)
    stats["helpers_not_rendered"] = sum(
        1 for o in objects if o.type == "MESH" and not renderable(o)
    )
    norm = normalise(scene, objects, model_vertices(meshes))
    setup_world(scene, hdri_path, spec)
    cameras, framings = add_cameras(scene, spec, norm["vertices"])
    kept = [o for o in objects if o.type not in ("LIGHT", "CAMERA")]
    hidden = hide_the_rest(scene, [*kept, *cameras])
    device = configure_render(scene, spec, warnings)
    return SceneInfo(
        scale=norm["scale"],
        offset=norm["offset"],
        bounds_min=norm["bounds_min"],
        bounds_max=norm["bounds_max"],
        radius=norm["radius"],
        cameras=cameras,
        framings=framings,
        device=device,
        stats=stats,
        warnings=warnings,
        hidden=hidden,
    )


def hide_the_rest(scene: bpy.types.Scene, keep: list[bpy.types.Object]) -> list[str]:
    """Hide from render every object that is neither the model nor the standard rig.

    The extension builds the standard scene inside whatever file the artist has open (the
    default Cube, Light and Camera included); only the model, the standard cameras and the
    world may render. Returns the names hidden.
    """
    kept = {o.name for o in keep} | {ROOT_NAME}
    hidden = []
    for obj in scene.objects:
        if obj.name not in kept and not obj.hide_render:
            obj.hide_render = True
            hidden.append(obj.name)
    return sorted(hidden)


def standard_cameras(scene: bpy.types.Scene) -> list[bpy.types.Object]:
    """The cameras of the standard rig, in view order."""
    cams = [o for o in scene.objects if o.name.startswith(CAMERA_PREFIX) and VIEW_INDEX_PROP in o]
    return sorted(cams, key=lambda o: int(o[VIEW_INDEX_PROP]))
