"""VFScore's public face: what archi3D and other callers import.

The work is done by the packages of the house (``driver``, ``rubric``, ``blender_addon``,
``hdri``); this package names the entry points they offer.
"""

from driver import __version__

__all__ = ["__version__"]
