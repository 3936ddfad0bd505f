"""The pure merge under its edge cases: refused inputs name the problem exactly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from driver.ssot.table_merge import TableFormatError, format_cell, frame_to_rows, merge_rows

KEYS = ["run_id", "job_id"]
HEADER = ["run_id", "job_id", "a"]


def test_refusals_name_the_problem() -> None:
    with pytest.raises(TableFormatError, match=r"^no key columns given$"):
        merge_rows(HEADER, [], HEADER, [], [])
    with pytest.raises(TableFormatError, match=r"^batch has no key column 'job_id'$"):
        merge_rows(HEADER, [], ["run_id", "a"], [], KEYS)
    with pytest.raises(TableFormatError, match=r"^table has duplicate columns: \['a'\]$"):
        merge_rows([*HEADER, "a", "b"], [], HEADER, [], KEYS)
    with pytest.raises(TableFormatError, match=r"^table has no key column 'job_id'$"):
        merge_rows(["run_id", "a"], [], HEADER, [], KEYS)
    with pytest.raises(TableFormatError, match=r"^table row 3 has 4 cells but the header has 3$"):
        merge_rows(HEADER, [["r", "j", "1"], ["r", "k", "1", "x"]], HEADER, [], KEYS)
    with pytest.raises(TableFormatError) as err:
        merge_rows(HEADER, [], HEADER, [{"run_id": "r", "a": "1"}], KEYS)
    assert str(err.value) == "batch row 0 has an empty key {'run_id': 'r', 'job_id': ''}"


def test_a_row_as_long_as_the_header_is_fine_and_short_rows_are_padded() -> None:
    merged = merge_rows(HEADER, [["r", "j", "1"], ["r", "k"]], HEADER, [], KEYS)
    assert merged.rows == [["r", "j", "1"], ["r", "k", ""]]


def test_cells_a_batch_row_lacks_are_blank_not_missing() -> None:
    batch = [{"run_id": "r", "job_id": "j"}, {"run_id": "r", "job_id": "new"}]
    merged = merge_rows(HEADER, [["r", "j", "1"]], HEADER, batch, KEYS)
    assert merged.rows == [["r", "j", ""], ["r", "new", ""]]
    assert (merged.inserted, merged.updated) == (1, 1)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (False, "False"),
        (np.bool_(False), "False"),
        ({"name": "Crème", "w": [1, 2]}, '{"name":"Crème","w":[1,2]}'),
        (["a", "é"], '["a","é"]'),
        (pd.NaT, ""),
        (Path("runs/R"), "runs/R"),
    ],
)
def test_more_cells(value: object, text: str) -> None:
    assert format_cell(value) == text


def test_a_batch_with_duplicate_columns_is_refused() -> None:
    frame = pd.DataFrame([["r", "j", "1", "2"]], columns=["run_id", "job_id", "a", "a"])
    with pytest.raises(TableFormatError, match=r"^batch has duplicate columns: \['a'\]$"):
        frame_to_rows(frame)


def test_every_update_is_counted() -> None:
    rows = [["r", "j", "1"], ["r", "k", "2"], ["r", "l", "3"]]
    batch = [{"run_id": "r", "job_id": j, "a": "x"} for j in ("j", "k", "l", "m")]
    merged = merge_rows(HEADER, rows, HEADER, batch, KEYS)
    assert (merged.inserted, merged.updated) == (1, 3)
