"""`tsedash registry show|check`."""

from __future__ import annotations

import click

from tsedash.commands.common import View, cli, echo, echo_lines
from tsedash.commands.sources import SourceSpec, load_registry, registry_option, source_lines


@cli.group()
def registry() -> None:
    """Inspect and check the instance registry."""


@registry.command("show")
@registry_option
# Before -o, `--format json` was how to ask; kept (hidden) so scripts keep working.
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default=None, hidden=True)
def registry_show(registry_path: SourceSpec, view: View, fmt: str | None) -> None:
    """Print every instance with its derived schema and namespace (-o wide: address, keys,
    container, source; -o json: the contract, one object per instance)."""
    from tsedash.registry.tables import render_table

    if fmt and view.format == "table":
        view = View(fmt, view.quiet)
    reg = load_registry(registry_path)
    if view.structured:
        view.document([inst.as_contract() for inst in reg.instances])
    else:
        echo(render_table(reg, wide=view.wide), nl=False)


@registry.command("check")
@registry_option
def registry_check(registry_path: SourceSpec, view: View) -> None:
    """Check the registry; exit 2 with one line per problem when it has errors."""
    from tsedash.registry import RegistryError
    from tsedash.registry.tables import check_document, check_summary

    try:
        sources = registry_path.load()
    except RegistryError as exc:
        if view.structured:
            view.document(check_document(False, exc.problems))
        raise  # one line per problem on stderr, exit 2
    if view.structured:
        view.document(check_document(True, list(sources.registry.warnings), sources))
        return
    echo_lines(source_lines(sources))
    echo(check_summary(sources.registry))
