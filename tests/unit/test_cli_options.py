"""Flags made from a model (driver/cli/options.py): names, types, defaults, help, and the merge
of the given flags over a file's table, on a model of every kind of field."""

from __future__ import annotations

import inspect
from typing import Annotated, Any, Literal

import pytest
import typer
from pydantic import BaseModel, ConfigDict, Field
from typer.testing import CliRunner

from driver.cli.options import command_from, merged
from driver.config.loader import ConfigError
from driver.config.schema import COMMA_SEPARATED


class Table(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    size: int = Field(default=3, ge=1, description="How big.")
    tags: list[str] = Field(
        default=["a", "b"], description="Tags.", json_schema_extra=COMMA_SEPARATED
    )
    on: bool = Field(default=True, description="Switched on.")
    mode: Literal["X", "y"] = Field(default="X", description="Which mode.")
    limit: Annotated[float, Field(gt=0)] | None = Field(default=None, description="A limit.")


class Request(Table):
    name: str = Field(description="A name.")
    names: list[str] | None = Field(default=None, description="Several names.")
    dry: bool = Field(default=False, description="Only pretend.")
    level: int = Field(default=2, description="A level.")
    extra: list[str] = Field(default=[], description="More, one per flag.")


def run(**given: Any) -> None:
    """Does the thing."""
    SEEN.append(given)


SEEN: list[dict[str, Any]] = []


def invoke(*argv: str) -> tuple[int, str, dict[str, Any] | None]:
    SEEN.clear()
    probe = typer.Typer(rich_markup_mode=None)
    probe.command()(command_from(Request, Table, "t", run))
    result = CliRunner().invoke(probe, list(argv), terminal_width=300)
    return result.exit_code, result.output, (SEEN[0] if SEEN else None)


def test_the_help_names_each_flag_its_default_and_where_else_it_is_set() -> None:
    code, text, _ = invoke("--help")
    assert code == 0 and "Does the thing." in text
    for shown in ("--size <int>", "How big. [default: 3, or [t] size]",
                  "Tags. [default: a,b, or [t] tags]", "Switched on. [default: true, or [t] on]",
                  "Which mode. [default: X, or [t] mode]", "A limit. [default: none, or [t] limit]",
                  "--limit <float>",
                  "--on / --no-on", "--dry", "A level.", "[default: 2]"):  # fmt: skip
        assert shown in " ".join(text.split()), shown
    for absent in ("--no-size", "--no-dry", "--no-level", "[t] level"):
        assert absent not in text, absent


def test_given_flags_arrive_typed_and_the_rest_as_not_given() -> None:
    code, _, given = invoke("--name", "n")
    assert code == 0 and given == {
        "name": "n", "size": None, "tags": None, "on": None, "mode": None, "limit": None,
        "names": None, "dry": False, "level": 2, "extra": [],
    }  # fmt: skip
    argv = ["--name", "n", "--size", "5", "--tags", "p, q", "--no-on", "--mode", "z",
            "--limit", "2.5", "--names", "a", "--names", "b", "--dry", "--level", "7",
            "--extra", "e", "--extra", "f"]  # fmt: skip
    code, _, given = invoke(*argv)
    assert code == 0 and given == {
        "name": "n", "size": 5, "tags": "p, q", "on": False, "mode": "z", "limit": 2.5,
        "names": ["a", "b"], "dry": True, "level": 7, "extra": ["e", "f"],
    }  # fmt: skip
    assert type(given["limit"]) is float and type(given["size"]) is int
    for bad in (["--size", "five"], ["--limit", "soon"], ["--level", "1.5"]):
        assert invoke("--name", "n", *bad)[0] == 2, bad
    assert invoke()[0] == 2  # --name is required


def test_required_flags_come_first() -> None:
    names = list(inspect.signature(command_from(Request, Table, "t", run)).parameters)
    assert names[0] == "name" and set(names) == set(Request.model_fields)


def test_the_merge_puts_given_flags_over_the_table_and_validates_once() -> None:
    table = Table(size=4, on=False)
    request = merged(Request, {"name": "n", "size": None, "tags": " p, ,q ", "on": None}, table)
    assert (request.size, request.tags, request.on) == (4, ["p", "q"], False)
    assert merged(Request, {"name": "n", "size": 9, "on": True}, table).size == 9
    with pytest.raises(ConfigError, match="option size = 0"):
        merged(Request, {"name": "n", "size": 0}, table)
    with pytest.raises(ConfigError, match="option mode = 'z'"):
        merged(Request, {"name": "n", "mode": "z"}, table)


def test_an_option_without_help_is_refused() -> None:
    class Bare(BaseModel):
        size: int = 3

    with pytest.raises(ValueError, match="option 'size' has no description"):
        command_from(Bare, Bare, "t", run)
