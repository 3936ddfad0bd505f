"""The HDRI registry as seen from inside Blender.

In the source tree (and so in the headless entry the driver launches) ``hdri`` is a top-level
package next to ``blender_addon``; in the installed extension zip it is bundled as a sub-package of
the extension, because an extension may only import its own modules.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import bpy

if TYPE_CHECKING:
    from hdri.registry import HdriError, ResolvedHdri, load_registry, resolve_hdri
else:
    try:
        from ..hdri.registry import (
            HdriError,
            ResolvedHdri,
            load_registry,
            resolve_hdri,
        )
    except ImportError:
        from hdri.registry import (
            HdriError,
            ResolvedHdri,
            load_registry,
            resolve_hdri,
        )

__all__ = [
    "HdriError",
    "ResolvedHdri",
    "blender_world_dir",
    "load_registry",
    "resolve_hdri",
]


def blender_world_dir() -> Path | None:
    """The running Blender's ``datafiles/studiolights/world`` folder, if it has one."""
    found = bpy.utils.system_resource("DATAFILES", path="studiolights/world")
    return Path(found) if found else None
