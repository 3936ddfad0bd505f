"""The batched SSOT writer flushes on size, on time and on exit."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from driver.ssot.batched_upsert import BatchedUpserter

KEYS = ["run_id", "job_id"]


def rows_on_disk(path: Path) -> int:
    return len(pd.read_csv(path, encoding="utf-8-sig", dtype=str)) if path.exists() else 0


def test_flushes_every_n_rows_and_on_exit(tmp_path: Path) -> None:
    path = tmp_path / "generations.csv"
    with BatchedUpserter(path, KEYS, flush_rows=4, flush_seconds=1e9) as w:
        for i in range(10):
            w.add({"run_id": "r", "job_id": f"{i:012d}", "vf_status": "ok"})
            assert rows_on_disk(path) == (i + 1) // 4 * 4
        assert w.pending == 2
    assert rows_on_disk(path) == 10
    assert w.flushes == 3
    assert (w.inserted, w.updated) == (10, 0)


def test_flushes_after_time(tmp_path: Path) -> None:
    now = [0.0]
    path = tmp_path / "generations.csv"
    w = BatchedUpserter(path, KEYS, flush_rows=1000, flush_seconds=30, clock=lambda: now[0])
    w.add({"run_id": "r", "job_id": "a"})
    assert rows_on_disk(path) == 0
    now[0] = 31.0
    w.add({"run_id": "r", "job_id": "b"})
    assert rows_on_disk(path) == 2
    assert w.flushes == 1


def test_pending_rows_are_written_when_the_block_raises(tmp_path: Path) -> None:
    path = tmp_path / "generations.csv"
    with (
        pytest.raises(RuntimeError),
        BatchedUpserter(path, KEYS, flush_rows=100, flush_seconds=30) as w,
    ):
        w.add({"run_id": "r", "job_id": "a", "vfscore_overall": 70.0})
        raise RuntimeError("coordinator crashed")
    df = pd.read_csv(path, encoding="utf-8-sig", dtype=str)
    assert df.loc[0, "vfscore_overall"] == "70"


def test_row_without_key_is_refused(tmp_path: Path) -> None:
    w = BatchedUpserter(tmp_path / "t.csv", KEYS, flush_rows=1, flush_seconds=30)
    with pytest.raises(ValueError, match="job_id"):
        w.add({"run_id": "r"})


def test_time_is_measured_from_the_last_flush_inclusive(tmp_path: Path) -> None:
    now = [100.0]  # a clock that does not start at 0
    path = tmp_path / "generations.csv"
    w = BatchedUpserter(path, KEYS, flush_rows=1000, flush_seconds=5, clock=lambda: now[0])
    now[0] = 104.0
    w.add({"run_id": "r", "job_id": "a"})
    assert w.flushes == 0
    now[0] = 105.0  # exactly flush_seconds later
    w.add({"run_id": "r", "job_id": "b"})
    assert w.flushes == 1 and rows_on_disk(path) == 2


def test_counts_add_up_over_flushes(tmp_path: Path) -> None:
    path = tmp_path / "generations.csv"
    with BatchedUpserter(path, KEYS, flush_rows=2, flush_seconds=1e9) as w:
        for job in ("a", "b", "a", "c", "b", "d"):
            w.add({"run_id": "r", "job_id": job})
    assert (w.flushes, w.inserted, w.updated) == (3, 4, 2)


@pytest.mark.parametrize("flush_rows", [0, -1])
def test_flush_rows_must_be_positive(tmp_path: Path, flush_rows: int) -> None:
    with pytest.raises(ValueError, match="flush_rows must be at least 1"):
        BatchedUpserter(tmp_path / "t.csv", KEYS, flush_rows=flush_rows, flush_seconds=1)
    assert BatchedUpserter(tmp_path / "t.csv", KEYS, flush_rows=1, flush_seconds=1).flush_rows == 1
