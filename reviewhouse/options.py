"""The command line's flags, made from the options models (`flows.options`): one flag per
field, named in `--kebab-case`, its help the field's description, its default and bounds
the field's. Nothing about an option is written twice.

    @app.command()
    @with_options(IngestOptions)
    def ingest(sources: list[str], options: IngestOptions) -> None: ...
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Any, Literal, get_args, get_origin

import annotated_types
import typer
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from flows.paths import WAREHOUSE_ENV

# Flags named otherwise than their field, as they were named before the options model.
FLAGS: dict[str, tuple[str, ...]] = {
    "warehouse": ("--warehouse", "-w"),
    "allow_hosts": ("--allow-host",),  # repeatable: one host each
    "min_delay_s": ("--delay",),
    "timeout_s": ("--timeout",),
    "respect_robots": ("--robots",),
}
ENVVARS = {"warehouse": WAREHOUSE_ENV}


def with_options(model: type[BaseModel]) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Give a command one flag per field of `model`, and call it with the model built from
    them as `options` (its other parameters are its own)."""

    def wrap(command: Callable[..., None]) -> Callable[..., None]:
        own = [
            parameter
            for parameter in inspect.signature(command, eval_str=True).parameters.values()
            if parameter.name != "options"
        ]
        flags = [flag(name, field) for name, field in model.model_fields.items()]

        @functools.wraps(command)
        def run(**values: Any) -> None:
            given = {name: values.pop(name) for name in model.model_fields}
            options = model(**{name: plain(v) for name, v in given.items() if v is not None})
            command(**values, options=options)

        run.__signature__ = inspect.Signature([*own, *flags])  # type: ignore[attr-defined]
        run.__annotations__ = {}  # typer reads the signature above, not the command's hints
        return run

    return wrap


def flag(name: str, field: FieldInfo) -> inspect.Parameter:
    """The typer option of one field."""
    if not field.description:
        raise ValueError(f"option {name!r} has no description to show as its help")
    annotation, default = field.annotation, field.get_default(call_default_factory=True)
    names = FLAGS.get(name, (f"--{name.replace('_', '-')}",))
    if annotation is bool:
        names = (f"{names[0]}/--no-{names[0].removeprefix('--')}", *names[1:])
    if get_origin(annotation) is Literal:  # typer takes choices as an Enum
        annotation = StrEnum(name.title().replace("_", ""), {v: v for v in get_args(annotation)})
        default = annotation(default)
    if get_origin(annotation) is list:
        annotation, default = annotation | None, None  # repeated, or not given
    bounds = {}
    for constraint in field.metadata:
        if isinstance(constraint, annotated_types.Ge):
            bounds["min"] = constraint.ge
        if isinstance(constraint, annotated_types.Le):
            bounds["max"] = constraint.le
    option = typer.Option(*names, help=field.description, envvar=ENVVARS.get(name), **bounds)
    return inspect.Parameter(
        name,
        inspect.Parameter.KEYWORD_ONLY,
        default=default,
        annotation=Annotated[annotation, option],
    )


def plain(value: object) -> object:
    """A flag's value as the model takes it: an Enum's value, a list for a repeated flag."""
    if isinstance(value, StrEnum):
        return value.value
    return list(value) if isinstance(value, tuple) else value
