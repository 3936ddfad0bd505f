"""VFScore's batch side: CLI, workspace and SSOT I/O, job selection, the Blender launcher."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("vfscore")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
