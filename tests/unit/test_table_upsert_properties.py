"""Property-based tests of the SSOT upsert: any sequence of batches behaves like a dict model."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from driver.ssot.table_io import read_table, update_csv_atomic
from driver.ssot.table_merge import merge_rows

KEYS = ["run_id", "job_id"]
OTHER_COLS = [
    "status",
    "product_id",
    "variant",
    "note",
    "vf_status",
    "vfscore_overall",
    "x,y",
    'q"c',
]

tricky_text = st.sampled_from(
    [
        "",
        "0",
        "2",
        "1.0",
        "000123",
        "123456789012",
        "20251122",
        "1e5",
        "nan",
        "NA",
        "None",
        "default",
        "Blue",
        "a,b",
        'say "hi"',
        "line1\nline2",
        "cr\rlf",
        "crlf\r\nx",
        " lead",
        "Blü",
        "日本語",
        "tab\there",
        "=1+2",
    ]
)
cell = st.one_of(tricky_text, st.text(max_size=8))
key_part = st.sampled_from(
    ["20251122", "2025-11-22T21-25-08Z", "123456789012", "00000000abcd", "7", "007"]
)


@st.composite
def batches(draw: st.DrawFn) -> tuple[list[str], list[dict[str, str]]]:
    cols = KEYS + draw(st.lists(st.sampled_from(OTHER_COLS), unique=True, max_size=4))
    n = draw(st.integers(min_value=0, max_value=5))
    rows = [{c: (draw(key_part) if c in KEYS else draw(cell)) for c in cols} for _ in range(n)]
    return cols, rows


def apply_model(
    model: dict[tuple[str, str], dict[str, str]],
    order: list[str],
    cols: list[str],
    rows: list[dict[str, str]],
) -> None:
    for c in cols:
        if c not in order:
            order.append(c)
    for row in rows:
        key = (row["run_id"], row["job_id"])
        target = model.setdefault(key, {})
        target.update(row)


def table_as_model(path: Path) -> tuple[list[str], dict[tuple[str, str], dict[str, str]], int]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = list(reader)
    model = {}
    for r in rows:
        assert len(r) == len(header)
        d = dict(zip(header, r, strict=True))
        model[(d["run_id"], d["job_id"])] = {c: v for c, v in d.items() if v != ""}
    return header, model, len(rows)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(initial=batches(), sequence=st.lists(batches(), min_size=1, max_size=5))
def test_any_sequence_of_upserts_matches_the_model(tmp_path: Path, initial, sequence) -> None:
    path = tmp_path / "generations.csv"
    path.unlink(missing_ok=True)
    path.with_suffix(".lock").unlink(missing_ok=True)
    model: dict[tuple[str, str], dict[str, str]] = {}
    order: list[str] = []
    for cols, rows in [initial, *sequence]:
        if not rows:
            continue
        before = path.read_bytes() if path.exists() else None
        before_model = table_as_model(path)[1] if before is not None else {}
        batch_keys = {(r["run_id"], r["job_id"]) for r in rows}
        update_csv_atomic(path, pd.DataFrame(rows, columns=cols, dtype=object), KEYS)
        apply_model(model, order, cols, rows)

        header, on_disk, n_rows = table_as_model(path)
        assert header == order
        assert n_rows == len(model), "keys must stay unique"
        expected = {k: {c: v for c, v in row.items() if v != ""} for k, row in model.items()}
        assert on_disk == expected
        # Cells outside the batch's rows and columns are untouched.
        for key, old in before_model.items():
            if key not in batch_keys:
                assert on_disk[key] == old
            else:
                for c, v in old.items():
                    if c not in cols:
                        assert on_disk[key][c] == v

    if path.exists():
        df = read_table(path)
        assert list(df.columns) == order
        for _, r in df.iterrows():
            key = (r["run_id"], r["job_id"])
            for c in order:
                want = model[key].get(c, "")
                got = r[c]
                assert (got is None and want == "") or got == want


@given(
    header=st.just(["run_id", "job_id", "a"]),
    batch=batches(),
)
def test_merge_is_a_no_op_for_an_empty_batch_and_counts_inserts(header, batch) -> None:
    cols, rows = batch
    start = [["r", "j", "keep"]]
    result = merge_rows(header, start, cols, rows, KEYS)
    assert result.rows[0][:3] == ["r", "j", "keep"]
    distinct = {(r["run_id"], r["job_id"]) for r in rows}
    assert result.inserted == len(distinct - {("r", "j")})
    assert result.updated == len(distinct & {("r", "j")})
