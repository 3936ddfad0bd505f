"""Build the installable Blender extension zip: manifest, add-on modules, HDRI registry and files.

The zip is reproducible (sorted entries, fixed timestamps). Inside it, ``hdri/`` becomes a
sub-package of the add-on, because an extension may only import its own modules.
"""

from __future__ import annotations

import tomllib
import zipfile
from pathlib import Path

import blender_addon.contract
import hdri

# The add-on's root is the contract package's parent; the driver imports nothing else of it.
ADDON_DIR = Path(blender_addon.contract.__file__).resolve().parent.parent
HDRI_DIR = Path(hdri.__file__).resolve().parent
# The manifest sits at the repository root, next to the packages.
MANIFEST = ADDON_DIR.parent / "blender_manifest.toml"
# Runs only in the source tree (it puts the source tree on sys.path); not part of the extension.
EXCLUDED_ADDON_FILES = {"headless.py"}
_EPOCH = (1980, 1, 1, 0, 0, 0)


def extension_files() -> dict[str, Path]:
    """Archive name → source file, for every file the extension ships."""
    files = {"blender_manifest.toml": MANIFEST}
    for path in sorted(ADDON_DIR.rglob("*.py")):
        name = path.relative_to(ADDON_DIR).as_posix()
        if name not in EXCLUDED_ADDON_FILES:
            files[name] = path
    for pattern in ("__init__.py", "registry.py", "registry.json", "*.hdr"):
        for path in sorted(HDRI_DIR.glob(pattern)):
            files[f"hdri/{path.name}"] = path
    return files


def manifest_version() -> str:
    """The extension version declared in ``blender_manifest.toml``."""
    with open(MANIFEST, "rb") as f:
        return str(tomllib.load(f)["version"])


def build_extension_zip(out_dir: Path) -> Path:
    """Write ``vfscore-<version>.zip`` into ``out_dir`` and return its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"vfscore-{manifest_version()}.zip"
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, path in sorted(extension_files().items()):
            info = zipfile.ZipInfo(name, date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, path.read_bytes())
    return target
