"""The panel's settings (``Scene.vfscore``) and the RenderSpec they describe."""

from __future__ import annotations

import bpy
from bpy.props import EnumProperty, IntProperty, StringProperty

from ..contract.spec import DEFAULT_PRESET, PRESETS, RenderSpec
from ..scene.hdri_access import load_registry

_DEFAULT = PRESETS[DEFAULT_PRESET]


# Static item lists: Blender keeps no reference to strings returned by an items callback.
_PRESET_ITEMS = [(name, name, f"{len(s.rig.views)} view(s)") for name, s in PRESETS.items()]
_HDRI_ITEMS = [(e.alias, e.alias, e.description) for e in load_registry().values()]


class VFScoreSettings(bpy.types.PropertyGroup):
    """The panel's choices; together with the preset they make the RenderSpec."""

    preset: EnumProperty(name="Preset", items=_PRESET_ITEMS, default=DEFAULT_PRESET)  # type: ignore[valid-type]
    hdri_alias: EnumProperty(name="HDRI", items=_HDRI_ITEMS, default=_DEFAULT.hdri_alias)  # type: ignore[valid-type]
    seed: IntProperty(name="Seed", default=_DEFAULT.seed, min=0)  # type: ignore[valid-type]
    samples: IntProperty(name="Samples", default=_DEFAULT.samples, min=1, max=65536)  # type: ignore[valid-type]
    resolution: IntProperty(
        name="Resolution", default=_DEFAULT.resolution[0], min=8, max=8192, subtype="PIXEL"
    )  # type: ignore[valid-type]
    output_dir: StringProperty(name="Output", default="//vfscore_renders", subtype="DIR_PATH")  # type: ignore[valid-type]


def settings_spec(settings: VFScoreSettings) -> RenderSpec:
    """The RenderSpec the panel describes."""
    return PRESETS[settings.preset].with_changes(
        seed=settings.seed,
        samples=settings.samples,
        resolution=(settings.resolution, settings.resolution),
        hdri_alias=settings.hdri_alias,
    )
