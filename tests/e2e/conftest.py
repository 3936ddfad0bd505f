"""Fixtures of the end-to-end tests: a loopback provider server, the images to judge, and
Debian's Chromium."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.support.compute_cli import vfscore
from tests.support.fast_workspace import build, fake_blender, table
from tests.support.llm_judge import write_images
from tests.support.llm_server import ScriptedServer

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as s:
        yield s


@pytest.fixture
def images(tmp_path: Path) -> tuple[list[Path], list[Path]]:
    return write_images(tmp_path)


@pytest.fixture
def browser(tmp_path: Path) -> Any:
    """Debian's Chromium, headless, through Debian's chromedriver (installed by .ci/run).

    On a developer's machine without them the page tests skip, saying which packages to
    install; under CI (``$CI`` set) their absence fails the run instead."""
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not Path(p).is_file()]
    if missing:
        why = (
            f"{' and '.join(missing)} missing: the page tests need Debian's chromium and "
            "chromium-driver (apt-get install chromium chromium-driver)"
        )
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--allow-file-access-from-files", "--window-size=1400,1000",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
    ):  # fmt: skip
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Jobs 0-2: three scored candidates of product 000123; job 3: the only candidate of
    000999; one row of another run. Scored once for the module by the offline judge."""
    root = tmp_path_factory.mktemp("inspector")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("VFSCORE_BLENDER", str(fake_blender(root)))
        ws = build(root / "ws", n_jobs=4)
        rows = table(ws)
        rows.loc[3, "product_id"] = "000999"
        other = rows.iloc[[0]].copy()
        other["run_id"], other["job_id"] = "another-run", "0000000000ff"
        rows = pd.concat([rows, other], ignore_index=True)
        rows.to_csv(ws / "tables" / "generations.csv", index=False, encoding="utf-8-sig")
        assert vfscore(ws).returncode == 0
    return ws
