"""VFScore's Blender extension: the standard scene, its cameras and its renders, inside Blender.

Only ``register()`` imports the bpy-using modules, so the driver can import the pure modules of this
package (the RenderSpec, the render job documents) without Blender.
"""

from __future__ import annotations


def register() -> None:
    """Add the VFScore panel, settings and operators to Blender."""
    from . import ui

    ui.register()


def unregister() -> None:
    """Remove everything :func:`register` added."""
    from . import ui

    ui.unregister()
