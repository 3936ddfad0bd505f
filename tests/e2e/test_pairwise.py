"""`vfscore compute --mode pairwise` against loopback judges with a behaviour: one that prefers
the redder candidate whatever the order (its order is recovered, no flips), and one that always
prefers what it sees first (every pair flips: all ties, equal strengths)."""

from __future__ import annotations

import base64
import hashlib
import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from driver.demo.assets import write_textured_glb
from rubric.core.definition import load_rubric
from tests.support.compute_cli import use_fake_blender, vfscore
from tests.support.fast_workspace import RUN_ID, build, job_id, log_records, table
from tests.support.llm_server import Recorded, Reply, ScriptedServer, ok_reply

NAMES = load_rubric().names
CONFIG = (
    "[render]\nresolution = 32\n\n[compute]\nrepeats = 1\n\n"
    "[judge]\nprovider = 'openai-compatible'\nmodel = 'pairs'\nbase_url = '{url}/v1'\n"
    "max_retries = 0\n"
)


def candidate_red(request: Recorded, which: str) -> float:
    """Mean red of the first view of candidate ``which`` (A or B) in a pairwise request."""
    label = ""
    for part in request.body["messages"][1]["content"]:
        if part["type"] == "text":
            label = part["text"]
        elif label.startswith(f"Candidate {which}, view 1 "):
            data = base64.b64decode(part["image_url"]["url"].split(",", 1)[1])
            rgb = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), np.float64)
            return float(rgb[..., 0].mean() - rgb[..., 1:].mean())
    raise AssertionError("no candidate image in the request")


def verdicts(winner: str) -> Reply:
    answer = {n: {"winner": winner, "rationale": "closer print"} for n in NAMES}
    return ok_reply("openai", json.dumps(answer))


def disc_red(glb: Path) -> float:
    """The stand-in renders a disc coloured by the model's bytes: its redness."""
    r, g, b = hashlib.sha256(glb.read_bytes()).digest()[:3]
    return r - (g + b) / 2


