"""Shared fixtures: generated GLBs."""

from __future__ import annotations

from pathlib import Path

import pytest

from driver.demo.assets import write_textured_glb


@pytest.fixture
def textured_glb(tmp_path: Path) -> Path:
    return write_textured_glb(tmp_path / "product.glb")
