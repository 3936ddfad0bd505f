"""``vfscore.toml``: the one configuration file. Unknown sections and keys are errors."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

KNOWN_SECTIONS = {"judge"}


class ConfigFileError(ValueError):
    """The configuration file cannot be read or has unknown content."""


def read_config_file(path: Path | None) -> dict[str, Any]:
    """The file's tables (empty when ``path`` is None)."""
    if path is None:
        return {}
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except FileNotFoundError:
        raise ConfigFileError(f"config file {path} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigFileError(f"config file {path} is not valid TOML: {exc}") from None
    unknown = sorted(set(data) - KNOWN_SECTIONS)
    if unknown:
        raise ConfigFileError(
            f"{path}: unknown section(s) {', '.join(unknown)}; "
            f"known: {', '.join(sorted(KNOWN_SECTIONS))}"
        )
    return data
