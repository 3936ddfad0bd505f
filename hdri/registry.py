"""The HDRI registry: alias → file, sha256, licence, description (``registry.json``).

Two sources: ``project`` files live in this folder; ``blender`` files are the CC0 HDRIs Blender
ships in ``datafiles/studiolights/world/``, found in the running Blender. Every file is checked
against its recorded sha256 before it lights a render.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from blender_addon.contract.files import open_regular

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


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file's bytes (a regular file only: see ``open_regular``)."""
    h = hashlib.sha256()
    with open_regular(path) as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


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