def workspace(tmp_path: Path, n: int) -> Path:
    """n different models whose renders differ in redness by at least 25 levels (so JPEG noise
    cannot swap two of them)."""
    ws = build(tmp_path / "ws", n_jobs=n)
    taken: list[float] = []
    shade = 0
    for i in range(n):
        glb = ws / "runs" / RUN_ID / "outputs" / job_id(i) / "generated.glb"
        while True:
            write_textured_glb(glb, Image.new("RGB", (8, 8), (shade % 256, 90, shade // 256)))
            shade += 1
            if all(abs(disc_red(glb) - t) >= 25 for t in taken):
                taken.append(disc_red(glb))
                break
    return ws


def ranks(ws: Path) -> dict[str, str]:
    rows = table(ws)
    return dict(zip(rows["job_id"], rows["vf_pairwise_rank"], strict=True))


def test_a_consistent_judge_has_its_order_recovered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_fake_blender(tmp_path, monkeypatch)
    ws = workspace(tmp_path, 5)
    rows = table(ws)
    rows.loc[4, "product_id"] = "999"  # alone in its product: nothing to compare with
    rows.to_csv(ws / "tables" / "generations.csv", index=False, encoding="utf-8-sig")
    with ScriptedServer() as server:
        (ws / "vfscore.toml").write_text(CONFIG.format(url=server.url))
        server.responder = lambda r: verdicts(
            "A" if candidate_red(r, "A") > candidate_red(r, "B") else "B"
        )
        ran = vfscore(ws, "--mode", "pairwise")
        assert len(server.requests) == 12  # 4 candidates: 6 pairs, both orders
    assert ran.returncode == 1, ran.stdout + ran.stderr  # job 4 could not be ranked
    rows = table(ws)
    reds = {job_id(i): disc_red(ws / "runs" / RUN_ID / "outputs" / job_id(i) / "generated.glb")
            for i in range(4)}  # fmt: skip
    expected = sorted(reds, key=lambda j: -reds[j])
    got = ranks(ws)
    assert [got[j] for j in expected] == ["1", "2", "3", "4"]
    assert set(rows.loc[:3, "vf_pairwise_flip_rate"]) == {"0"}
    assert set(rows.loc[:3, "vf_pairwise_comparisons"]) == {"3"}
    assert rows.loc[4, "vf_pairwise_status"] == "error"
    assert "no other rendered candidate of product '999'" in str(rows.loc[4, "vf_pairwise_error"])
    assert "vf_status" not in rows.columns  # absolute columns untouched
    record = json.loads((ws / str(rows.loc[0, "vf_pairwise_file"])).read_text())
    assert record["flip_rate"] == 0.0 and len(record["pairs"]) == 6
    assert log_records(ws)[-1]["tournaments"][0]["candidates"] == 4


def test_a_judge_that_prefers_the_first_image_ties_everything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_fake_blender(tmp_path, monkeypatch)
    ws = workspace(tmp_path, 3)
    with ScriptedServer() as server:
        (ws / "vfscore.toml").write_text(CONFIG.format(url=server.url))
        server.responder = lambda r: verdicts("A")
        ran = vfscore(ws, "--mode", "pairwise")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    rows = table(ws)
    assert set(rows["vf_pairwise_flip_rate"]) == {"1"}
    assert set(rows["vf_pairwise_strength"]) == {"0"} and set(rows["vf_pairwise_rank"]) == {"1"}
    assert log_records(ws)[-1]["tournaments"][0]["flip_rate"] == 1.0


def test_pairwise_needs_an_llm_judge(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    use_fake_blender(tmp_path, monkeypatch)
    ws = workspace(tmp_path, 2)
    ran = vfscore(ws, "--mode", "pairwise")
    assert ran.returncode == 2
    assert "--mode pairwise needs an LLM judge" in ran.stderr


def test_dry_run_counts_both_orders_of_every_pair(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_fake_blender(tmp_path, monkeypatch)
    ws = workspace(tmp_path, 4)
    with ScriptedServer() as server:
        (ws / "vfscore.toml").write_text(CONFIG.format(url=server.url))
        ran = vfscore(ws, "--mode", "pairwise", "--dry-run")
        assert server.requests == []
    assert ran.returncode == 0, ran.stderr
    estimate = log_records(ws)[-1]["estimate"]
    assert estimate["calls"] == 12 and estimate["jobs"] == 4  # 6 pairs, both orders


def test_max_pairs_bounds_a_tournament_above_a_round_robin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_fake_blender(tmp_path, monkeypatch)
    ws = build(tmp_path / "ws", n_jobs=9)  # 36 pairs in a round robin of 9
    (ws / "vfscore.toml").write_text(CONFIG.format(url="http://127.0.0.1:9"))

    def calls(*args: str) -> int:
        assert vfscore(ws, "--mode", "pairwise", "--dry-run", *args).returncode == 0
        return int(log_records(ws)[-1]["estimate"]["calls"])

    assert calls() == 2 * 28  # [compute] max_pairs' default
    assert calls("--max-pairs", "10") == 2 * 10
    table_says = CONFIG.replace("repeats = 1\n", "repeats = 1\nmax_pairs = 12\n")
    (ws / "vfscore.toml").write_text(table_says.format(url="http://127.0.0.1:9"))
    assert calls() == 2 * 12


def test_the_tournament_record_holds_every_verdict_in_both_orders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rubric.core.judge import Entrant
    from rubric.core.tournament import schedule
    from tests.support.llm_judge import make_judge

    views = {}
    for name, red in (("j1", 250), ("j2", 120), ("j3", 10)):
        views[name] = tmp_path / f"{name}.png"
        Image.new("RGB", (16, 16), (red, 40, 40)).save(views[name])
    photo = tmp_path / "photo.png"
    Image.new("RGB", (16, 16), (255, 0, 0)).save(photo)
    with ScriptedServer() as server:
        server.responder = lambda r: verdicts(
            "A" if candidate_red(r, "A") > candidate_red(r, "B") else "B"
        )
        llm, _ = make_judge("openai", f"{server.url}/v1", tmp_path / "c", monkeypatch)
        entrants = [Entrant(n, (v,)) for n, v in views.items()]
        record = llm.pairwise().tournament("P", [photo], entrants, max_pairs=28)
        photos_sent = [
            p["text"] for p in server.requests[0].body["messages"][1]["content"]
            if p["type"] == "text" and p["text"].startswith("Reference photo")
        ]  # fmt: skip
    assert photos_sent == ["Reference photo 1 of 1:"]
    assert [(p["a"], p["b"]) for p in record["pairs"]] == schedule(sorted(views), 28, 0)
    for pair in record["pairs"]:
        redder = min(pair["a"], pair["b"])  # j1 is the reddest, then j2
        for verdict in pair["dimensions"].values():
            a_wins = pair["a"] == redder
            assert verdict == {
                "a_shown_first": "A" if a_wins else "B",
                "b_shown_first": "B" if a_wins else "A",
                "score_a": 1.0 if a_wins else 0.0,
                "flipped": False,
            }
    assert [record["strengths"][n]["rank"] for n in ("j1", "j2", "j3")] == [1, 2, 3]
    assert record["flip_rate"] == 0.0 and record["group"] == "P"
    assert record["judge"] == llm.provenance and record["candidates"] == ["j1", "j2", "j3"]
    by_dim = record["strengths_by_dimension"]
    assert set(by_dim) == set(NAMES) and all(by_dim[d]["j1"]["rank"] == 1 for d in NAMES)
    assert record["tokens"]["input"] == 6 * 1000 and record["cost_usd"] is not None


def test_a_big_tournament_keeps_to_its_budget_and_skips_what_was_not_answered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rubric.core.judge import Entrant
    from rubric.core.tournament import schedule
    from tests.support.llm_judge import make_judge

    names = [f"j{i}" for i in range(9)]  # above a round robin: the ring and the budget
    entrants = []
    for i, name in enumerate(names):
        view = tmp_path / f"{name}.png"
        Image.new("RGB", (16, 16), (250 - 25 * i, 40, 40)).save(view)
        entrants.append(Entrant(name, (view,)))
    photo = tmp_path / "photo.png"
    Image.new("RGB", (16, 16), (255, 0, 0)).save(photo)

    def responder(r: Recorded) -> Reply:
        a, b = candidate_red(r, "A"), candidate_red(r, "B")
        if a < 20:  # j8 (the least red) shown first is never answered: one order of its pairs
            return ok_reply("openai", "not json")
        return verdicts("A" if a > b else "B")

    with ScriptedServer() as server:
        server.responder = responder
        llm, _ = make_judge("openai", f"{server.url}/v1", tmp_path / "c", monkeypatch,
                            max_invalid_retries=0)  # fmt: skip
        record = llm.pairwise().tournament("P", [photo], entrants, max_pairs=12)
        reseeded = llm.pairwise().tournament("P", [photo], entrants, max_pairs=12, seed=1)
    assert [(p["a"], p["b"]) for p in record["pairs"]] == schedule(names, 12, 0)
    assert [(p["a"], p["b"]) for p in reseeded["pairs"]] == schedule(names, 12, 1)
    assert schedule(names, 12, 0) != schedule(names, 12, 1)
    skipped = [p for p in record["pairs"] if "j8" in (p["a"], p["b"])]
    assert skipped and all(p["skipped"] == "no valid answer in one of the orders" for p in skipped)
    assert all(p["invalid"] and "dimensions" not in p for p in skipped)
    answered = [p for p in record["pairs"] if "dimensions" in p]
    assert len(answered) == len(record["pairs"]) - len(skipped) and not any(
        p["invalid"] for p in answered
    )
    assert record["tokens"] == {"input": 1000 * 24, "output": 50 * 24}  # 12 pairs, both orders
    assert {s["group_size"] for s in record["strengths"].values()} == {9}
    assert record["strengths"]["j8"]["flip_rate"] is None  # never judged
    assert record["strengths"]["j0"]["flip_rate"] == 0.0


def test_flip_rates_are_per_candidate_and_rounded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rubric.core.judge import Entrant
    from tests.support.llm_judge import make_judge

    entrants = []
    for i, red in enumerate((250, 180, 110, 20)):
        view = tmp_path / f"j{i}.png"
        Image.new("RGB", (16, 16), (red, 40, 40)).save(view)
        entrants.append(Entrant(f"j{i}", (view,)))
    photo = tmp_path / "photo.png"
    Image.new("RGB", (16, 16), (255, 0, 0)).save(photo)

    def responder(r: Recorded) -> Reply:  # the pair of j0 and j3 follows the order shown
        reds = sorted((candidate_red(r, "A"), candidate_red(r, "B")))
        if reds[0] < 0 and reds[1] > 150:
            return verdicts("A")
        return verdicts("A" if candidate_red(r, "A") > candidate_red(r, "B") else "B")

    with ScriptedServer() as server:
        server.responder = responder
        llm, _ = make_judge("openai", f"{server.url}/v1", tmp_path / "c", monkeypatch)
        record = llm.pairwise().tournament("P", [photo], entrants, max_pairs=28)
    rates = {n: s["flip_rate"] for n, s in record["strengths"].items()}
    assert rates == {"j0": 0.3333, "j1": 0.0, "j2": 0.0, "j3": 0.3333}
    assert record["flip_rate"] == round(1 / 6, 4)


def test_an_unreadable_image_is_named_by_what_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rubric.core.images import ImageInputError
    from rubric.core.judge import Entrant
    from tests.support.llm_judge import make_judge

    good, bad = tmp_path / "good.png", tmp_path / "bad.png"
    Image.new("RGB", (16, 16), (200, 40, 40)).save(good)
    bad.write_text("<html>not an image</html>")
    llm, _ = make_judge("openai", "http://127.0.0.1:9/v1", tmp_path / "c", monkeypatch)
    pair = [Entrant("a", (good,)), Entrant("b", (good,))]
    with pytest.raises(ImageInputError, match=r"^Reference photo"):
        llm.pairwise().tournament("P", [bad], pair, 28)
    with pytest.raises(ImageInputError, match=r"^view"):
        llm.pairwise().tournament("P", [good], [Entrant("a", (bad,)), pair[1]], 28)


def test_a_tournament_without_one_valid_pair_has_no_flip_rate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rubric.core.judge import Entrant
    from tests.support.llm_judge import make_judge

    views = []
    for i in range(2):
        views.append(tmp_path / f"j{i}.png")
        Image.new("RGB", (16, 16), (100 * i, 40, 40)).save(views[-1])
    with ScriptedServer() as server:
        server.responder = lambda r: ok_reply("openai", "not json")
        llm, _ = make_judge("openai", f"{server.url}/v1", tmp_path / "c", monkeypatch,
                            max_invalid_retries=0)  # fmt: skip
        entrants = [Entrant(f"j{i}", (v,)) for i, v in enumerate(views)]
        record = llm.pairwise().tournament("P", [views[0]], entrants, max_pairs=28)
    assert record["flip_rate"] is None and record["pairs"][0]["skipped"]
