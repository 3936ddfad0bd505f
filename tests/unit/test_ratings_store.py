"""The ratings tables: validation, append-only writes that keep every earlier row, supersession,
and (property) any text survives a round trip."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from driver.agreement.store import (
    Comparison,
    Rating,
    RatingError,
    append_comparisons,
    append_ratings,
    current,
    read_ratings,
)

DIMS = ["finish", "texture_identity"]


def rating(**changes: object) -> Rating:
    base: dict[str, object] = {
        "run_id": "r1", "job_id": "000123", "rater": "Ana", "time_utc": "2026-11-22T10:00:00Z",
        "values": {"finish": 4, "texture_identity": 2},
    }  # fmt: skip
    base.update(changes)
    return Rating(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"rater": "<script>x</script>"}, "rater name"),
        ({"rater": ""}, "rater name"),
        ({"values": {"finish": 6, "texture_identity": 2}}, "finish: 6 is not a rating from 1 to 5"),
        ({"values": {"finish": 0, "texture_identity": 2}}, "finish: 0"),
        ({"values": {"finish": True, "texture_identity": 2}}, "finish: True"),
        ({"values": {"finish": 3}}, "no rating for: texture_identity"),
        ({"values": {"finish": 3, "texture_identity": 3, "shape": 1}}, "unknown dimension"),
        ({"note": "a\x00b"}, "control characters"),
        ({"note": "\x1b[31mred"}, "control characters"),
        ({"note": "x" * 4001}, "4001 characters long: at most 4000"),
    ],
)
def test_a_bad_rating_is_refused_and_nothing_is_written(
    tmp_path: Path, bad: dict[str, object], message: str
) -> None:
    table = tmp_path / "vfscore_ratings.csv"
    append_ratings(table, [rating()], DIMS)
    before = table.read_bytes()
    with pytest.raises(RatingError, match=message):
        append_ratings(table, [rating(), rating(**bad)], DIMS)  # the good one is not written
    assert table.read_bytes() == before


def test_edits_supersede_and_earlier_rows_stay(tmp_path: Path) -> None:
    table = tmp_path / "vfscore_ratings.csv"
    (first,) = append_ratings(table, [rating()], DIMS)
    append_ratings(table, [rating(supersedes=first, values={"finish": 1, "texture_identity": 1})],
                   DIMS)  # fmt: skip
    rows = read_ratings(table)
    assert len(rows) == 2 and rows[0]["rating_id"] == first
    live = current(rows)
    assert len(live) == 1 and live[0]["r_finish"] == "1" and live[0]["job_id"] == "000123"
    assert table.read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM like the SSOT


def test_a_new_dimension_widens_the_table_without_touching_old_cells(tmp_path: Path) -> None:
    table = tmp_path / "vfscore_ratings.csv"
    append_ratings(table, [rating()], DIMS)
    wider = [*DIMS, "color_palette"]
    append_ratings(table, [rating(values={"finish": 2, "texture_identity": 2,
                                          "color_palette": 5})], wider)  # fmt: skip
    rows = read_ratings(table)
    assert rows[0]["r_color_palette"] == "" and rows[1]["r_color_palette"] == "5"


@settings(max_examples=40, deadline=None)
@given(
    notes=st.lists(
        st.text(st.characters(blacklist_categories=["Cc", "Cs"]) | st.sampled_from("\n\r\t"),
                max_size=60),
        min_size=1, max_size=5,
    )
)  # fmt: skip
def test_any_note_survives_the_round_trip(tmp_path_factory: pytest.TempPathFactory,
                                          notes: list[str]) -> None:  # fmt: skip
    table = tmp_path_factory.mktemp("r") / "vfscore_ratings.csv"
    append_ratings(table, [rating(note=n) for n in notes], DIMS)
    assert [r["note"] for r in read_ratings(table)] == notes


def _rate_many(table: str, rater: str) -> None:
    for i in range(15):
        append_ratings(Path(table), [rating(rater=rater, job_id=f"{i:06d}")], DIMS)


def test_two_raters_at_once_lose_nothing(tmp_path: Path) -> None:
    table = tmp_path / "vfscore_ratings.csv"
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_rate_many, args=(str(table), name)) for name in ("Ana", "Bo")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
        assert p.exitcode == 0
    rows = read_ratings(table)
    assert sorted((r["rater"], r["job_id"]) for r in rows) == sorted(
        (name, f"{i:06d}") for name in ("Ana", "Bo") for i in range(15)
    )


def comparison(**changes: object) -> Comparison:
    base: dict[str, object] = {
        "run_id": "r1", "job_left": "000001", "job_right": "000002", "rater": "Ana",
        "time_utc": "2026-11-22T10:00:00Z",
        "values": {"finish": "left", "texture_identity": "same"},
    }  # fmt: skip
    base.update(changes)
    return Comparison(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"values": {"finish": "up", "texture_identity": "same"}}, "'up' is not one of left"),
        ({"values": {"finish": "left"}}, "no rating for: texture_identity"),
        ({"job_right": "000001"}, "not compared with itself"),
        ({"rater": "a<b"}, "rater name"),
    ],
)
def test_a_bad_comparison_is_refused_and_nothing_is_written(
    tmp_path: Path, bad: dict[str, object], message: str
) -> None:
    table = tmp_path / "vfscore_pairs.csv"
    append_comparisons(table, [comparison()], DIMS)
    before = table.read_bytes()
    with pytest.raises(RatingError, match=message):
        append_comparisons(table, [comparison(**bad)], DIMS)
    assert table.read_bytes() == before


def test_comparisons_are_stored_with_both_jobs_and_sides(tmp_path: Path) -> None:
    table = tmp_path / "vfscore_pairs.csv"
    (first,) = append_comparisons(table, [comparison()], DIMS)
    append_comparisons(table, [comparison(supersedes=first, values={"finish": "right",
                                                                     "texture_identity": "left"})],
                       DIMS)  # fmt: skip
    rows = read_ratings(table)
    assert list(rows[0]) == [
        "rating_id", "supersedes", "run_id", "job_left", "job_right", "rater", "time_utc", "note",
        "snapshot", "p_finish", "p_texture_identity",
    ]  # fmt: skip
    (live,) = current(rows)
    assert (live["job_left"], live["job_right"], live["p_finish"]) == ("000001", "000002", "right")


@settings(max_examples=30, deadline=None)
@given(
    batches=st.lists(
        st.lists(st.tuples(st.sampled_from(["Ana", "Bo"]), st.integers(1, 5),
                           st.integers(1, 5), st.booleans()), min_size=1, max_size=2,
                 unique_by=lambda t: t[0]),
        min_size=1, max_size=4,
    )
)  # fmt: skip
def test_appends_only_ever_add_bytes_and_edits_leave_one_live_row(
    tmp_path_factory: pytest.TempPathFactory, batches: list[list[tuple[str, int, int, bool]]]
) -> None:
    table = tmp_path_factory.mktemp("r") / "vfscore_ratings.csv"
    last: dict[str, str] = {}  # rater → their latest rating id
    chains = 0
    for batch in batches:
        before = table.read_bytes() if table.exists() else b""
        ratings = []
        for rater, finish, texture, edit in batch:
            edits = edit and rater in last
            chains += not edits
            values = {"finish": finish, "texture_identity": texture}
            ratings.append(rating(rater=rater, supersedes=last[rater] if edits else "",
                                  values=values))  # fmt: skip
        for (rater, *_), rid in zip(batch, append_ratings(table, ratings, DIMS), strict=True):
            last[rater] = rid
        assert table.read_bytes().startswith(before)  # nothing earlier changed
    rows = read_ratings(table)
    assert len(rows) == sum(len(b) for b in batches)
    # A rater appears once per batch, and an edit supersedes their latest row: one live row
    # per chain of edits.
    assert len(current(rows)) == chains
