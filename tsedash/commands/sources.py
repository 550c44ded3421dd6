"""Where a command's registry comes from (--registry, --compose, --discover) and the
Prometheus base its config is merged into (--base, --no-base, --replace-job)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from tsedash.errors import InputError
from tsedash.redact import remember_url
from tsedash.spec import DEFAULT_EXTRAS_DIR, DEFAULT_REGISTRY, REGISTRY_ENV

if TYPE_CHECKING:
    from tsedash.prometheus import MergeReport, PrometheusMerge
    from tsedash.registry import Registry
    from tsedash.registry.merge import Sources
    from tsedash.spec import Content

# Every stage is imported by the commands that use it: `registry show` does not pay for the

from tsedash.commands.common import F, echo


@dataclass(frozen=True)
class SourceSpec:
    """Where the registry comes from: the YAML file, compose files, live Redis."""

    path: str | None
    compose: tuple[str, ...] = ()
    discover: str | None = None
    stale_after: float = 45.0

    @property
    def given(self) -> bool:
        return bool(self.path or self.compose or self.discover)

    def load(self) -> Sources:
        from tsedash.registry.merge import load_sources

        return load_sources(self.path, self.compose, self.discover, self.stale_after)


def registry_option(func: F) -> F:
    """--registry, --compose, --discover, --stale-after → one `registry_path: SourceSpec`."""

    @click.option(
        "--registry",
        "registry_file",
        envvar=REGISTRY_ENV,
        default=None,
        metavar="FILE",
        help=f"Registry file or a compose file (default: {DEFAULT_REGISTRY}; env {REGISTRY_ENV}).",
    )
    @click.option(
        "--compose",
        multiple=True,
        metavar="FILE",
        type=click.Path(dir_okay=False),
        help="Also take instances from this compose file (repeat to merge several, like -f).",
    )
    @click.option(
        "--discover",
        envvar="REDIS_URL",
        default=None,
        metavar="URL",
        help="Also take the instances registered in this Redis (env REDIS_URL).",
    )
    @click.option(
        "--stale-after",
        default=45.0,
        show_default=True,
        type=click.FloatRange(min=0),
        help="Seconds after which a Redis registration's heartbeat is stale.",
    )
    @wraps(func)
    def wrapper(
        *args: Any,
        registry_file: str | None,
        compose: tuple[str, ...],
        discover: str | None,
        stale_after: float,
        **kwargs: Any,
    ) -> Any:
        remember_url(discover)
        spec = SourceSpec(registry_file, compose, discover or None, stale_after)
        return func(*args, registry_path=spec, **kwargs)

    return wrapper  # type: ignore[return-value]


def source_lines(sources: Sources) -> list[str]:
    """The registry's warnings and the Redis entries left out, one line each (stderr)."""
    lines = [str(warning) for warning in sources.registry.warnings]
    if sources.redis is not None:
        lines += [
            f"{sources.redis.url}: skipped {s.key}: {s.reason}" for s in sources.redis.skipped
        ]
    return lines


def load_registry(spec: SourceSpec) -> Registry:
    sources = spec.load()
    for line in source_lines(sources):
        echo(line, err=True)
    return sources.registry


@dataclass(frozen=True)
class BaseChoice:
    """--base, --no-base, --replace-job: the Prometheus config ours is merged into."""

    file: str | None = None
    off: bool = False
    replace_jobs: tuple[str, ...] = ()

    def candidates(self, spec: SourceSpec) -> list[Path]:
        """Every file the choice may read (for the build's input digest)."""
        from tsedash.prometheus.merge import BESIDE_COMPOSE

        if self.off:
            return []
        if self.file:
            return [Path(self.file)]
        given = [*([spec.path] if spec.path else []), *spec.compose]
        return [Path(f).parent / BESIDE_COMPOSE for f in given]


def base_options(func: F) -> F:
    """--base FILE, --no-base, --replace-job NAME → one `base: BaseChoice`."""

    @click.option(
        "--base",
        "base_file",
        default=None,
        metavar="FILE",
        type=click.Path(dir_okay=False),
        help="Merge the Prometheus config into this prometheus.yml, keeping all of it but the "
        "jobs of the registry's service types (default: prometheus/prometheus.yml beside the "
        "first compose file, when there is one).",
    )
    @click.option(
        "--no-base", is_flag=True, help="Write our own prometheus.yml, merged into nothing."
    )
    @click.option(
        "--replace-job",
        "replace_jobs",
        multiple=True,
        metavar="NAME",
        help="Replace this base job even though its shape is not recognised (repeatable).",
    )
    @wraps(func)
    def wrapper(
        *args: Any,
        base_file: str | None,
        no_base: bool,
        replace_jobs: tuple[str, ...],
        **kwargs: Any,
    ) -> Any:
        return func(*args, base=BaseChoice(base_file, no_base, replace_jobs), **kwargs)

    return wrapper  # type: ignore[return-value]


def prometheus_merge(
    choice: BaseChoice, spec: SourceSpec, reg: Registry
) -> tuple[PrometheusMerge | None, MergeReport | None]:
    """The base to merge into (given, or found beside the orchestrator's compose file) and
    what merging does, checked before anything is written."""
    from tsedash.prometheus import PrometheusMerge, find_base_beside, load_base, merge_report

    if choice.file and choice.off:
        raise InputError("--base and --no-base exclude each other")
    if choice.off:
        base = None
    elif choice.file:
        base = load_base(choice.file)
    else:
        found = find_base_beside(compose_files(spec, reg))
        base = load_base(*found) if found else None
    if base is None:
        if choice.replace_jobs:
            raise InputError("--replace-job applies to a base config: none given (--base FILE)")
        return None, None
    merge = PrometheusMerge(base, choice.replace_jobs)
    return merge, merge_report(reg, merge)


def compose_files(spec: SourceSpec, reg: Registry) -> list[str]:
    """The compose files the registry was read from: --registry (when it was one) and --compose."""
    from tsedash.registry import resolve_registry_path

    compose = list(spec.compose)
    if reg.path != str(resolve_registry_path(spec.path)):  # --registry was a compose file
        compose.insert(0, str(resolve_registry_path(spec.path)))
    return compose


def content() -> Content:
    """The composition root: the only place the engine meets the content."""
    import tsedash_dashboards

    return tsedash_dashboards


def default_extras(extras: Path | None) -> Path | None:
    """--extras, else ./extras when that directory exists (never site-packages)."""
    if extras is None and Path(DEFAULT_EXTRAS_DIR).is_dir():
        return Path(DEFAULT_EXTRAS_DIR)
    return extras
