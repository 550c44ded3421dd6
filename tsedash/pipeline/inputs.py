"""What a build reads: the one description of its inputs.

`SourceSpec` (where the registry comes from), `BaseChoice` (the Prometheus config ours is
merged into) and `BuildInputs` (both, with the extras directory and the lint exclusions) say
which files a build reads. The build cache digests those files, `tsedash watch` polls them and
passes `argv()` to each `tsedash build`, and the command line builds them from its options: a
new registry source is a field here, its files in `files()` and its options in `argv()`.

Light to import (an unchanged build reads its stamp without loading any stage).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tsedash.errors import InputError
from tsedash.spec import DEFAULT_EXTRAS_DIR, DEFAULT_REGISTRY

if TYPE_CHECKING:
    from tsedash.prometheus import MergeReport, PrometheusMerge
    from tsedash.registry import Registry
    from tsedash.registry.merge import Sources

DEFAULT_EXCLUSIONS = ".lint.yaml"


@dataclass(frozen=True)
class SourceSpec:
    """Where the registry comes from: the YAML file, compose files, live Redis."""

    path: str | None = None
    compose: tuple[str, ...] = ()
    discover: str | None = None
    stale_after: float = 45.0

    @property
    def given(self) -> bool:
        return bool(self.path or self.compose or self.discover)

    def load(self) -> Sources:
        from tsedash.registry.merge import load_sources

        return load_sources(self.path, self.compose, self.discover, self.stale_after)

    def files(self) -> list[Path]:
        """The files loading reads (a compose file given as the registry reads instances.yaml
        in the working directory too); live Redis is no file."""
        registry = Path(self.path or DEFAULT_REGISTRY)
        return list(dict.fromkeys([registry, Path(DEFAULT_REGISTRY), *map(Path, self.compose)]))

    def argv(self) -> list[str]:
        """The same sources as `tsedash build` options."""
        args = ["--registry", str(self.path or DEFAULT_REGISTRY)]
        for compose in self.compose:
            args += ["--compose", compose]
        if self.discover:
            args += ["--discover", self.discover, "--stale-after", str(self.stale_after)]
        return args

    def compose_files(self, reg: Registry) -> list[str]:
        """The compose files the registry was read from: the registry file (when it was one)
        and --compose."""
        from tsedash.registry import resolve_registry_path

        compose = list(self.compose)
        if reg.path != str(resolve_registry_path(self.path)):  # --registry was a compose file
            compose.insert(0, str(resolve_registry_path(self.path)))
        return compose


@dataclass(frozen=True)
class BaseChoice:
    """--base, --no-base, --replace-job: the Prometheus config ours is merged into."""

    file: str | None = None
    off: bool = False
    replace_jobs: tuple[str, ...] = ()

    def candidates(self, spec: SourceSpec) -> list[Path]:
        """Every file the choice may read: the given base, or the one beside a compose file."""
        from tsedash.prometheus.merge import BESIDE_COMPOSE

        if self.off:
            return []
        if self.file:
            return [Path(self.file)]
        given = [*([spec.path] if spec.path else []), *spec.compose]
        return [Path(f).parent / BESIDE_COMPOSE for f in given]

    def argv(self) -> list[str]:
        args = ["--base", self.file] if self.file else []
        args += ["--no-base"] if self.off else []
        for job in self.replace_jobs:
            args += ["--replace-job", job]
        return args

    def merge(
        self, spec: SourceSpec, reg: Registry
    ) -> tuple[PrometheusMerge | None, MergeReport | None]:
        """The base to merge into (given, or found beside the orchestrator's compose file) and
        what merging does, checked before anything is written."""
        from tsedash.prometheus import PrometheusMerge, find_base_beside, load_base, merge_report

        if self.file and self.off:
            raise InputError("--base and --no-base exclude each other")
        if self.off:
            base = None
        elif self.file:
            base = load_base(self.file)
        else:
            found = find_base_beside(spec.compose_files(reg))
            base = load_base(*found) if found else None
        if base is None:
            if self.replace_jobs:
                raise InputError("--replace-job applies to a base config: none given (--base FILE)")
            return None, None
        merge = PrometheusMerge(base, self.replace_jobs)
        return merge, merge_report(reg, merge)


def source_lines(sources: Sources) -> list[str]:
    """The registry's warnings and the Redis entries left out, one line each (stderr)."""
    lines = [str(warning) for warning in sources.registry.warnings]
    if sources.redis is not None:
        lines += [
            f"{sources.redis.url}: skipped {s.key}: {s.reason}" for s in sources.redis.skipped
        ]
    return lines


def default_extras(extras: Path | None) -> Path | None:
    """--extras, else ./extras when that directory exists (never site-packages)."""
    if extras is None and Path(DEFAULT_EXTRAS_DIR).is_dir():
        return Path(DEFAULT_EXTRAS_DIR)
    return extras


@dataclass(frozen=True)
class BuildInputs:
    """Everything a build reads besides the code: registry sources, extras, exclusions and
    (with a deploy directory) the Prometheus base."""

    sources: SourceSpec = field(default_factory=SourceSpec)
    extras: Path | None = None
    exclusions: str | None = None
    base: BaseChoice = field(default_factory=BaseChoice)

    @property
    def exclusions_file(self) -> Path:
        return Path(self.exclusions or DEFAULT_EXCLUSIONS)

    def files(self, deploy: bool) -> list[Path]:
        """The single files a build reads (the extras directory is read as a whole)."""
        files = [*self.sources.files(), self.exclusions_file]
        return files + (self.base.candidates(self.sources) if deploy else [])

    def dirs(self) -> list[Path]:
        return [self.extras] if self.extras else []

    def argv(self, deploy: bool) -> list[str]:
        """These inputs as `tsedash build` options."""
        args = self.sources.argv()
        args += ["--extras", str(self.extras)] if self.extras else []
        args += ["--exclusions", self.exclusions] if self.exclusions else []
        return args + (self.base.argv() if deploy else [])
