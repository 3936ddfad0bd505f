"""The on-disk response cache: one valid answer per (images, rubric, model, parameters, repeat).

Running a finished job again makes no HTTP call; raising repeats from 3 to 5 makes exactly two.
Entries hold the answer, the raw text and token usage, never request headers (so never a key).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from blender_addon.contract.atomic import write_json_atomic
from blender_addon.contract.digest import canonical_sha256


def cache_key(
    image_hashes: list[str], rubric_hash: str, provenance: str, params: dict[str, Any], repeat: int
) -> str:
    """sha256 over everything that determines one repeat's answer."""
    doc = {
        "images": image_hashes,
        "rubric": rubric_hash,
        "model": provenance,
        "params": params,
        "repeat": repeat,
    }
    return canonical_sha256(doc)


class ResponseCache:
    """JSON files under ``root/<2 hex>/<key>.json``, written atomically."""

    def __init__(self, root: Path, read: bool = True) -> None:
        self.root = root
        # read=False (``--redo``): every repeat is asked again and its fresh answer replaces
        # the stored one, so a later run without --redo does not bring the old answer back.
        self.read = read

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        """The stored entry, or None (always None when the cache is not read)."""
        if not self.read:
            return None
        path = self._path(key)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError, UnicodeDecodeError):
            return None
        return data if isinstance(data, dict) else None

    def put(self, key: str, entry: dict[str, Any]) -> None:
        """Store one entry atomically (a concurrent reader sees the old or the new file)."""
        write_json_atomic(self._path(key), entry)
