"""The four failures of archi3D's own upsert (SSOT.md), each reproduced against ours."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from driver.ssot.table_io import update_csv_atomic

KEYS = ["run_id", "job_id"]


def archi3d_table(path: Path, rows: list[dict[str, str]]) -> None:
    """Write a table the way archi3D does."""
    pd.DataFrame(rows).to_csv(path, index=False, encoding="utf-8-sig")


def read_back(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)


def test_all_digit_job_id_in_batch_does_not_blank_other_job_ids(tmp_path: Path) -> None:
    path = tmp_path / "generations.csv"
    archi3d_table(
        path,
        [
            {"run_id": "r1", "job_id": "a1b2c3d4e5f6", "status": "completed"},
            {"run_id": "r1", "job_id": "123456789012", "status": "completed"},
            {"run_id": "r1", "job_id": "ffffffffffff", "status": "failed"},
        ],
    )
    batch = pd.DataFrame([{"run_id": "r1", "job_id": "123456789012", "vf_status": "ok"}])
    assert update_csv_atomic(path, batch, KEYS) == (0, 1, ())
    df = read_back(path)
    assert df["job_id"].tolist() == ["a1b2c3d4e5f6", "123456789012", "ffffffffffff"]
    assert df["vf_status"].tolist() == ["", "ok", ""]


def test_numeric_variant_in_batch_does_not_blank_text_variants(tmp_path: Path) -> None:
    path = tmp_path / "generations.csv"
    archi3d_table(
        path,
        [
            {"run_id": "r1", "job_id": "000000000001", "variant": "default"},
            {"run_id": "r1", "job_id": "000000000002", "variant": "Blue"},
            {"run_id": "r1", "job_id": "000000000003", "variant": "1"},
        ],
    )
    batch = pd.DataFrame([{"run_id": "r1", "job_id": "000000000003", "variant": 2}])
    update_csv_atomic(path, batch, KEYS)
    assert read_back(path)["variant"].tolist() == ["default", "Blue", "2"]


def test_numeric_looking_run_id_is_updated_not_duplicated(tmp_path: Path) -> None:
    path = tmp_path / "generations.csv"
    archi3d_table(path, [{"run_id": "20251122", "job_id": "123456789012", "status": "completed"}])
    batch = pd.DataFrame([{"run_id": "20251122", "job_id": "123456789012", "vf_status": "ok"}])
    assert update_csv_atomic(path, batch, KEYS) == (0, 1, ())
    df = read_back(path)
    assert len(df) == 1
    assert df.loc[0, "run_id"] == "20251122"
    assert df.loc[0, "vf_status"] == "ok"


def test_product_ids_keep_their_leading_zeros(tmp_path: Path) -> None:
    path = tmp_path / "generations.csv"
    archi3d_table(
        path,
        [
            {"run_id": "r", "job_id": "000000000001", "product_id": "000123"},
            {"run_id": "r", "job_id": "000000000002", "product_id": "0042"},
        ],
    )
    batch = pd.DataFrame([{"run_id": "r", "job_id": "000000000001", "vfscore_overall": 71}])
    update_csv_atomic(path, batch, KEYS)
    df = read_back(path)
    assert df["product_id"].tolist() == ["000123", "0042"]
    assert df["job_id"].tolist() == ["000000000001", "000000000002"]
