"""The on-disk response cache: one valid answer per (images, rubric, model, parameters, repeat).

Running a finished job again makes no HTTP call; raising repeats from 3 to 5 makes exactly two.
Entries hold the answer, the raw text and token usage, never request headers (so never a key).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any


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
    return hashlib.sha256(
        json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()


class ResponseCache:
    """JSON files under ``root/<2 hex>/<key>.json``, written atomically."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        path = self._path(key)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError, UnicodeDecodeError):
            return None
        return data if isinstance(data, dict) else None

    def put(self, key: str, entry: dict[str, Any]) -> None:
        # rubric/ may not import the driver's or the add-on's helpers (house rules), hence its own
        # temp-file-and-replace write.
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(entry, f, ensure_ascii=False)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
