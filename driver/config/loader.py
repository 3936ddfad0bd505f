"""Finding and reading ``vfscore.toml``: ``--config``, else ``$VFSCORE_CONFIG``, else
``<workspace>/vfscore.toml``, else none (built-in defaults). Errors name the file and the key."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from blender_addon.contract.files import NotRegularFileError, open_regular
from driver.config.schema import ConfigFile
from rubric import describe_validation_error

CONFIG_ENV = "VFSCORE_CONFIG"
WORKSPACE_CONFIG = "vfscore.toml"


class ConfigError(ValueError):
    """The configuration cannot be read or is not valid; the run does not start."""


@dataclass(frozen=True)
class LoadedConfig:
    """A validated configuration and where it came from."""

    file: ConfigFile = field(default_factory=ConfigFile)
    path: Path | None = None
    source: str = "built-in defaults"  # --config | $VFSCORE_CONFIG | workspace | built-in defaults
    raw: dict[str, Any] = field(default_factory=dict)  # the tables as written, for --judge merging

    def describe(self) -> str:
        """``config: /w/vfscore.toml (from the workspace)``, for the console."""
        if self.path is None:
            return "config: none found, built-in defaults"
        return f"config: {self.path} (from {self.source})"


def find_config(cli_value: Path | None, workspace: Path | None) -> tuple[Path | None, str]:
    """The file to read and why; None when no file applies."""
    if cli_value is not None:
        return cli_value, "--config"
    env = os.environ.get(CONFIG_ENV)
    if env:
        return Path(env), f"${CONFIG_ENV}"
    if workspace is not None and (workspace / WORKSPACE_CONFIG).is_file():
        return workspace / WORKSPACE_CONFIG, "the workspace"
    return None, "built-in defaults"


def parse_config(data: dict[str, Any], where: str = "config") -> ConfigFile:
    """Validate the tables of a configuration; raise :class:`ConfigError` naming each problem."""
    try:
        return ConfigFile.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(exc, f"{where}:")) from None


def load_config(cli_value: Path | None, workspace: Path | None = None) -> LoadedConfig:
    """Find, read and validate the configuration (see the module docstring for the order)."""
    path, source = find_config(cli_value, workspace)
    if path is None:
        return LoadedConfig()
    if not path.exists():
        raise ConfigError(f"config file {path} (from {source}) does not exist")
    try:
        with open_regular(path, "config file") as f:
            data = tomllib.load(f)
    except NotRegularFileError as exc:  # a folder, or a FIFO that would block the read
        raise ConfigError(
            f"config file {path} (from {source}) is not a regular file ({exc.kind})"
        ) from None
    except OSError as exc:
        raise ConfigError(f"config file {path} cannot be read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"config file {path} is not UTF-8 text (TOML must be UTF-8)") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    return LoadedConfig(parse_config(data, str(path)), path, source, data)
