"""What a job folder holds, written and read: the record, the error, the rationales, and the
earlier artifacts a --redo keeps in ``_history/``."""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from blender_addon.contract.atomic import write_json_atomic
from driver import __version__
from driver.results.layout import ERROR_JSON, HISTORY, RATIONALES
from driver.ssot.vf_columns import one_line
from rubric import redact


def read_json_object(path: Path) -> dict[str, Any] | None:
    """The JSON object in ``path``; None when it is missing, unreadable or not an object."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def write_rationales(out_dir: Path, texts: Sequence[str]) -> None:
    """``rationales/rep_N.txt``, one per repeat, replacing those of an earlier run."""
    folder = out_dir / RATIONALES
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for i, text in enumerate(texts):
        (folder / f"rep_{i}.txt").write_text(text, encoding="utf-8")


def read_rationales(out_dir: Path) -> list[str]:
    """The texts of the judge's repeats, in repeat order."""
    folder = out_dir / RATIONALES
    files = sorted(folder.glob("rep_*.txt"), key=lambda p: int(p.stem.split("_")[1]))
    return [p.read_text(encoding="utf-8", errors="replace") for p in files]


def record_failure(out_dir: Path, message: str) -> str:
    """Write ``error.json`` and return the one-line error. If the folder cannot take it (it is a
    file, the disk is full), the line says so: a job's error is never lost to its own record.
    Secrets are redacted: an exception's text may quote a request header."""
    line = one_line(redact(message))
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        write_json_atomic(out_dir / ERROR_JSON, {"error": line, "tool_version": __version__})
    except OSError as exc:
        line = one_line(redact(f"{line} (and {ERROR_JSON} could not be written: {exc})"))
    return line


def archive_previous(out_dir: Path, stamp: str) -> Path | None:
    """Move a job's earlier artifacts into ``_history/<stamp>/`` (a --redo keeps its evidence);
    returns that folder, or None when there was nothing to keep."""
    if not out_dir.is_dir():
        return None
    earlier = [p for p in out_dir.iterdir() if p.name != HISTORY]
    if not earlier:
        return None
    target, n = out_dir / HISTORY / stamp, 1
    while target.exists():
        n += 1
        target = out_dir / HISTORY / f"{stamp}-{n}"
    target.mkdir(parents=True)
    for path in earlier:
        shutil.move(str(path), target / path.name)
    return target


def history(out_dir: Path) -> list[Path]:
    """The earlier artifacts of a job, oldest first."""
    return sorted((out_dir / HISTORY).glob("*"))
