"""Reading, formatting and writing tables: interop with archi3D, locks, line endings."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from driver.ssot.locking import LockTimeoutError, locked
from driver.ssot.table_io import lock_path_for, read_table, update_csv_atomic
from driver.ssot.table_merge import TableFormatError, format_cell

KEYS = ["run_id", "job_id"]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (float("nan"), ""),
        (pd.NA, ""),
        (3.0, "3"),
        (np.float64(71.0), "71"),
        (np.int64(5), "5"),
        (0.25, "0.25"),
        ("007", "007"),
        (True, "True"),
        ({"finish": 0.5}, '{"finish":0.5}'),
        (math.inf, "inf"),
    ],
)
def test_format_cell(value: object, text: str) -> None:
    assert format_cell(value) == text


def test_archi3d_table_round_trip(tmp_path: Path) -> None:
    """A table written by pandas.to_csv(utf-8-sig) upserts cleanly and reads back with dtype=str."""
    path = tmp_path / "generations.csv"
    original = pd.DataFrame(
        {
            "run_id": ["2025-11-22T21-25-08Z", "2025-11-22T21-25-08Z", "20251122"],
            "job_id": ["a1b2c3d4e5f6", "123456789012", "000000000777"],
            "status": ["completed", "completed", "failed"],
            "product_id": ["000123", "42", ""],
            "product_name": ['Chair, "oak"', "Lampe\nBlü", "日本"],
            "used_image_1_path": ["dataset/p/images/a.jpg", "", ""],
        }
    )
    original.to_csv(path, index=False, encoding="utf-8-sig")
    batch = pd.DataFrame(
        [
            {
                "run_id": "20251122",
                "job_id": "000000000777",
                "vfscore_overall": 64.0,
                "vf_iqr": 2.5,
                "vf_status": "ok",
                "vf_error": None,
            },
            {
                "run_id": "r2",
                "job_id": "999999999999",
                "vfscore_overall": np.nan,
                "vf_iqr": np.nan,
                "vf_status": "error",
                "vf_error": "missing reference images",
            },
        ]
    )
    assert update_csv_atomic(path, batch, KEYS) == (1, 1, ())
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(back.columns) == [
        *original.columns,
        "vfscore_overall",
        "vf_iqr",
        "vf_status",
        "vf_error",
    ]
    for col in original.columns:
        assert back[col].tolist()[:3] == original[col].tolist()
    assert back["vfscore_overall"].tolist() == ["", "", "64", ""]
    assert back["vf_iqr"].tolist() == ["", "", "2.5", ""]
    assert "nan" not in path.read_text(encoding="utf-8-sig").lower().replace("lampe", "")
    assert back.iloc[3]["vf_error"] == "missing reference images"
    assert back.iloc[3]["status"] == ""


def test_read_table_is_all_text_with_missing_as_none(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("job_id,run_id,n\n000123,20251122,\n", encoding="utf-8-sig")
    df = read_table(path)
    assert list(df.columns) == ["job_id", "run_id", "n"]
    assert df.loc[0, "job_id"] == "000123"
    assert df.loc[0, "run_id"] == "20251122"
    assert df.loc[0, "n"] is None


def test_read_table_without_bom(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(b"run_id,job_id\n1,2\n")
    assert read_table(path).columns.tolist() == ["run_id", "job_id"]


def test_windows_line_endings_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "generations.csv"
    path.write_bytes("\ufeffrun_id,job_id,a\r\nr,j,1\r\n".encode())
    update_csv_atomic(path, pd.DataFrame([{"run_id": "r", "job_id": "j", "b": "x\ry"}]), KEYS)
    raw = path.read_bytes()
    assert raw == '\ufeffrun_id,job_id,a,b\r\nr,j,1,"x\ry"\r\n'.encode()
    assert read_table(path).loc[0, "b"] == "x\ry"


def test_lock_timeout_names_the_lock(tmp_path: Path) -> None:
    path = tmp_path / "generations.csv"
    batch = pd.DataFrame([{"run_id": "r", "job_id": "j"}])
    with locked(lock_path_for(path)), pytest.raises(LockTimeoutError, match=r"generations\.lock"):
        update_csv_atomic(path, batch, KEYS, lock_timeout_s=0.2)
    assert not path.exists()


def test_bad_batches_are_refused_without_touching_the_table(tmp_path: Path) -> None:
    path = tmp_path / "generations.csv"
    path.write_text("run_id,job_id\nr,j\n", encoding="utf-8-sig")
    before = path.read_bytes()
    with pytest.raises(TableFormatError, match="no key column 'job_id'"):
        update_csv_atomic(path, pd.DataFrame([{"run_id": "r"}]), KEYS)
    with pytest.raises(TableFormatError, match="empty key"):
        update_csv_atomic(path, pd.DataFrame([{"run_id": "r", "job_id": None}]), KEYS)
    assert path.read_bytes() == before


def test_ragged_table_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "generations.csv"
    path.write_text("run_id,job_id\nr,j,extra\n", encoding="utf-8-sig")
    with pytest.raises(TableFormatError, match="row 2 has 3 cells"):
        update_csv_atomic(path, pd.DataFrame([{"run_id": "r", "job_id": "j"}]), KEYS)


def test_stale_temp_files_are_cleaned_and_mode_kept(tmp_path: Path) -> None:
    path = tmp_path / "generations.csv"
    path.write_text("run_id,job_id\nr,j\n", encoding="utf-8-sig")
    path.chmod(0o664)
    stale = tmp_path / ".generations.csv.abc123.tmp"
    stale.write_text("half a table")
    update_csv_atomic(path, pd.DataFrame([{"run_id": "r", "job_id": "k"}]), KEYS)
    assert not stale.exists()
    assert path.stat().st_mode & 0o777 == 0o664
    assert sorted(p.name for p in tmp_path.iterdir()) == ["generations.csv", "generations.lock"]


def test_unix_line_endings_are_kept_and_short_rows_padded(tmp_path: Path) -> None:
    path = tmp_path / "generations.csv"
    path.write_bytes("\ufeffrun_id,job_id,a,b\nr,j,1\nr,k,2,3\n".encode())
    df = read_table(path)
    assert df.shape == (2, 4) and df.loc[0, "b"] is None and df.loc[1, "b"] == "3"
    update_csv_atomic(path, pd.DataFrame([{"run_id": "r", "job_id": "k", "a": "9"}]), KEYS)
    assert path.read_bytes() == "\ufeffrun_id,job_id,a,b\nr,j,1,\nr,k,9,3\n".encode()


def test_header_only_and_empty_tables(tmp_path: Path) -> None:
    path = tmp_path / "generations.csv"
    path.write_bytes("\ufeffrun_id,job_id\n".encode())
    df = read_table(path)
    assert list(df.columns) == ["run_id", "job_id"] and len(df) == 0
    path.write_bytes(b"")
    assert read_table(path).shape == (0, 0)
