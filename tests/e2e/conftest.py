"""Fixtures of the LLM-judge tests: a loopback provider server and the images to judge."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.llm_judge import write_images
from tests.support.llm_server import ScriptedServer


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as s:
        yield s


@pytest.fixture
def images(tmp_path: Path) -> tuple[list[Path], list[Path]]:
    return write_images(tmp_path)
