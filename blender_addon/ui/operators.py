"""The extension's operators: import and build, build around selection, cameras, render."""

from __future__ import annotations

import json
from pathlib import Path

import bpy
from bpy.props import IntProperty, StringProperty
from bpy_extras.io_utils import ImportHelper

from ..contract.atomic import write_json_atomic
from ..contract.render_job import RESULT_FILE, RenderFailure, check_glb
from ..contract.spec import RenderSpec, SpecError
from ..render.job import base_result, render_views
from ..scene.build import (
    SPEC_PROP,
    build_standard_scene,
    import_model,
    mesh_objects,
    standard_cameras,
)
from ..scene.dump import scene_dump
from ..scene.hdri_access import HdriError, blender_world_dir, resolve_hdri
from .properties import settings_spec


def _build(
    operator: bpy.types.Operator, context: bpy.types.Context, objects: list[bpy.types.Object]
) -> set[str]:
    try:
        spec = settings_spec(context.scene.vfscore)
        hdri = resolve_hdri(spec.hdri_alias, blender_world_dir())
    except (SpecError, HdriError) as exc:
        operator.report({"ERROR"}, str(exc))
        return {"CANCELLED"}
    if not mesh_objects(objects):
        operator.report({"ERROR"}, "no mesh among the objects")
        return {"CANCELLED"}
    info = build_standard_scene(context.scene, objects, spec, hdri.path)
    for warning in info.warnings:
        operator.report({"WARNING"}, warning)
    if info.hidden:
        operator.report(
            {"INFO"},
            f"hidden from render (not part of the standard scene): {', '.join(info.hidden)}",
        )
    operator.report(
        {"INFO"}, f"standard scene built: {len(info.cameras)} camera(s), device {info.device}"
    )
    return {"FINISHED"}


class VFSCORE_OT_import_and_build(bpy.types.Operator, ImportHelper):  # type: ignore[misc]
    """Import a model (.glb, .gltf, .obj, .ply) and build the VFScore standard scene around it"""

    bl_idname = "vfscore.import_and_build"
    bl_label = "Import Model & Build Standard Scene"
    bl_options = {"REGISTER", "UNDO"}
    filename_ext = ".glb"
    filter_glob: StringProperty(  # type: ignore[valid-type]
        default="*.glb;*.gltf;*.obj;*.ply", options={"HIDDEN"}
    )

    def execute(self, context: bpy.types.Context) -> set[str]:
        path = Path(self.filepath)
        try:
            check_glb(path)
        except RenderFailure as failure:
            self.report({"ERROR"}, failure.line)
            return {"CANCELLED"}
        return _build(self, context, import_model(path))


class VFSCORE_OT_build_around_selection(bpy.types.Operator):
    """Build the VFScore standard scene around the selected objects"""

    bl_idname = "vfscore.build_around_selection"
    bl_label = "Build Around Selection"
    bl_options = {"REGISTER", "UNDO"}

    def execute(self, context: bpy.types.Context) -> set[str]:
        return _build(self, context, list(context.selected_objects))


class VFSCORE_OT_view_camera(bpy.types.Operator):
    """Look through standard camera N"""

    bl_idname = "vfscore.view_camera"
    bl_label = "Look Through Standard Camera"
    index: IntProperty(name="View", default=0, min=0)  # type: ignore[valid-type]

    def execute(self, context: bpy.types.Context) -> set[str]:
        cameras = standard_cameras(context.scene)
        if self.index >= len(cameras):
            self.report(
                {"ERROR"}, f"no standard camera {self.index}: build the standard scene first"
            )
            return {"CANCELLED"}
        context.scene.camera = cameras[self.index]
        space = context.space_data
        if space is not None and space.type == "VIEW_3D":
            space.region_3d.view_perspective = "CAMERA"
        return {"FINISHED"}


class VFSCORE_OT_render_views(bpy.types.Operator):
    """Render the standard views to the output folder (the same files as the batch renderer)"""

    bl_idname = "vfscore.render_views"
    bl_label = "Render Standard Views"
    directory: StringProperty(name="Folder", subtype="DIR_PATH")  # type: ignore[valid-type]

    def execute(self, context: bpy.types.Context) -> set[str]:
        scene = context.scene
        if SPEC_PROP not in scene:
            self.report({"ERROR"}, "build the standard scene first")
            return {"CANCELLED"}
        spec = RenderSpec.from_dict(json.loads(scene[SPEC_PROP]))
        folder = Path(bpy.path.abspath(self.directory or scene.vfscore.output_dir))
        result = base_result(spec, glb=None)
        result["scene"] = scene_dump(scene)
        result["views"] = render_views(scene, standard_cameras(scene), spec, folder)
        result["ok"] = True
        write_json_atomic(folder / RESULT_FILE, result)
        self.report({"INFO"}, f"rendered {len(result['views'])} view(s) into {folder}")
        return {"FINISHED"}
