"""`tsedash registry show|check`, and the options that say where a command's registry comes
from (--registry, --compose, --discover) and the Prometheus base its config is merged into
(--base, --no-base, --replace-job); the types they build are the pipeline's
(`tsedash.pipeline.inputs`)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial, wraps
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import click

from tsedash.commands.common import F, View, cli, echo_lines
from tsedash.pipeline.inputs import BaseChoice, SourceSpec, source_lines
from tsedash.redact import remember_url
from tsedash.spec import DEFAULT_EXTRAS_DIR as EXTRAS
from tsedash.spec import DEFAULT_REGISTRY, REGISTRY_ENV

if TYPE_CHECKING:
    from tsedash.registry import Registry
    from tsedash.spec import Content

_REG = f"Registry file or a compose file (default: {DEFAULT_REGISTRY}; env {REGISTRY_ENV})."
_COMPOSE = "Also take instances from this compose file (repeat to merge several, like -f)."
_DISCOVER = "Also take the instances registered in this Redis (env REDIS_URL)."
_STALE = "Seconds after which a Redis registration's heartbeat is stale (default 45)."
_BASE = (
    "Merge the Prometheus config into this prometheus.yml, keeping all of it but the jobs of "
    "the registry's service types (default: prometheus/prometheus.yml beside the first "
    "compose file, when there is one)."
)
_FILE = click.Path(dir_okay=False)
_EXTRAS = f"Extra dashboards (*.dashboard.py, *.json); default ./{EXTRAS} if any."
_REPLACE = "Replace this base job even though its shape is not recognised (repeatable)."


def dir_option(*decls: str, **kwargs: Any) -> Callable[[F], F]:
    return click.option(*decls, type=click.Path(file_okay=False, path_type=Path), **kwargs)


def flag(decl: str, help: str) -> Callable[[F], F]:
    return click.option(decl, is_flag=True, help=help)


extras_option = dir_option("--extras", help=_EXTRAS)


def registry_option(func: F) -> F:
    """--registry, --compose, --discover, --stale-after → one `registry_path: SourceSpec`."""

    @click.option("--registry", "registry_file", envvar=REGISTRY_ENV, metavar="FILE", help=_REG)
    @click.option("--compose", multiple=True, type=_FILE, metavar="FILE", help=_COMPOSE)
    @click.option("--discover", envvar="REDIS_URL", metavar="URL", help=_DISCOVER)
    @click.option("--stale-after", default=45.0, type=click.FloatRange(min=0), help=_STALE)
    @wraps(func)
    def wrapper(*args: Any, registry_file: str | None, **kw: Any) -> Any:
        remember_url(kw["discover"])
        sources = (kw.pop("compose"), kw.pop("discover") or None, kw.pop("stale_after"))
        return func(*args, registry_path=SourceSpec(registry_file, *sources), **kw)

    return wrapper  # type: ignore[return-value]


def load_registry(spec: SourceSpec) -> Registry:
    sources = spec.load()
    echo_lines(source_lines(sources))
    return sources.registry


def base_options(func: F) -> F:
    """--base FILE, --no-base, --replace-job NAME → one `base: BaseChoice`."""

    @click.option("--base", "base_file", type=_FILE, metavar="FILE", help=_BASE)
    @flag("--no-base", "Write our own prometheus.yml, merged into nothing.")
    @click.option("--replace-job", "replace_jobs", multiple=True, metavar="NAME", help=_REPLACE)
    @wraps(func)
    def wrapper(*args: Any, base_file: str | None, no_base: bool, **kw: Any) -> Any:
        base = BaseChoice(base_file, no_base, kw.pop("replace_jobs"))
        return func(*args, base=base, **kw)

    return wrapper  # type: ignore[return-value]


# The composition root: the only place the engine meets the content. A partial, not a
# function of this module, so that the pipeline calling it (only when it builds) does not
# come back into the command layer.
content = cast("Callable[[], Content]", partial(import_module, "tsedash_dashboards"))


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
    table = render_table(reg, wide=view.format == "wide").splitlines()
    view.show([inst.as_contract() for inst in reg.instances], table)


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
    lines = [*source_lines(sources), (False, check_summary(sources.registry))]
    view.show(check_document(True, list(sources.registry.warnings), sources), lines, err=True)
