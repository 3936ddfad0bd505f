"""``logs/metrics.log``: one ``<ISO-8601 UTC> <one-line JSON>`` record per metrics run."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from blender_addon.contract.files import open_regular
from driver.ssot.locking import DEFAULT_LOCK_TIMEOUT_S, locked


def utc_timestamp(now: datetime | None = None) -> str:
    """``2025-11-22T21:25:08Z``: second resolution, always UTC."""
    return (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def format_log_line(record: dict[str, Any], now: datetime | None = None) -> str:
    """The text of one log line, newline included; the JSON is compact and single-line."""
    return f"{utc_timestamp(now)} {json.dumps(record, ensure_ascii=False, separators=(',', ':'))}\n"


def append_log_record(
    path: Path | str, record: dict[str, Any], *, lock_timeout_s: float = DEFAULT_LOCK_TIMEOUT_S
) -> str:
    """Append one record under ``<path>.lock``; returns the line written.

    If an earlier writer was killed mid-line, the partial line is closed first so the new record
    still starts on a line of its own.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = format_log_line(record)
    with locked(Path(f"{path}.lock"), lock_timeout_s), open_regular(path, "log", "a+b") as f:
        f.seek(0, os.SEEK_END)
        if f.tell() > 0:
            f.seek(-1, os.SEEK_END)
            if f.read(1) != b"\n":
                f.write(b"\n")
        f.write(line.encode("utf-8"))
        f.flush()
        os.fsync(f.fileno())
    return line
