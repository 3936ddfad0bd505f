"""The LLM judge against real HTTP servers on loopback speaking each provider's wire format."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest

from rubric.core.errors import FatalJudgeError, JudgeError
from rubric.llm.config import config_from_dict
from rubric.llm.http_client import ProviderClient
from rubric.llm.judge import LLMJudge
from rubric.llm.ratelimit import RateLimiter
from tests.support.llm_judge import KEY, NAMES, RUBRIC, make_judge, no_key_in
from tests.support.llm_server import (
    Reply,
    ScriptedServer,
    answer_json,
    ok_reply,
    quota_exhausted,
    rate_limited,
    server_error,
    unauthorized,
)

PROVIDERS = ["openai", "gemini", "anthropic"]


@pytest.mark.parametrize("provider", PROVIDERS)
def test_happy_path_and_cache(
    provider: str, server: ScriptedServer, images, tmp_path: Path, monkeypatch
) -> None:
    refs, renders = images
    judge, _ = make_judge(provider, server.url, tmp_path / "cache", monkeypatch)
    server.script = [ok_reply(provider, answer_json(NAMES, s)) for s in (60, 70, 90)]
    result = judge.judge(refs, renders, repeats=3)
    payload = result.payload()
    assert len(server.requests) == 3 and result.http_calls == 3
    assert payload["scores_all"] == [60, 70, 90]
    assert payload["vfscore_overall_median"] == 70
    assert payload["vf_subscores_median"] == dict.fromkeys(NAMES, 70)
    assert payload["repeats_n"] == 3 and payload["invalid_answers"] == 0
    assert payload["tokens"] == {"input": 3000, "output": 150}
    assert payload["cost_usd"] == pytest.approx(3000 / 1e6 + 150 * 2 / 1e6)
    assert payload["iqr"] == 15.0
    # Each repeat carries its own nonce, so no provider cache can collapse them.
    texts = [str(r.body) for r in server.requests]
    assert len({t for t in texts}) == 3
    # The key went in the provider's header, and nowhere on disk.
    header = {"openai": "authorization", "gemini": "x-goog-api-key", "anthropic": "x-api-key"}[
        provider
    ]
    assert KEY in server.requests[0].headers[header]
    no_key_in(tmp_path)

    again = judge.judge(refs, renders, repeats=3)
    assert len(server.requests) == 3 and again.http_calls == 0
    assert again.payload()["scores_all"] == [60, 70, 90]
    server.script = [ok_reply(provider, answer_json(NAMES, s)) for s in (10, 20)]
    more = judge.judge(refs, renders, repeats=5)
    assert more.http_calls == 2 and len(server.requests) == 5
    assert more.payload()["scores_all"] == [60, 70, 90, 10, 20]


@pytest.mark.parametrize("provider", PROVIDERS)
def test_429_honours_retry_after(provider: str, server, images, tmp_path, monkeypatch) -> None:
    judge, sleeps = make_judge(provider, server.url, tmp_path / "c", monkeypatch)
    server.script = [rate_limited(provider, 7), ok_reply(provider, answer_json(NAMES))]
    result = judge.judge(images[0], images[1], repeats=1)
    assert len(server.requests) == 2
    assert sleeps == [7.0]
    assert result.payload()["repeats_n"] == 1


@pytest.mark.parametrize("provider", PROVIDERS)
def test_server_errors_then_success(provider: str, server, images, tmp_path, monkeypatch) -> None:
    judge, sleeps = make_judge(provider, server.url, tmp_path / "c", monkeypatch)
    server.script = [
        server_error(provider),
        server_error(provider),
        ok_reply(provider, answer_json(NAMES)),
    ]
    assert judge.judge(images[0], images[1], repeats=1).payload()["repeats_n"] == 1
    assert len(server.requests) == 3 and len(sleeps) == 2


@pytest.mark.parametrize("provider", PROVIDERS)
def test_retries_are_bounded(provider: str, server, images, tmp_path, monkeypatch) -> None:
    judge, _ = make_judge(provider, server.url, tmp_path / "c", monkeypatch)
    server.script = [server_error(provider)] * 10
    with pytest.raises(JudgeError, match="gave up after 4 attempts"):
        judge.judge(images[0], images[1], repeats=1)
    assert len(server.requests) == 4


@pytest.mark.parametrize("provider", PROVIDERS)
def test_slow_response_times_out_and_is_retried(
    provider: str, server, images, tmp_path, monkeypatch
) -> None:
    judge, _ = make_judge(provider, server.url, tmp_path / "c", monkeypatch, timeout_s=0.3)
    slow = ok_reply(provider, answer_json(NAMES, 10))
    slow.delay_s = 1.0
    server.script = [slow, ok_reply(provider, answer_json(NAMES, 80))]
    result = judge.judge(images[0], images[1], repeats=1)
    assert len(server.requests) == 2
    assert result.payload()["scores_all"] == [80]


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize(
    "bad",
    ["this is not JSON, sorry", "out_of_range", "wrong_keys", "truncated"],
)
def test_invalid_answers_are_reasked_and_counted(
    provider: str, bad: str, server, images, tmp_path, monkeypatch
) -> None:
    judge, _ = make_judge(provider, server.url, tmp_path / "c", monkeypatch)
    if bad == "out_of_range":
        first = ok_reply(provider, answer_json(NAMES, 140))
    elif bad == "wrong_keys":
        first = ok_reply(provider, answer_json(["colour", "finish"]))
    elif bad == "truncated":
        first = ok_reply(provider, answer_json(NAMES)[:40], finish="length")
    else:
        first = ok_reply(provider, bad)
    server.script = [first, ok_reply(provider, answer_json(NAMES, 55))]
    payload = judge.judge(images[0], images[1], repeats=1).payload()
    assert len(server.requests) == 2
    assert payload["invalid_answers"] == 1
    assert payload["scores_all"] == [55]


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_repeat_that_never_answers_validly_is_dropped(
    provider: str, server, images, tmp_path, monkeypatch
) -> None:
    judge, _ = make_judge(provider, server.url, tmp_path / "c", monkeypatch, max_invalid_retries=2)
    server.script = [ok_reply(provider, answer_json(NAMES)[:30], finish="length")] * 3 + [
        ok_reply(provider, answer_json(NAMES, 40))
    ]
    result = judge.judge(images[0], images[1], repeats=2)
    payload = result.payload()
    assert len(server.requests) == 4
    assert payload["repeats_n"] == 1 and payload["repeats_requested"] == 2
    assert payload["invalid_answers"] == 3
    assert "truncated at max_tokens" in result.rationale_texts()[0]


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("failure", ["auth", "quota"])
def test_auth_and_quota_are_fatal_without_retry(
    provider: str, failure: str, server, images, tmp_path, monkeypatch
) -> None:
    judge, sleeps = make_judge(provider, server.url, tmp_path / "c", monkeypatch)
    server.script = [
        unauthorized(provider, KEY) if failure == "auth" else quota_exhausted(provider)
    ] * 5
    with pytest.raises(FatalJudgeError) as info:
        judge.judge(images[0], images[1], repeats=3)
    assert info.value.kind == failure
    assert len(server.requests) == 1 and sleeps == []
    assert KEY[:8] not in str(info.value) and KEY[-4:] not in str(info.value)
    no_key_in(tmp_path)


def test_missing_key_variable_is_fatal_and_names_it(server, images, tmp_path, monkeypatch) -> None:
    judge, _ = make_judge("openai", server.url, tmp_path / "c", monkeypatch)
    monkeypatch.delenv("VFSCORE_TEST_KEY")
    with pytest.raises(FatalJudgeError, match="VFSCORE_TEST_KEY is not set"):
        judge.judge(images[0], images[1], repeats=1)
    assert server.requests == []


def test_azure_style_endpoint(server, images, tmp_path, monkeypatch) -> None:
    judge, _ = make_judge(
        "openai",
        server.url + "/openai/deployments/gpt4o",
        tmp_path / "c",
        monkeypatch,
        azure_api_version="2024-10-21",
    )
    server.script = [ok_reply("openai", answer_json(NAMES))]
    judge.judge(images[0], images[1], repeats=1)
    req = server.requests[0]
    assert req.path == "/openai/deployments/gpt4o/chat/completions?api-version=2024-10-21"
    assert req.headers["api-key"] == KEY and "authorization" not in req.headers


def test_openai_compatible_local_server_without_key(server, images, tmp_path) -> None:
    cfg = config_from_dict(
        {"provider": "openai-compatible", "model": "llava", "base_url": server.url + "/v1"}
    )
    judge = LLMJudge(cfg, RUBRIC, None, ProviderClient(cfg, limiter=RateLimiter(None, 1)))
    server.script = [ok_reply("openai", "```json\n" + answer_json(NAMES, 33) + "\n```")]
    assert judge.judge(images[0], images[1], repeats=1).payload()["scores_all"] == [33]
    body = server.requests[0].body
    assert "response_format" not in body and "authorization" not in server.requests[0].headers
    content = body["messages"][1]["content"]
    labels = [c["text"] for c in content if c["type"] == "text"][1:]
    assert labels == [
        "Reference photo 1 of 2:",
        "Reference photo 2 of 2:",
        "Candidate render 1 of 2:",
        "Candidate render 2 of 2:",
    ]
    assert [c["type"] for c in content] == ["text"] + ["text", "image_url"] * 4


def test_structured_output_is_requested(server, images, tmp_path, monkeypatch) -> None:
    for provider in PROVIDERS:
        judge, _ = make_judge(provider, server.url, tmp_path / provider, monkeypatch)
        server.script = [ok_reply(provider, answer_json(NAMES))]
        judge.judge(images[0], images[1], repeats=1)
    openai_body, gemini_body, anthropic_body = (r.body for r in server.requests)
    assert openai_body["response_format"]["type"] == "json_schema"
    assert gemini_body["generationConfig"]["responseMimeType"] == "application/json"
    assert "additionalProperties" not in str(gemini_body["generationConfig"]["responseSchema"])
    assert anthropic_body["tool_choice"] == {"type": "tool", "name": "record_scores"}


def test_not_an_image_is_a_clear_error(tmp_path: Path) -> None:
    from rubric.core.images import ImageInputError
    from rubric.llm.prompt import prepare_images

    bad = tmp_path / "photo.jpg"
    bad.write_text("<html>not a photo</html>")
    with pytest.raises(
        ImageInputError, match=r"reference photo 'photo\.jpg' is not a decodable image"
    ):
        prepare_images([bad], [bad], max_side=64)


def test_gateway_returning_html_is_retried_then_reported(
    server, images, tmp_path, monkeypatch
) -> None:
    judge, _ = make_judge("openai", server.url, tmp_path / "c", monkeypatch, max_retries=1)
    server.script = [Reply(502, b"<html>Bad gateway</html>"), Reply(200, b"<html>oops</html>")]
    with pytest.raises(JudgeError, match="response body is not JSON"):
        judge.judge(images[0], images[1], repeats=1)
    assert len(server.requests) == 2


def test_renders_are_composited_onto_the_given_background(
    server, images, tmp_path, monkeypatch
) -> None:
    judge, _ = make_judge("openai", server.url, tmp_path / "c", monkeypatch)
    server.script = [ok_reply("openai", answer_json(NAMES))] * 2
    white = judge.judge(images[0], images[1], repeats=1).details["images"]
    black = judge.judge(images[0], images[1], repeats=1, background=(0, 0, 0)).details["images"]
    assert [i["sha256"] for i in white[:2]] == [i["sha256"] for i in black[:2]]  # photos: no alpha
    # render0 is half transparent: its composite depends on the background; render1 is opaque.
    assert white[2]["sha256"] != black[2]["sha256"]
    assert white[3]["sha256"] == black[3]["sha256"]
    assert len(server.requests) == 2  # a different composite is a different cache key


def test_each_repeat_shows_the_images_in_its_recorded_order(
    server, images, tmp_path, monkeypatch
) -> None:
    judge, _ = make_judge("openai", server.url, tmp_path / "c", monkeypatch)
    server.script = [ok_reply("openai", answer_json(NAMES)) for _ in range(4)]
    result = judge.judge(images[0], images[1], repeats=4)
    orders = result.details["image_orders"]
    assert [o["repeat"] for o in orders] == [0, 1, 2, 3]
    prepared = result.details["images"]
    for recorded, request in zip(orders, server.requests, strict=True):
        sent = [
            part["image_url"]["url"]
            for part in request.body["messages"][1]["content"]
            if part["type"] == "image_url"
        ]
        digests = [hashlib.sha256(base64.b64decode(u.split(",", 1)[1])).hexdigest() for u in sent]
        assert digests == [prepared[i]["sha256"] for i in recorded["order"]]
    assert len({tuple(o["order"]) for o in orders}) > 1


def test_shuffling_can_be_turned_off(server, images, tmp_path, monkeypatch) -> None:
    judge, _ = make_judge("openai", server.url, tmp_path / "c", monkeypatch, shuffle_images=False)
    server.script = [ok_reply("openai", answer_json(NAMES)) for _ in range(2)]
    assert judge.judge(images[0], images[1], repeats=2).details["image_orders"] == []
