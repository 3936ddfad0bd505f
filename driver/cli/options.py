"""Command-line flags made from a pydantic model, so that an option's name, type, default,
bounds and help are declared once (in the model) and validated once (by it).

A field of ``table`` (``[compute]``) becomes a flag that defaults to "not given" (None): the
file's value, else the field's default, applies. A field of the model only is a flag with the
field's own default. ``--max-parallel`` is field ``max_parallel``; a bool of the table is
``--controls/--no-controls``; a bool of the model only is a switch (``--redo``); a list whose
field says ``separator`` takes one separated value (``--only-status completed,failed``), any
other list is given once per value (``--judge a --judge b``).
"""

from __future__ import annotations

import functools
import inspect
import operator
import types
import typing
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

import typer
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from driver.config.loader import ConfigError
from rubric import describe_validation_error

M = TypeVar("M", bound=BaseModel)


def flag(name: str) -> str:
    """The flag of field ``name``."""
    return "--" + name.replace("_", "-")


def _separator(field: FieldInfo) -> str | None:
    extra = field.json_schema_extra
    value = extra.get("separator") if isinstance(extra, dict) else None
    return value if isinstance(value, str) else None


def _cli_type(field: FieldInfo) -> Any:
    """The type typer parses a field's flag as (its value is checked by the model): bounds
    (``Annotated``) left to the model; typer itself reads ``X | None`` as an optional X."""
    base = field.annotation
    if typing.get_origin(base) in (typing.Union, types.UnionType):
        plain = [typing.get_args(a)[0] if typing.get_origin(a) is Annotated else a
                 for a in typing.get_args(base)]  # fmt: skip
        base = functools.reduce(operator.or_, plain)
    if typing.get_origin(base) is Literal:
        return str
    if typing.get_origin(base) is list:
        return str if _separator(field) else list[str]
    return base


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return (
        "none" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
    )


def _parameter(name: str, field: FieldInfo, table: str | None) -> inspect.Parameter:
    """One flag; ``table`` names the file table the field is a key of, when it is one."""
    cli_type = _cli_type(field)
    if not field.description:
        raise ValueError(f"option {name!r} has no description: it is its --help")
    help_text = field.description
    if table is not None:  # typer names the flag after the field, --x/--no-x for a bool
        help_text += f" [default: {_shown(field.default)}, or [{table}] {name}]"
        option = typer.Option(None, help=help_text)
        annotation: Any = cli_type | None
    elif cli_type is bool:  # a switch: --redo, never --no-redo
        option = typer.Option(field.default, flag(name), help=help_text)
        annotation = bool
    else:
        option = typer.Option(... if field.is_required() else field.default, help=help_text)
        annotation = cli_type
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=option,
                             annotation=annotation)  # fmt: skip


def command_from(
    model: type[BaseModel], table: type[BaseModel], table_name: str, run: Callable[..., None]
) -> Callable[..., None]:
    """``run`` with one flag per field of ``model``, for ``app.command()``; it is called with
    every flag by name (None for a table key that was not given)."""
    params = [
        _parameter(name, field, table_name if name in table.model_fields else None)
        for name, field in model.model_fields.items()
    ]
    params.sort(key=lambda p: p.default.default is not ...)  # required flags first

    def command(**given: Any) -> None:
        run(**given)

    command.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    command.__doc__ = run.__doc__
    command.__name__ = run.__name__
    return command


def merged(model: type[M], given: dict[str, Any], file_table: BaseModel) -> M:
    """The model from the file's table with the given flags (not None) on top, validated once;
    a :class:`ConfigError` names the option and what is wrong with it."""
    flags = {k: v for k, v in given.items() if v is not None}
    for name, field in model.model_fields.items():
        separator = _separator(field)
        if separator and isinstance(flags.get(name), str):
            flags[name] = [s.strip() for s in flags[name].split(separator) if s.strip()]
    try:
        return model.model_validate({**file_table.model_dump(), **flags})
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(exc, "option")) from None
