"""What the inspector offers next: the least-rated item the rater has not done nor skipped, a
stable per-rater order among equals, pairs within a product only."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from driver.ratings.queue import candidate_pairs, next_item, pair_counts, pair_key, progress

ITEMS = [f"job{i}" for i in range(8)]


@settings(max_examples=200, deadline=None)
@given(
    counts=st.dictionaries(st.sampled_from(ITEMS), st.integers(0, 5)),
    done=st.sets(st.sampled_from(ITEMS)),
    skipped=st.sets(st.sampled_from(ITEMS)),
    rater=st.sampled_from(["Ana", "Bo", "Cy"]),
)
def test_the_offer_is_an_open_item_with_the_fewest_ratings(
    counts: dict[str, int], done: set[str], skipped: set[str], rater: str
) -> None:
    offer = next_item(ITEMS, counts, done, skipped, rater)
    open_items = [i for i in ITEMS if i not in done | skipped]
    if not open_items:
        assert offer is None
        return
    assert offer in open_items
    assert counts.get(offer, 0) == min(counts.get(i, 0) for i in open_items)


def test_ratings_stay_level_k_before_k_plus_1() -> None:
    # Raters who each rate a few jobs: no job gets a (k+1)th rating while one has k.
    counts: Counter[str] = Counter()
    for turn in range(3 * len(ITEMS)):
        rater, done = f"rater{turn // 2}", set[str]()
        for _ in range(2):
            item = next_item(ITEMS, counts, done, (), rater)
            assert item is not None
            done.add(item)
            counts[item] += 1
            assert max(counts.values()) - min(counts[i] for i in ITEMS) <= 1
    assert set(counts.values()) == {6}


def test_a_rater_gets_a_more_rated_job_only_when_they_did_the_less_rated_ones() -> None:
    counts = Counter({"job0": 1, "job1": 2})
    assert next_item(["job0", "job1"], counts, {"job0"}, (), "Ana") == "job1"
    assert next_item(["job0", "job1"], counts, (), {"job0"}, "Ana") == "job1"  # skipped
    assert next_item(["job0", "job1"], counts, (), (), "Ana") == "job0"


def test_equal_items_come_in_a_per_rater_order_that_a_reload_repeats() -> None:
    offers = {r: next_item(ITEMS, {}, (), (), r) for r in ("Ana", "Bo", "Cy", "Dee")}
    assert len(set(offers.values())) > 1  # raters at once rarely collide
    assert offers["Ana"] == next_item(ITEMS, {}, (), (), "Ana")


def test_pairs_stay_within_a_product_whatever_the_order_shown() -> None:
    pairs = candidate_pairs({"p/": ["c", "a", "b"], "q/": ["z"]})
    assert pairs == [("a", "b"), ("a", "c"), ("b", "c")]
    rows = [{"job_left": "b", "job_right": "a"}, {"job_left": "a", "job_right": "b"}]
    assert pair_counts(rows) == Counter({pair_key("a", "b"): 2})


def test_progress() -> None:
    assert progress(2, 5, [0, 1, 3]) == {"done": 2, "total": 5, "min_ratings": 0,
                                         "max_ratings": 3}  # fmt: skip
    assert progress(0, 0, [])["min_ratings"] == 0
