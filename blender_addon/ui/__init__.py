"""bpy: the extension's settings, operators and panel (Properties ▸ Render ▸ VFScore)."""

from __future__ import annotations

import bpy
from bpy.props import PointerProperty

from .operators import (
    VFSCORE_OT_build_around_selection,
    VFSCORE_OT_import_and_build,
    VFSCORE_OT_render_views,
    VFSCORE_OT_view_camera,
)
from .panel import VFSCORE_PT_panel
from .properties import VFScoreSettings

CLASSES = (
    VFScoreSettings,
    VFSCORE_OT_import_and_build,
    VFSCORE_OT_build_around_selection,
    VFSCORE_OT_view_camera,
    VFSCORE_OT_render_views,
    VFSCORE_PT_panel,
)


def register() -> None:
    """Register the classes and ``Scene.vfscore``."""
    for cls in CLASSES:
        bpy.utils.register_class(cls)
    bpy.types.Scene.vfscore = PointerProperty(type=VFScoreSettings)


def unregister() -> None:
    """Remove everything :func:`register` added."""
    del bpy.types.Scene.vfscore
    for cls in reversed(CLASSES):
        bpy.utils.unregister_class(cls)
