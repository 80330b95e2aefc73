"""The ``vitnemal`` command's Typer app: the top-level commands and the groups, each group's module imported and
its commands built only when it is used.

Sub-commands live in their own modules; heavy imports happen inside the commands so start-up stays fast.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping, MutableMapping
from typing import Any

import typer
from typer._coercion import RuntimeParam
from typer.core import TyperGroup

from vitnemal.cli import serve, settings, verify


class _Groups(Mapping[str, typer.Typer]):
    """The command groups by name, each the ``app`` of its module, imported on first use."""

    def __init__(self, modules: Mapping[str, str]) -> None:
        self._modules = dict(modules)

    def __getitem__(self, name: str) -> typer.Typer:
        group = importlib.import_module(self._modules[name]).app
        assert isinstance(group, typer.Typer)
        return group

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __len__(self) -> int:
        return len(self._modules)


# A group is imported, and turned into click commands, only when it is run or listed in full: importing every
# group's module and building its commands (inspecting each function's signature) took most of the start-up of a
# command that needs one group.
GROUPS = _Groups({name: f"vitnemal.cli.{name}" for name in (
    "id", "federation", "db", "exchange", "records", "school", "bench", "recognition", "diplomas", "programmes",
    "portal", "tokens", "staff", "admissions", "elmo", "emrex",
)})


class _Commands(MutableMapping[str, Any]):
    """The top-level commands: the eager ones as given, the groups of :data:`GROUPS` built on first use."""

    def __init__(self, eager: Mapping[str, Any]) -> None:
        self._built: dict[str, Any] = dict(eager)

    def __getitem__(self, name: str) -> Any:
        if name not in self._built and name in GROUPS:
            import typer.main

            _plain_help(GROUPS[name])
            self._built[name] = _light_flags(typer.main.get_group(GROUPS[name]))
        return self._built[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        del self._built[name]

    def __iter__(self) -> Iterator[str]:
        return iter(sorted({*self._built, *GROUPS}))

    def __len__(self) -> int:
        return len({*self._built, *GROUPS})

    def short_help(self, name: str, limit: int) -> str:
        """The line a group gets in `vitnemal --help`, without building it."""
        if name in self._built:
            return str(self._built[name].get_short_help_str(limit))
        from typer._click.utils import make_default_short_help

        return make_default_short_help(str(GROUPS[name].info.help or ""), limit)


class _BoolFlag(RuntimeParam):
    """A flag's value as click gives it. Typer coerces every parameter through a pydantic TypeAdapter, and even
    --help's flag made each command import pydantic (about as long as the rest of `vitnemal id check`'s start)."""

    def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()  # from an environment variable
        if word in ("1", "true", "t", "yes", "y", "on"):
            return True
        if word in ("0", "false", "f", "no", "n", "off", ""):
            return False
        raise typer.BadParameter(f"{value!r} is not a boolean: write 1/0, true/false or yes/no", ctx=ctx,
                                 param=param)


def _light_flags(command: Any) -> Any:
    """``command`` (and its sub-commands) with plain coercion for its boolean flags, --help's included (click makes
    that one when the command line is parsed, hence the hook on get_params)."""
    original = command.get_params

    def get_params(ctx: Any) -> list[Any]:
        params = original(ctx)
        for param in params:
            descriptor = getattr(param, "type_descriptor", None)
            if descriptor is not None and descriptor.annotation is bool and param._runtime_param is None:
                param._runtime_param = _BoolFlag(parameter_info=descriptor.parameter_info, annotation=bool)
        return list(params)

    setattr(command, "get_params", get_params)  # noqa: B010 (mypy refuses assigning to a method)
    for sub in getattr(command, "commands", {}).values():
        _light_flags(sub)
    return command


class _LazyGroup(TyperGroup):
    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        _light_flags(self)
        self.commands = _Commands(self.commands)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        commands = self.commands
        assert isinstance(commands, _Commands)
        names = list(commands)
        limit = formatter.width - 6 - max(len(name) for name in names)
        with formatter.section("Commands"):
            formatter.write_dl([(name, commands.short_help(name, limit)) for name in names])


app = typer.Typer(
    name="vitnemal",
    help="Norwegian educational results: exchange between institutions, diplomas, verification.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    cls=_LazyGroup,
)
serve.register(app)
settings.register(app)


def _plain_help(typer_app: typer.Typer) -> None:
    # Help as click prints it, not through Rich: importing Rich's renderer took more than half of `vitnemal --help`,
    # and Rich read "[default: …]" in help texts as markup and dropped it. Defaults and environment variables are
    # declared on the options (show_default=, envvar=) and printed by click.
    typer_app.rich_markup_mode = None
    for group in typer_app.registered_groups:
        if group.typer_instance is not None:
            _plain_help(group.typer_instance)


_plain_help(app)
verify.register(app)


def run() -> None:
    """Run the command line through Typer (what :func:`vitnemal.cli.main` does unless a fast path answers it)."""
    from vitnemal.schema import SchemaOutdated

    try:
        app()
    except SchemaOutdated as exc:
        typer.echo(str(exc), err=True)
        raise SystemExit(1) from None
