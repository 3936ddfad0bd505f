"""The report's pure parts: job status, the aggregate status truth table, CSV cells."""

from __future__ import annotations

import itertools

import pytest

from driver.report.model import aggregate_status, job_status, median_ci, split_not_evaluated
from driver.report.tables import flatten, safe_cell


@pytest.mark.parametrize(
    ("row", "fail_under", "status"),
    [
        ({"vf_status": "ok", "vfscore_overall": "70"}, None, "pass"),
        ({"vf_status": "ok", "vfscore_overall": "70"}, 70, "pass"),
        ({"vf_status": "ok", "vfscore_overall": "69"}, 70, "fail"),
        ({"vf_status": "error", "vf_error": "GLB import failed: x"}, None, "error"),
        ({"vf_status": "error", "vf_error": "not evaluated: quota — rerun"}, None,
         "not_evaluated_after_error"),
        ({"status": "failed"}, None, "skipped"),
    ],
)  # fmt: skip
def test_job_status(row: dict[str, str], fail_under: float | None, status: str) -> None:
    assert job_status(row, fail_under) == status


def test_aggregate_status_truth_table() -> None:
    kinds = ["pass", "fail", "error", "not_evaluated_after_error"]
    for n in range(len(kinds) + 1):
        for combo in itertools.combinations(kinds, n):
            got = aggregate_status(list(combo))
            if {"error", "not_evaluated_after_error"} & set(combo):
                assert got == "error", combo
            elif "fail" in combo:
                assert got == "fail", combo
            elif "pass" in combo:
                assert got == "pass", combo
            else:
                assert got == "skipped", combo


def test_not_evaluated_is_split_into_root_and_hint() -> None:
    message = "not evaluated: openai:x: quota exhausted — nothing was retried; rerun it"
    assert split_not_evaluated(message) == (
        "openai:x: quota exhausted",
        "nothing was retried; rerun it",
    )


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("plain", "plain"),
        (-0.5, "-0.5"),  # numbers stay numbers
        (12.0, "12"),
        (None, ""),
    ],
)
def test_formula_looking_text_is_neutralised(value: object, cell: str) -> None:
    assert safe_cell(value) == cell


def test_flatten() -> None:
    assert flatten({"a": {"b": 1, "c": [1, 2]}, "d": {}}, "record") == {
        "record.a.b": 1,
        "record.a.c": [1, 2],
        "record.d": {},
    }


def test_median_ci_is_deterministic_and_brackets_the_median() -> None:
    ci = median_ci([50, 60, 70, 80, 90])
    assert ci == median_ci([50, 60, 70, 80, 90])
    assert ci["low"] <= ci["median"] == 70 <= ci["high"]  # type: ignore[operator]
    assert median_ci([])["median"] is None


def test_split_keeps_a_root_that_contains_the_separator_whole_on_the_left() -> None:
    assert split_not_evaluated("not evaluated: a — b — c") == ("a", "b — c")
    assert split_not_evaluated("plain — hint") == ("plain", "hint")
