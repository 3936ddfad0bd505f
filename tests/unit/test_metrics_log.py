"""logs/metrics.log appends."""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from driver.ssot.locking import LockTimeoutError, locked
from driver.ssot.metrics_log import append_log_record, format_log_line

LINE = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ) (\{.*\})$")


def test_format_is_timestamp_then_one_line_json() -> None:
    when = datetime(2025, 11, 22, 21, 25, 8, tzinfo=UTC)
    line = format_log_line({"event": "compute_vfscore", "note": "two\nlines", "n": 3}, when)
    assert line == '2025-11-22T21:25:08Z {"event":"compute_vfscore","note":"two\\nlines","n":3}\n'


def test_append_creates_and_appends(tmp_path: Path) -> None:
    log = tmp_path / "logs" / "metrics.log"
    append_log_record(log, {"event": "a"})
    append_log_record(log, {"event": "b", "skip_reasons": {"done": 2}})
    lines = log.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    records = [json.loads(LINE.match(x).group(2)) for x in lines]  # type: ignore[union-attr]
    assert [r["event"] for r in records] == ["a", "b"]
    assert (tmp_path / "logs" / "metrics.log.lock").exists()


def test_partial_last_line_is_closed_first(tmp_path: Path) -> None:
    log = tmp_path / "metrics.log"
    log.write_text('2025-01-01T00:00:00Z {"event":"cut sh')
    append_log_record(log, {"event": "next"})
    lines = log.read_text().splitlines()
    assert LINE.match(lines[1])
    assert json.loads(LINE.match(lines[1]).group(2)) == {"event": "next"}  # type: ignore[union-attr]


def test_lock_timeout(tmp_path: Path) -> None:
    log = tmp_path / "metrics.log"
    with locked(Path(f"{log}.lock")), pytest.raises(LockTimeoutError, match=r"metrics\.log\.lock"):
        append_log_record(log, {"event": "x"}, lock_timeout_s=0.1)


def test_lock_timeout_is_the_one_given(tmp_path: Path) -> None:
    log = tmp_path / "metrics.log"
    start = time.monotonic()
    with locked(Path(f"{log}.lock")), pytest.raises(LockTimeoutError, match=r"within 0\.2s"):
        append_log_record(log, {"event": "x"}, lock_timeout_s=0.2)
    assert time.monotonic() - start < 10  # not the 60 s default


def test_text_stays_readable_and_folders_are_created(tmp_path: Path) -> None:
    log = tmp_path / "deep" / "logs" / "metrics.log"
    line = append_log_record(log, {"event": "x", "product": "Crème brûlée"})
    assert "Crème brûlée" in line and log.read_text(encoding="utf-8") == line


def test_a_one_byte_partial_line_and_a_complete_file(tmp_path: Path) -> None:
    log = tmp_path / "metrics.log"
    log.write_text("x")
    append_log_record(log, {"event": "a"})
    append_log_record(log, {"event": "b"})
    lines = log.read_text().split("\n")
    assert lines[0] == "x" and len(lines) == 4 and lines[-1] == ""
    assert all(LINE.match(x) for x in lines[1:3])  # no blank line between records
