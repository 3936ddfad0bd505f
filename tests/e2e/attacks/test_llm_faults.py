"""Attacks on the LLM transport: faults a provider or a gateway can produce. Each one is retried
(or re-asked) under one policy, never answered as a job error on the first try, never leaks the
key, and never holds a job past ``timeout_s``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rubric.core.errors import FatalJudgeError, JudgeError
from rubric.llm.http_client import header_safe
from tests.support.llm_judge import KEY, KEY_ENV, NAMES, make_judge, no_key_in
from tests.support.llm_server import Reply, ScriptedServer, answer_json, ok_reply


def _ok(provider: str = "openai", score: int = 70) -> Reply:
    return ok_reply(provider, answer_json(NAMES, score))


def _body(reply: Reply) -> bytes:
    return json.dumps(reply.body).encode()


TRANSIENT = {
    "connection closed mid-body": Reply(200, _body(_ok()), cut_after=40),
    "HTML 502 page": Reply(502, b"<html><body><h1>502 Bad Gateway</h1></body></html>"),
    "200 with invalid UTF-8": Reply(200, b'{"choices": "\xff\xfe\xfa"}'),
    "JSON nesting bomb": Reply(200, b"[" * 200_000 + b"]" * 200_000),
    "empty 200": Reply(200, b""),
}
# How each one is named once the retries are spent.
NAMED = {
    "connection closed mid-body": "connection broke while reading: ",
    "HTML 502 page": "HTTP 502: <html><body><h1>502 Bad Gateway</h1></body></html>",
    "200 with invalid UTF-8": "response body is not valid UTF-8",
    "JSON nesting bomb": "response body is JSON nested too deeply to read",
    "empty 200": "response body is not JSON (starts with '')",
}


@pytest.mark.parametrize("fault", list(TRANSIENT))
def test_a_transport_fault_is_retried_and_the_job_is_scored(
    fault: str, server: ScriptedServer, images, tmp_path: Path, monkeypatch
) -> None:
    judge, sleeps = make_judge("openai", server.url, tmp_path / "c", monkeypatch)
    server.script = [TRANSIENT[fault], _ok(score=64)]
    result = judge.judge(images[0], images[1], repeats=1)
    assert result.payload()["vfscore_overall_median"] == 64
    assert len(server.requests) == 2 and len(sleeps) == 1


@pytest.mark.parametrize("fault", list(TRANSIENT))
def test_a_fault_that_persists_ends_the_job_naming_it(
    fault: str, server: ScriptedServer, images, tmp_path: Path, monkeypatch
) -> None:
    judge, _ = make_judge("openai", server.url, tmp_path / "c", monkeypatch, max_retries=1)
    server.script = [TRANSIENT[fault], TRANSIENT[fault]]
    with pytest.raises(JudgeError, match="gave up after 2 attempts") as err:
        judge.judge(images[0], images[1], repeats=1)
    assert str(err.value).split("attempts: ", 1)[1].startswith(NAMED[fault])
    assert KEY not in str(err.value)


@pytest.mark.parametrize(
    ("value", "safe"),
    [("sk-a b~c", True), ("sk-ab\x7f", False), ("sk-caf\u00e9", False), (" sk-ab", False),
     ("sk-ab\n", False), ("sk-a\tb", False)],
)  # fmt: skip
def test_which_keys_can_be_headers(value: str, safe: bool) -> None:
    assert header_safe(value) is safe


@pytest.mark.parametrize(
    "number", ["NaN", "Infinity", "1e400", "-1e400", "1" + "0" * 400, "1" + "0" * 5000]
)
def test_a_non_finite_or_absurd_score_is_re_asked(
    number: str, server: ScriptedServer, images, tmp_path: Path, monkeypatch
) -> None:
    judge, _ = make_judge("openai", server.url, tmp_path / "c", monkeypatch)
    bad = "{" + ", ".join(f'"{n}": {{"score": {number}, "rationale": "x"}}' for n in NAMES) + "}"
    server.script = [ok_reply("openai", bad), _ok(score=55)]
    payload = judge.judge(images[0], images[1], repeats=1).payload()
    assert payload["vfscore_overall_median"] == 55
    assert payload["invalid_answers"] == 1


def test_a_nesting_bomb_inside_the_answer_text_is_re_asked(
    server: ScriptedServer, images, tmp_path: Path, monkeypatch
) -> None:
    judge, _ = make_judge("openai", server.url, tmp_path / "c", monkeypatch)
    server.script = [ok_reply("openai", "[" * 100_000 + "]" * 100_000), _ok(score=41)]
    payload = judge.judge(images[0], images[1], repeats=1).payload()
    assert payload["vfscore_overall_median"] == 41 and payload["invalid_answers"] == 1


@pytest.mark.timeout(30)
def test_a_trickling_body_is_cut_at_timeout_s(
    server: ScriptedServer, images, tmp_path: Path, monkeypatch
) -> None:
    # One byte every 0.2 s: each read succeeds within any per-read timeout, the whole body would
    # take minutes. timeout_s = 1 must bound the call.
    judge, _ = make_judge(
        "openai", server.url, tmp_path / "c", monkeypatch, timeout_s=1.0, max_retries=0
    )
    server.script = [Reply(200, _body(_ok()), trickle_s=0.2)]
    with pytest.raises(JudgeError, match="no complete answer within 1s"):
        judge.judge(images[0], images[1], repeats=1)


@pytest.mark.parametrize("bad", [KEY + "\n", " " + KEY, KEY + "\u00e9"])
def test_a_key_that_cannot_be_a_header_is_refused_without_showing_it(
    bad: str, server: ScriptedServer, images, tmp_path: Path, monkeypatch
) -> None:
    judge, _ = make_judge("openai", server.url, tmp_path / "c", monkeypatch)
    monkeypatch.setenv(KEY_ENV, bad)
    with pytest.raises(FatalJudgeError, match=f"{KEY_ENV} holds a value that cannot be sent"):
        judge.judge(images[0], images[1], repeats=1)
    assert server.requests == []
    no_key_in(tmp_path)


def test_a_request_error_quoting_the_key_is_redacted(
    server: ScriptedServer, images, tmp_path: Path, monkeypatch
) -> None:
    # A base URL requests cannot use: its error text is shown, the key (in the URL's query, as
    # a misconfigured gateway might have it) is not.
    judge, _ = make_judge(
        "openai", f"http://127.0.0.1:99999/v1?key={KEY}", tmp_path / "c", monkeypatch
    )
    with pytest.raises(JudgeError) as err:
        judge.judge(images[0], images[1], repeats=1)
    assert KEY not in str(err.value) and KEY[:12] not in str(err.value)
    assert "[redacted]" in str(err.value)


def test_an_answer_whose_content_is_an_object_is_re_asked(
    server: ScriptedServer, images, tmp_path: Path, monkeypatch
) -> None:
    """An OpenAI-compatible server that puts the JSON object itself where the API has text."""
    judge, _ = make_judge("openai", server.url, tmp_path / "c", monkeypatch)
    odd = _ok(score=90)
    odd.body["choices"][0]["message"]["content"] = json.loads(answer_json(NAMES, 90))
    server.script = [odd, _ok(score=47)]
    result = judge.judge(images[0], images[1], repeats=1)
    payload = result.payload()
    assert payload["vfscore_overall_median"] == 47 and payload["invalid_answers"] == 1
    rationale = result.rationale_texts()[0]
    assert "invalid answer: answer content is a JSON dict, not text" in rationale


def test_geminis_per_day_quota_named_only_in_its_message_stops_at_once(
    server: ScriptedServer, images, tmp_path: Path, monkeypatch
) -> None:
    judge, sleeps = make_judge("gemini", server.url, tmp_path / "c", monkeypatch)
    message = (
        "You exceeded your current quota, please check your plan and billing details. "
        "Quota exceeded for metric: generativelanguage.googleapis.com/"
        "generate_content_requests_per_day, limit: 250"
    )
    body = {"error": {"code": 429, "message": message, "status": "RESOURCE_EXHAUSTED"}}
    server.script = [Reply(429, body)] * 8
    with pytest.raises(FatalJudgeError, match="quota exhausted: You exceeded"):
        judge.judge(images[0], images[1], repeats=1)
    assert len(server.requests) == 1 and sleeps == []
