"""Attacks aimed at the API key: whatever goes wrong, the key reaches no file, log line, table
cell or console line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.compute_cli import use_fake_blender, vfscore
from tests.support.fast_workspace import build, table
from tests.support.llm_judge import KEY, KEY_ENV, no_key_in
from tests.support.llm_server import ScriptedServer, unauthorized


def judge_config(url: str) -> str:
    return (
        "[render]\nresolution = 32\n\n[compute]\nrepeats = 1\n\n"
        f"[judge]\nprovider = 'openai'\nmodel = 'gpt-x'\nbase_url = '{url}'\n"
        f"api_key_env = '{KEY_ENV}'\nmax_retries = 0\n"
    )


@pytest.mark.parametrize("bad_key", [KEY + "\n", KEY + "\r\n", "\t" + KEY])
def test_a_key_with_a_line_break_is_refused_and_never_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bad_key: str
) -> None:
    use_fake_blender(tmp_path, monkeypatch)
    ws = build(tmp_path / "ws", n_jobs=2)
    with ScriptedServer() as server:
        (ws / "vfscore.toml").write_text(judge_config(server.url + "/v1"))
        monkeypatch.setenv(KEY_ENV, bad_key)
        ran = vfscore(ws)
        assert server.requests == []  # refused before anything was sent
    assert ran.returncode == 1
    rows = table(ws)
    assert set(rows["vf_status"]) == {"error"}
    assert f"{KEY_ENV} holds a value that cannot be sent as an HTTP header" in str(
        rows.loc[0, "vf_error"]
    )
    assert KEY not in ran.stdout + ran.stderr and KEY[:12] not in ran.stdout + ran.stderr
    no_key_in(ws)


def test_a_provider_echoing_the_key_is_redacted_everywhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_fake_blender(tmp_path, monkeypatch)
    ws = build(tmp_path / "ws", n_jobs=1)
    with ScriptedServer() as server:
        (ws / "vfscore.toml").write_text(judge_config(server.url + "/v1"))
        monkeypatch.setenv(KEY_ENV, KEY)
        server.script = [unauthorized("openai", KEY)]
        ran = vfscore(ws)
        assert len(server.requests) == 1
    assert ran.returncode == 1
    assert "authentication failed" in str(table(ws).loc[0, "vf_error"])
    assert KEY not in ran.stdout + ran.stderr
    no_key_in(ws)
