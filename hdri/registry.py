"""The HDRI registry: alias → file, sha256, licence, description (``registry.json``).

Two sources: ``project`` files live in this folder; ``blender`` files are the CC0 HDRIs Blender
ships in ``datafiles/studiolights/world/``, found in the running Blender. Every file is checked
against its recorded sha256 before it lights a render.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from blender_addon.contract.digest import sha256_file
else:
    # Inside the packaged extension this folder is a sub-package of the add-on, next to contract/,
    # and no top-level blender_addon exists; in the source tree, hdri is a top-level package.
    try:
        from ..contract.digest import sha256_file
    except ImportError:
        from blender_addon.contract.digest import sha256_file

HDRI_DIR = Path(__file__).resolve().parent
REGISTRY_FILE = HDRI_DIR / "registry.json"


class HdriError(ValueError):
    """An HDRI alias is unknown, its file is missing, or its content is not what was recorded."""


@dataclass(frozen=True)
class HdriEntry:
    alias: str
    source: Literal["project", "blender"]
    file: str
    sha256: str
    license: str
    description: str


@dataclass(frozen=True)
class ResolvedHdri:
    """An HDRI whose file was found and whose sha256 matched the registry."""

    entry: HdriEntry
    path: Path


def load_registry(path: Path = REGISTRY_FILE) -> dict[str, HdriEntry]:
    """Every registered HDRI by alias."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    return {alias: HdriEntry(alias=alias, **fields) for alias, fields in doc["hdris"].items()}


def resolve_hdri(alias: str, blender_world_dir: Path | None) -> ResolvedHdri:
    """Find the file of ``alias`` and verify its sha256.

    ``blender_world_dir`` is the running Blender's ``datafiles/studiolights/world`` folder, needed
    for ``blender`` aliases only.
    """
    registry = load_registry()
    entry = registry.get(alias)
    if entry is None:
        raise HdriError(f"unknown HDRI alias {alias!r}; known: {', '.join(sorted(registry))}")
    if entry.source == "project":
        path = HDRI_DIR / entry.file
    elif blender_world_dir is None:
        raise HdriError(f"HDRI {alias!r} ships with Blender, but no Blender datafiles were given")
    else:
        path = blender_world_dir / entry.file
    if not path.is_file():
        raise HdriError(f"HDRI {alias!r}: file {path} not found")
    actual = sha256_file(path)
    if actual != entry.sha256:
        raise HdriError(
            f"HDRI {alias!r}: sha256 mismatch for {path.name} "
            f"(registry {entry.sha256[:12]}…, file {actual[:12]}…); refusing to render with it"
        )
    return ResolvedHdri(entry, path)
