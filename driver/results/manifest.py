"""Run manifests: one per compute run, ``runs/R/metrics/vfscore/_runs/<UTC time>/manifest.json``,
never overwritten: what ran, with what, where, when, and what it touched."""

from __future__ import annotations

import json
import platform
import sys
from pathlib import Path
from typing import Any

from blender_addon.contract.atomic import write_json_atomic
from driver import __version__
from driver.results.layout import RUNS


def write_manifest(folder: Path, stamp: str, data: dict[str, Any]) -> Path:
    """``folder/_runs/<stamp>/manifest.json`` (a new folder: ``stamp-2``, ... if taken)."""
    base = folder / RUNS
    target, n = base / stamp, 1
    while target.exists():
        n += 1
        target = base / f"{stamp}-{n}"
    target.mkdir(parents=True)
    doc = {
        "command": sys.argv,
        "vfscore_version": __version__,
        "python": platform.python_version(),
        "host": platform.node(),
        **data,
    }
    write_json_atomic(target / "manifest.json", doc)
    return target / "manifest.json"


def latest_manifest(folder: Path) -> dict[str, Any] | None:
    """The newest manifest of the run, or None."""
    found = sorted((folder / RUNS).glob("*/manifest.json"), key=lambda p: p.stat().st_mtime)
    if not found:
        return None
    try:
        doc = json.loads(found[-1].read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) else None
