"""`tsedash registry show|check`."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from tsedash.registry.merge import Sources

# Every stage is imported by the commands that use it: `registry show` does not pay for the

from tsedash.commands.common import echo, fail, handles_errors
from tsedash.commands.root import registry as registry_group
from tsedash.commands.sources import SourceSpec, load_registry, registry_option, source_lines


@registry_group.command("show")
@registry_option
@click.option(
    "--json", "as_json", is_flag=True, help="The JSON contract (one object per instance)."
)
# Before --json was the convention of every command; kept so scripts keep working.
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default=None, hidden=True)
@handles_errors
def registry_show(registry_path: SourceSpec, as_json: bool, fmt: str | None) -> None:
    """Print every instance with its derived schema, namespace, keys and paths."""
    from tsedash.registry.tables import render_table

    reg = load_registry(registry_path)
    if as_json or fmt == "json":
        payload = [inst.as_contract() for inst in reg.instances]
        echo(json.dumps(payload, indent=2, sort_keys=True))
    else:
        echo(render_table(reg), nl=False)


@registry_group.command("check")
@registry_option
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable result.")
@handles_errors
def registry_check(registry_path: SourceSpec, as_json: bool) -> None:
    """Check the registry; exit 2 with one line per problem when it has errors."""
    from tsedash.registry import RegistryError

    try:
        sources = registry_path.load()
        reg = sources.registry
    except RegistryError as exc:
        if as_json:
            echo(_check_json(False, exc.problems))
        fail(exc)
        return
    if as_json:
        echo(_check_json(True, list(reg.warnings), sources))
        return
    for line in source_lines(sources):
        echo(line, err=True)
    n_warn = len(reg.warnings)
    echo(
        f"{reg.path}: ok: {len(reg.instances)} instances of {len(reg.services)} service types, "
        f"{len(reg.infrastructure)} infrastructure jobs"
        + (f", {n_warn} warning{'s' if n_warn != 1 else ''}" if n_warn else "")
    )


def _check_json(ok: bool, problems: list[Any], sources: Sources | None = None) -> str:
    redis = sources.redis if sources else None
    return json.dumps(
        {
            "ok": ok,
            "errors": [p.as_dict() for p in problems if p.severity.value == "error"],
            "warnings": [p.as_dict() for p in problems if p.severity.value == "warning"],
            # The Redis entries left out, as the text output's `skipped <key>: <reason>` lines.
            "skipped": [
                {"redis": redis.url, "key": s.key, "reason": s.reason} for s in redis.skipped
            ]
            if redis
            else [],
        },
        indent=2,
        sort_keys=True,
    )
