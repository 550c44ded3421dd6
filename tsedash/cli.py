"""The `tsedash` command: parse options, call the library, map errors to exit codes.

Exit codes (README.md): 0 ok · 1 findings · 2 bad input or usage · 3 remote failure.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, TypeVar

import click

from tsedash import __version__
from tsedash.errors import InputError, TsedashError
from tsedash.redact import redact, remember_secret, remember_url
from tsedash.spec import DEFAULT_EXTRAS_DIR, DEFAULT_REGISTRY, REGISTRY_ENV

if TYPE_CHECKING:
    from tsedash import buildcache
    from tsedash.grafana.sync import PushReport
    from tsedash.lint import LintReport
    from tsedash.prometheus import MergeReport, PrometheusMerge
    from tsedash.registry import Registry
    from tsedash.registry.merge import Sources
    from tsedash.spec import Content
    from tsedash.validate import Finding

# Every stage is imported by the commands that use it: `registry show` does not pay for the
# dashboard builders, an unchanged `build` not even for the registry loader.

F = TypeVar("F", bound=Callable[..., Any])


def echo(message: Any = "", err: bool = False, nl: bool = True) -> None:
    """The one way out for text: every line passes `redact` (no secret leaves the program)."""
    click.echo(redact(str(message)), err=err, nl=nl)


def remember_environment_secrets() -> None:
    """The secrets the environment hands us, so that `redact` can mask them in any output."""
    remember_secret(os.environ.get("GRAFANA_TOKEN"))
    remember_secret(os.environ.get("GRAFANA_PASSWORD"), os.environ.get("GRAFANA_USER"))
    remember_url(os.environ.get("GRAFANA_URL"))
    remember_url(os.environ.get("REDIS_URL"))


def _fail(exc: TsedashError) -> None:
    problems = getattr(exc, "problems", None)  # RegistryError: one line per problem
    if problems:
        for problem in problems:
            echo(str(problem), err=True)
    else:
        echo(f"error: {exc}", err=True)
    sys.exit(exc.exit_code)


def handles_errors(func: F) -> F:
    """One clear line per problem on stderr and the contract's exit code; never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except TsedashError as exc:
            _fail(exc)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except OSError as exc:  # a file or device the command could not use
            where = f"{exc.filename}: " if exc.filename else ""
            echo(f"error: {where}{exc.strerror or exc}", err=True)
            sys.exit(2)
        except RecursionError:
            echo("error: an input is nested too deeply to read", err=True)
            sys.exit(2)
        except MemoryError:
            echo("error: an input is too large to hold in memory", err=True)
            sys.exit(2)
        except Exception as exc:  # a bug: say so in one line, never a traceback
            echo(f"error: unexpected {type(exc).__name__}: {exc} (a bug in tsedash)", err=True)
            sys.exit(2)
        finally:
            for client in _CLIENTS:
                for notice in dict.fromkeys(client.notices):  # each once
                    echo(f"warning: {notice}", err=True)
            _CLIENTS.clear()

    return wrapper  # type: ignore[return-value]


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


def _source_lines(sources: Sources) -> list[str]:
    """The registry's warnings and the Redis entries left out, one line each (stderr)."""
    lines = [str(warning) for warning in sources.registry.warnings]
    if sources.redis is not None:
        lines += [
            f"{sources.redis.url}: skipped {s.key}: {s.reason}" for s in sources.redis.skipped
        ]
    return lines


def _load(spec: SourceSpec) -> Registry:
    sources = spec.load()
    for line in _source_lines(sources):
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


def _prometheus_merge(
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
        found = find_base_beside(_compose_files(spec, reg))
        base = load_base(*found) if found else None
    if base is None:
        if choice.replace_jobs:
            raise InputError("--replace-job applies to a base config: none given (--base FILE)")
        return None, None
    merge = PrometheusMerge(base, choice.replace_jobs)
    return merge, merge_report(reg, merge)


def _compose_files(spec: SourceSpec, reg: Registry) -> list[str]:
    """The compose files the registry was read from: --registry (when it was one) and --compose."""
    from tsedash.registry import resolve_registry_path

    compose = list(spec.compose)
    if reg.path != str(resolve_registry_path(spec.path)):  # --registry was a compose file
        compose.insert(0, str(resolve_registry_path(spec.path)))
    return compose


def _content() -> Content:
    """The composition root: the only place the engine meets the content."""
    import tsedash_dashboards

    return tsedash_dashboards


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tsedash")
def cli() -> None:
    """Trading Ecosystem dashboards as code: registry → dashboards → Grafana."""
    remember_environment_secrets()


@cli.group()
def registry() -> None:
    """Inspect and check the instance registry."""


@registry.command("show")
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

    reg = _load(registry_path)
    if as_json or fmt == "json":
        payload = [inst.as_contract() for inst in reg.instances]
        echo(json.dumps(payload, indent=2, sort_keys=True))
    else:
        echo(render_table(reg), nl=False)


@registry.command("check")
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
        _fail(exc)
        return
    if as_json:
        echo(_check_json(True, list(reg.warnings), sources))
        return
    for line in _source_lines(sources):
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


dashboards_option = click.option(
    "--dashboards",
    "source",
    default="provisioning",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The provisioning directory whose dashboards to read (what `tsedash build` wrote).",
)
out_option = click.option(
    "--out",
    "out",
    default="provisioning",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Provisioning directory (mount it at /etc/grafana/provisioning).",
)


def _default_extras(extras: Path | None) -> Path | None:
    """--extras, else ./extras when that directory exists (never site-packages)."""
    if extras is None and Path(DEFAULT_EXTRAS_DIR).is_dir():
        return Path(DEFAULT_EXTRAS_DIR)
    return extras


@cli.command("build")
@registry_option
@out_option
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable summary.")
@click.option(
    "--extras",
    default=None,
    type=click.Path(file_okay=False, path_type=Path),
    help=f"Directory of extra dashboards (*.dashboard.py, *.json); default ./{DEFAULT_EXTRAS_DIR}"
    " if present.",
)
@click.option(
    "--strict-extras",
    is_flag=True,
    help="Refuse an extra dashboard that needed a migration (old schema, graph, singlestat).",
)
@click.option(
    "--lint", "lint", is_flag=True, help="Also lint the dashboards; findings stop the build."
)
@click.option("--strict", is_flag=True, help="With --lint: warnings and unused exclusions too.")
@click.option(
    "--exclusions",
    "exclusions_path",
    default=None,
    metavar="FILE",
    help="With --lint: the exclusions file (default: .lint.yaml when present).",
)
@click.option(
    "--deploy",
    "deploy_out",
    default=None,
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write the deployment artefacts (as `tsedash deploy --out DIR`).",
)
@click.option(
    "--extras-timeout",
    default=30.0,
    show_default=True,
    type=click.FloatRange(min=0.1),
    help="Seconds each *.dashboard.py extra may run.",
)
@click.option(
    "--rebuild", is_flag=True, help="Build even when the inputs are unchanged since the last build."
)
@click.option(
    "--schema",
    type=click.Choice(["v1", "v2"]),
    default="v1",
    show_default=True,
    help="v2: also write each dashboard as a dashboard.grafana.app/v2 resource under "
    "OUT/dashboards-v2/ (validated like v1); the file provider always reads v1.",
)
@base_options
@handles_errors
def build_cmd(
    registry_path: SourceSpec,
    out: Path,
    as_json: bool,
    extras: Path | None,
    strict_extras: bool,
    lint: bool,
    strict: bool,
    exclusions_path: str | None,
    deploy_out: Path | None,
    extras_timeout: float,
    rebuild: bool,
    schema: str,
    base: BaseChoice,
) -> None:
    """Build and validate both dashboards and write the provisioning files.

    Extra dashboards in an old format (grafanalib's, Grafana 8-10 JSON) are migrated the way
    Grafana migrates them; every change is printed (`--json`: listed). With --lint and
    --deploy, `make dashboards` is one process. When nothing it reads changed since the last
    build into the same directory, the files are known to be current and are not built again
    (`--rebuild` builds anyway)."""
    from tsedash import buildcache

    extras = _default_extras(extras)
    if deploy_out is None and base != BaseChoice():
        raise InputError("--base, --no-base and --replace-job apply with --deploy")
    options = _BuildOptions(
        out,
        extras,
        strict_extras,
        lint,
        strict,
        exclusions_path,
        deploy_out,
        extras_timeout,
        schema,
        base,
    )
    digest = None if rebuild else _build_digest(registry_path, options)
    replay = buildcache.lookup(out, digest) if digest else None
    if replay is not None:
        for section in (replay.summary, replay.summary.get("deploy")):
            if section:
                section.update(
                    written=[], unchanged=sorted([*section["written"], *section["unchanged"]])
                )
                section["removed"] = []
        _emit_build(replay, as_json)
        return
    replay, owned = _build(registry_path, options)
    _emit_build(replay, as_json)
    if digest:
        buildcache.store(out, digest, owned, replay)


@dataclass(frozen=True)
class _BuildOptions:
    out: Path
    extras: Path | None
    strict_extras: bool
    lint: bool
    strict: bool
    exclusions: str | None
    deploy: Path | None
    extras_timeout: float = 30.0
    schema: str = "v1"
    base: BaseChoice = BaseChoice()


def _build_digest(spec: SourceSpec, options: _BuildOptions) -> str | None:
    """The digest of everything this build reads; None when it cannot be known up front."""
    from tsedash import buildcache

    extra_files = buildcache.extras_files(options.extras)
    if spec.discover or extra_files is None:
        return None
    registry = Path(spec.path or DEFAULT_REGISTRY)
    # A compose file given as the registry reads instances.yaml beside the working directory.
    files = [registry, Path(DEFAULT_REGISTRY), *map(Path, spec.compose), *extra_files]
    if options.lint:
        files.append(Path(options.exclusions or ".lint.yaml"))
    if options.deploy is not None:
        files += options.base.candidates(spec)  # the Prometheus base, given or found
    try:
        return buildcache.input_digest(
            [f for f in files if f.is_file()], [repr(options), str(registry), *spec.compose]
        )
    except OSError:
        return None  # the full build reports what cannot be read


def _build(spec: SourceSpec, options: _BuildOptions) -> tuple[buildcache.Replay, list[Path]]:
    """The full build: what it prints (to print and record) and every file it owns."""
    from tsedash import buildcache, pipeline
    from tsedash.files import MANIFEST, manifest_name
    from tsedash.validate import ValidationFailed

    sources = spec.load()
    replay = buildcache.Replay(lines=[("err", line) for line in _source_lines(sources)])
    merge = merged = None
    try:
        if options.deploy is not None:  # a base that cannot be merged stops the build early
            merge, merged = _prometheus_merge(options.base, spec, sources.registry)
        result = pipeline.generate(
            sources.registry,
            _content(),
            options.extras,
            options.strict_extras,
            extras_timeout=options.extras_timeout,
            schema=options.schema,
        )
        replay.lines += [("out", f"migrated {m}") for m in result.migrations]
        replay.lines += [("out", line) for line in _v2_lines(result.v2_notes)]
        if options.lint:
            _lint_built(result, options, replay)
        result.report = pipeline.write(result, options.out)
    except ValidationFailed as exc:
        _echo_failed(replay)
        for migration in exc.migrations:
            echo(f"migrated {migration}", err=True)
        _print_findings(exc.findings)
        raise
    except pipeline.ExtrasNeedMigration as exc:
        _echo_failed(replay)
        for migration in exc.migrations:
            echo(f"needs migration: {migration}", err=True)
        raise
    except TsedashError:
        _echo_failed(replay)
        raise
    report = result.report
    replay.summary.update(
        {
            "out": str(options.out),
            "dashboards": [
                {"uid": spec.uid, "file": spec.filename, "panels": len(model["panels"])}
                for spec, model in result.dashboards
            ],
            "migrations": [m.as_dict() for m in result.migrations],
            "v2_conversion": [n.as_dict() for n in result.v2_notes],
            "what": f"{len(result.dashboards)} dashboards from "
            f"{len(result.registry.instances)} instances",
            **_report_dict(report),
        }
    )
    owned = [options.out / rel for rel in (*report.written, *report.unchanged, MANIFEST)]
    if options.deploy is not None:
        from tsedash.deploy import write_deploy

        compose = _compose_files(spec, result.registry)
        deployed = write_deploy(result.registry, options.deploy, merge, compose)
        if merged is not None:
            replay.lines.append(("out", merged.line()))
        replay.summary["deploy"] = {
            "out": str(options.deploy),
            "what": f"{len(result.registry.instances)} instances",
            **_report_dict(deployed),
            "base": merged.as_dict() if merged else None,
        }
        owned += [
            options.deploy / rel
            for rel in (*deployed.written, *deployed.unchanged, manifest_name("deploy"))
        ]
    return replay, owned


def _v2_lines(notes: list[Any]) -> list[str]:
    """The v2 conversion's report as lines (`tsedash.dashv2.report.summary_lines`)."""
    from tsedash.dashv2.report import summary_lines

    return summary_lines(notes)


def _report_dict(report: Any) -> dict[str, list[str]]:
    return {"written": report.written, "unchanged": report.unchanged, "removed": report.removed}


def _lint_built(result: Any, options: _BuildOptions, replay: buildcache.Replay) -> None:
    """Lint the dashboards in memory, before anything is written; findings stop the build."""
    from tsedash.lint import lint_dashboards, load_exclusions
    from tsedash.provisioning.render import DASHBOARD_DIR

    items = [
        (str(options.out / DASHBOARD_DIR / spec.filename), model)
        for spec, model in result.dashboards
    ]
    report = lint_dashboards(items, result.registry, load_exclusions(options.exclusions))
    errs, summary = _lint_lines(report, options.exclusions, options.strict)
    replay.lines += [("text-err", line) for line in errs] + [("out", summary)]
    replay.summary["lint"] = _lint_json(report)
    if report.failed(options.strict):
        raise LintFailed(f"lint failed; nothing written to {options.out}")


class LintFailed(TsedashError):
    exit_code = 1


def _echo_replayed(replay: buildcache.Replay, as_json: bool) -> None:
    for stream, text in replay.lines:
        if stream == "err" or not as_json:
            echo(text, err=stream != "out")


def _echo_failed(replay: buildcache.Replay) -> None:
    """A failed build prints what it found on stderr (stdout stays empty, also for --json)."""
    for _, text in replay.lines:
        echo(text, err=True)


def _emit_build(replay: buildcache.Replay, as_json: bool) -> None:
    _echo_replayed(replay, as_json)
    summary = replay.summary
    if as_json:
        document = {k: v for k, v in summary.items() if k != "what"}
        if "deploy" in document:
            document["deploy"] = {k: v for k, v in document["deploy"].items() if k != "what"}
        echo(json.dumps(document, indent=2, sort_keys=True))
        return
    for section in (summary, summary.get("deploy")):
        if section:
            _print_report(Path(section["out"]), SimpleNamespace(**section), section["what"])


def _print_report(out: Path, report: Any, what: str) -> None:
    """The files a writer touched, then one summary line (same format for every writer)."""
    for rel in report.written:
        echo(f"wrote    {out / rel}")
    for rel in report.removed:
        echo(f"removed  {out / rel}")
    echo(
        f"{out}: {what}; {len(report.written)} written, {len(report.unchanged)} unchanged, "
        f"{len(report.removed)} removed"
    )


def _print_findings(findings: list[Finding]) -> None:
    for finding in findings:
        echo(str(finding), err=True)


@cli.command("validate")
@out_option
@click.option("--json", "as_json", is_flag=True, help="Print findings as JSON.")
@handles_errors
def validate_cmd(out: Path, as_json: bool) -> None:
    """Check the dashboards in OUT against Grafana's rules; exit 1 on findings.

    The v2 resources `build --schema v2` wrote (OUT/dashboards-v2/) are checked too, each
    against the v1 dashboard of the same name."""
    from tsedash.dashv2.files import validate_v2_dir
    from tsedash.findings import Finding
    from tsedash.validate import validate_dir

    findings = sorted(validate_dir(out) + validate_v2_dir(out), key=Finding.sort_key)
    if as_json:
        echo(json.dumps([f.as_dict() for f in findings], indent=2, sort_keys=True))
    else:
        _print_findings(findings)
    if findings:
        sys.exit(1)
    if not as_json:
        echo(f"{out}: ok: dashboards valid")


@cli.command("migrate")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--out",
    "out_dir",
    default=None,
    type=click.Path(file_okay=False, path_type=Path),
    help="Write each result under its own name into DIR (the inputs' own directory overwrites "
    "them). Without it, one file's result goes to stdout.",
)
@click.option(
    "--schema",
    type=click.Choice(["v1", "v2"]),
    default="v1",
    show_default=True,
    help="v2: write the migrated dashboards converted to dashboard.grafana.app/v2 resources.",
)
@click.option("--check", is_flag=True, help="Write nothing; exit 1 when a file would change.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option(
    "--registry",
    "registry_file",
    envvar=REGISTRY_ENV,
    default=None,
    metavar="FILE",
    help="The registry whose datasources names resolve to (default: instances.yaml when it "
    f"exists; env {REGISTRY_ENV}).",
)
@handles_errors
def migrate_cmd(
    files: tuple[Path, ...],
    out_dir: Path | None,
    schema: str,
    check: bool,
    as_json: bool,
    registry_file: str | None,
) -> None:
    """Migrate dashboard files (exports of Grafana 4-11, grafanalib JSON) the way Grafana does,
    without building: print every change per schema step and panel, write the results.

    --check is a CI step for a repository of exported dashboards: exit 1 naming the files that
    would change, 0 when every one is current."""
    from tsedash.migrate import known_datasources
    from tsedash.migrate.files import MigrationFindings, migrate_files
    from tsedash.registry.model import Folder

    if check and (out_dir is not None or schema != "v1"):
        raise InputError("--check writes nothing: it cannot go with --out or --schema v2")
    if out_dir is None and not check and not as_json and len(files) > 1:
        raise InputError(f"{len(files)} files: give --out DIR to write them (one file: stdout)")
    path = registry_file or (DEFAULT_REGISTRY if Path(DEFAULT_REGISTRY).is_file() else None)
    registry = _load(SourceSpec(path)) if path else None
    datasources = known_datasources(registry.datasource) if registry else ()
    folder = registry.folder if registry else Folder()
    try:
        results = migrate_files(list(files), datasources, out_dir, schema, folder.uid)
    except MigrationFindings as exc:
        _print_findings(exc.findings)
        raise
    changed = [r for r in results if r.changed]
    if as_json:
        echo(json.dumps({"files": [r.as_dict() for r in results]}, indent=2, sort_keys=True))
    else:
        to_stdout = out_dir is None and not check
        for result in results:
            _echo_lines(result.report(), err=to_stdout)
            if result.written:
                echo(f"wrote {result.written}", err=to_stdout)
        if to_stdout:
            from tsedash.encode import dump_json

            echo(dump_json(results[0].model).decode(), nl=False)
        elif check:
            echo(f"{len(changed)} of {len(results)} file(s) would change")
    if check and changed:
        sys.exit(1)


@cli.command("lint")
@registry_option
@out_option
@click.option(
    "--exclusions",
    "exclusions_path",
    default=None,
    metavar="FILE",
    help="Exclusions file (default: .lint.yaml when present).",
)
@click.option("--strict", is_flag=True, help="Warnings and unused exclusions fail too.")
@click.option("--json", "as_json", is_flag=True, help="Print findings as JSON.")
@handles_errors
def lint_cmd(
    registry_path: SourceSpec, out: Path, exclusions_path: str | None, strict: bool, as_json: bool
) -> None:
    """Lint the dashboards in OUT: PromQL, best practice, the registry's metric contract."""
    from tsedash.lint import lint_dir, load_exclusions

    reg = registry_path.load().registry
    report = lint_dir(out, reg, load_exclusions(exclusions_path))
    if as_json:
        echo(json.dumps(_lint_json(report), indent=2, sort_keys=True))
    else:
        errs, summary = _lint_lines(report, exclusions_path, strict)
        _echo_lines(errs)
        echo(summary)
    if report.failed(strict):
        sys.exit(1)


def _lint_json(report: LintReport) -> dict[str, Any]:
    return {
        "findings": [f.as_dict() for f in report.findings],
        "excluded": len(report.excluded),
        "unused_exclusions": [
            {"rule": e.rule, "dashboard": e.dashboard, "panel": e.panel, "line": e.line}
            for e in report.unused
        ],
    }


def _lint_lines(
    report: LintReport, exclusions_path: str | None, strict: bool
) -> tuple[list[str], str]:
    """The findings and unused exclusions (stderr), and the summary line (stdout)."""
    from tsedash.lint import RULES

    errs = [str(finding) for finding in report.findings] + [
        f"{exclusions_path or '.lint.yaml'}:{e.line}: warning: exclusion of {e.rule} for "
        f"{e.dashboard} {e.panel or ''} matches nothing; remove it"
        for e in report.unused
    ]
    summary = (
        f"lint: {len(report.errors)} errors, {len(report.warnings)} warnings, "
        f"{len(report.excluded)} excluded, {len(report.unused)} unused exclusions "
        f"({len(RULES)} rules{', strict' if strict else ''})"
    )
    return errs, summary


def _echo_lines(lines: list[str], err: bool = True) -> None:
    for line in lines:
        echo(line, err=err)


@cli.command("prometheus")
@registry_option
@click.option(
    "--out",
    "out",
    default="deploy/prometheus",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory for prometheus.yml and targets/*.json.",
)
@click.option(
    "--scrape-interval",
    default=None,
    help="Global scrape interval (default 15s; with a base, the base's global section is kept).",
)
@base_options
@click.option("--json", "as_json", is_flag=True, help="Print what was written and merged as JSON.")
@handles_errors
def prometheus_cmd(
    registry_path: SourceSpec,
    out: Path,
    scrape_interval: str | None,
    base: BaseChoice,
    as_json: bool,
) -> None:
    """Write the scrape config: one job per service type and infrastructure job, file_sd
    targets relabeled so that `job` is the service and `instance` the instance name.

    With a base config (--base, or prometheus/prometheus.yml beside the first compose file)
    the written prometheus.yml is that file with only the jobs tsedash owns replaced and its
    own added; everything else of it is kept (docs/cli.md)."""
    from tsedash.prometheus import write_prometheus

    reg = _load(registry_path)
    merge, merged = _prometheus_merge(base, registry_path, reg)
    if merge is not None and scrape_interval is not None:
        raise InputError(
            f"--scrape-interval: the base {merge.base.path} keeps its own global section; "
            "set scrape_interval there, or pass --no-base"
        )
    try:
        report = write_prometheus(reg, out, scrape_interval or "15s", merge=merge)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--scrape-interval") from None
    jobs = len(reg.services) + len(reg.infrastructure)
    if merged is not None:
        jobs = len(merged.kept) + len(merged.replaced) + len(merged.added)
    _emit_written(out, report, f"{jobs} jobs, {len(reg.instances)} instances", merged, as_json)


def _emit_written(
    out: Path, report: Any, what: str, merged: MergeReport | None, as_json: bool
) -> None:
    """A writer's report with what merging into the base did: lines, or one JSON object."""
    if as_json:
        document: dict[str, Any] = {"out": str(out), **_report_dict(report)}
        document["base"] = merged.as_dict() if merged else None
        echo(json.dumps(document, indent=2, sort_keys=True))
        return
    if merged is not None:
        echo(merged.line())
    _print_report(out, report, what)


@cli.command("deploy")
@registry_option
@click.option(
    "--out",
    "out",
    default="deploy",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory for the deployment artefacts.",
)
@base_options
@click.option("--json", "as_json", is_flag=True, help="Print what was written and merged as JSON.")
@handles_errors
def deploy_cmd(registry_path: SourceSpec, out: Path, base: BaseChoice, as_json: bool) -> None:
    """Write the compose snippet, init-volumes.sh, one schema SQL per instance, and the
    Prometheus config with its alert rules, all from the registry.

    Given the orchestrator's compose file (--compose or --registry), its own
    prometheus/prometheus.yml beside it is the base of ours (as `prometheus --base`)."""
    from tsedash.deploy import write_deploy

    reg = _load(registry_path)
    merge, merged = _prometheus_merge(base, registry_path, reg)
    report = write_deploy(reg, out, merge, _compose_files(registry_path, reg))
    _emit_written(out, report, f"{len(reg.instances)} instances", merged, as_json)


@cli.command("preview")
@dashboards_option
@click.option(
    "--out",
    default="preview",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the HTML pages and PNGs go.",
)
@click.option("--no-png", is_flag=True, help="Only the HTML pages (no Chromium needed).")
@handles_errors
def preview_cmd(source: Path, out: Path, no_png: bool) -> None:
    """Draw each dashboard's layout to scale as HTML, and a PNG with headless Chromium."""
    from tsedash.preview import write_previews

    for page in write_previews(source, out, png=not no_png):
        echo(f"{page.uid}: {page.html}" + (f", {page.png}" if page.png else ""))


@cli.command("verify")
@registry_option
@click.option(
    "--prometheus",
    "prometheus_url",
    envvar="PROMETHEUS_URL",
    required=True,
    metavar="URL",
    help="The Prometheus the dashboards' datasource points at (env PROMETHEUS_URL).",
)
@dashboards_option
@click.option("--rate-interval", default="1m", show_default=True, help="$__rate_interval.")
@click.option("--range", "time_range", default="15m", show_default=True, help="$__range.")
@click.option("--timeout", default=10.0, show_default=True, help="Seconds per request.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@handles_errors
def verify_cmd(
    registry_path: SourceSpec,
    prometheus_url: str,
    source: Path,
    rate_interval: str,
    time_range: str,
    timeout: float,
    as_json: bool,
) -> None:
    """Do the dashboards show data for every instance on this Prometheus? Exit 0 when every
    visible panel has data for every instance it should show and every target is up, 1
    otherwise (naming panel, instance and query), 3 when Prometheus cannot be reached."""
    from tsedash.queries.expand import duration_ms
    from tsedash.verify import Macros, render_table, verify

    remember_url(prometheus_url)  # a password in the URL is masked wherever it is echoed
    for value, option in ((rate_interval, "--rate-interval"), (time_range, "--range")):
        try:
            duration_ms(value)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint=option) from None
    if not 0 < timeout <= 3600:  # also refuses nan and inf
        raise click.BadParameter(
            "expected seconds, more than 0 and at most 3600", param_hint="--timeout"
        )
    macros = Macros(rate_interval=rate_interval, range=time_range)
    report = verify(prometheus_url, _load(registry_path), source, macros, timeout)
    failures = report.failures()
    if as_json:
        echo(json.dumps(report.as_dict(), indent=2, sort_keys=True))
    else:
        echo(render_table(report), nl=False)
        for line in failures:
            echo(f"verify: {line}", err=True)
        shown = sum(1 for p in report.panels if not p.planned)
        if not failures:
            echo(
                f"verify: ok: {shown} panels have data for all {len(report.instances)} "
                "instances; every target is up"
            )
    if failures:
        sys.exit(1)


_RATE_HELP = "Requests per second of each instance's simulated API route."
_PLANNED_HELP = "Also serve the planned domain metrics (no real service exposes them yet)."


@cli.command("simulate")
@registry_option
@click.option("--rate", default=2.0, show_default=True, help=_RATE_HELP)
@click.option("--with-planned", is_flag=True, help=_PLANNED_HELP)
@click.option("--bind", "bind_host", default=None, help="Bind this host instead of each address's.")
@handles_errors
def simulate_cmd(
    registry_path: SourceSpec, rate: float, with_planned: bool, bind_host: str | None
) -> None:
    """Serve what the real services serve, on each instance's registry address, until Ctrl-C.

    RED metrics, process and runtime collectors, readiness after GET /api/v1/ready, each
    type's own metrics path (404 elsewhere); series appear with their first request."""
    from tsedash.demo import stop_requested
    from tsedash.simulate import SimulationPlan, Simulator

    reg = _load(registry_path)
    simulator = Simulator(SimulationPlan(reg, rate, with_planned), bind_host)
    with stop_requested() as stop:
        served = simulator.start()
        more = " …" if len(served) > 4 else ""
        echo(f"serving {len(served)} endpoints ({', '.join(served[:4])}{more}); Ctrl-C stops")
        try:
            stop.wait()
        finally:
            simulator.stop()


@cli.command("demo")
@registry_option
@click.option("--port", type=int, default=None, help="Prometheus port (default: a free one).")
@click.option("--rate", default=2.0, show_default=True, help=_RATE_HELP)
@click.option("--with-planned", is_flag=True, help=_PLANNED_HELP)
@click.option("--for", "seconds", type=float, default=None, help="Stop after SECONDS (scripts).")
@dashboards_option
@handles_errors
def demo_cmd(
    registry_path: SourceSpec,
    port: int | None,
    rate: float,
    with_planned: bool,
    seconds: float | None,
    source: Path,
) -> None:
    """The simulator, simulated infrastructure exporters and a real Prometheus on 127.0.0.1,
    scraping with the generated config; "ready" once `tsedash verify` on the dashboards of
    --dashboards passes (without dashboard files there: once every target is scraped twice)."""
    from tsedash.demo import run_demo
    from tsedash.provisioning.render import dashboard_files

    say = lambda line: echo(line)  # noqa: E731
    # What the printed verify command needs besides the default registry.
    given = registry_path.path
    default = given is None or Path(given).resolve() == Path(DEFAULT_REGISTRY).resolve()
    hint = "" if default else f" --registry {given}"
    hint += "".join(f" --compose {c}" for c in registry_path.compose)
    hint += f" --discover {registry_path.discover}" if registry_path.discover else ""
    dashboards = source if dashboard_files(source) else None
    if dashboards is None:
        echo(f"warning: {source}: no dashboard files to verify (run `tsedash build`)", err=True)
    run_demo(
        _load(registry_path),
        say,
        port,
        rate,
        seconds,
        with_planned=with_planned,
        dashboards=dashboards,
        verify_hint=hint,
    )


_CONTEXTS_OPTION = click.option(
    "--contexts",
    "contexts_file",
    default=None,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The contexts file (default: $TSEDASH_CONTEXTS or ~/.config/tsedash/contexts.yaml).",
)


def _grafana_options(command: F) -> F:
    """The options naming a Grafana, handed to the command as one `target: GrafanaTarget`."""

    @wraps(command)
    def wrapper(
        *args: Any,
        url: str | None,
        ca_cert: str | None,
        insecure: bool,
        api: str | None,
        context: str | None,
        contexts_file: Path | None,
        schema: str,
        timeout: float,
        **kwargs: Any,
    ) -> Any:
        target = GrafanaTarget(url, ca_cert, insecure, timeout, api, context, contexts_file, schema)
        return command(*args, target=target, **kwargs)

    func: F = wrapper  # type: ignore[assignment]
    func = click.option("--url", default=None, help="Grafana URL (default: $GRAFANA_URL).")(func)
    func = click.option(
        "--ca-cert",
        default=None,
        type=click.Path(exists=True, dir_okay=False),
        help="Trust this CA bundle (a private CA).",
    )(func)
    func = click.option("--insecure", is_flag=True, help="Do not verify TLS (warns).")(func)
    func = click.option(
        "--api",
        type=click.Choice(["auto", "legacy", "resource"]),
        default=None,
        envvar="GRAFANA_API",
        help="Dashboard API: the resource API /apis/dashboard.grafana.app (Grafana 12+) when "
        "the server lists it, else the legacy /api/dashboards (default auto; env GRAFANA_API).",
    )(func)
    func = click.option(
        "--context",
        default=None,
        envvar="TSEDASH_CONTEXT",
        help="A named Grafana from the contexts file (URL, auth, org, TLS; env TSEDASH_CONTEXT).",
    )(func)
    func = _CONTEXTS_OPTION(func)
    func = click.option(
        "--schema",
        type=click.Choice(["v1", "v2"]),
        default="v1",
        show_default=True,
        help="v2: the dashboards as schema v2 through dashboard.grafana.app/v2 (Grafana 13+), "
        "converted from the built ones and validated first.",
    )(func)
    func = click.option(
        "--timeout",
        default=15.0,
        show_default=True,
        type=click.FloatRange(min=0.05),
        help="Seconds to wait for each answer; a whole request (retries included) gets at most "
        "4 times this.",
    )(func)
    return func


_CLIENTS: list[Any] = []  # the command's Grafana clients: their notices are printed at the end


@dataclass(frozen=True)
class GrafanaTarget:
    """Where --url/--ca-cert/--insecure/--api/--context point, before a client exists."""

    url: str | None = None
    ca_cert: str | None = None
    insecure: bool = False
    timeout: float = 15.0
    api: str | None = None
    context: str | None = None
    contexts_file: Path | None = None
    schema: str = "v1"


def _client(target: GrafanaTarget) -> Any:
    import warnings

    from tsedash.grafana.api import Dashboards
    from tsedash.grafana.client import GrafanaClient, GrafanaSettings

    environ, ca_cert, insecure, api = None, target.ca_cert, target.insecure, target.api
    where = ""
    if target.context:
        from tsedash.grafana.contexts import load_context

        ctx = load_context(target.context, target.contexts_file)
        environ = ctx.environ
        remember_secret(environ.get("GRAFANA_TOKEN"))
        remember_secret(environ.get("GRAFANA_PASSWORD"), environ.get("GRAFANA_USER"))
        remember_url(environ.get("GRAFANA_URL"))
        ca_cert, insecure, api = ca_cert or ctx.ca_cert, insecure or ctx.insecure, api or ctx.api
        where = ctx.where
    remember_url(target.url)
    try:
        settings = GrafanaSettings.from_env(
            target.url, ca_cert, insecure, environ, read_timeout=target.timeout
        )
    except InputError as exc:
        if not where:
            raise
        raise InputError(f"{where}: {exc}") from None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        client = GrafanaClient(settings)
    for warning in caught:
        echo(f"warning: {warning.message}", err=True)
    _CLIENTS.append(client)
    return Dashboards(client, api or "auto", target.schema)  # type: ignore[arg-type]  # Choices


def _provider_folder(out: Path) -> Any:
    """The folder the build wrote into the file provider (`out/dashboards/*.yml`; a parent is
    not recorded there), or the default one when there is none yet."""
    import yaml

    from tsedash.inputs import read_text
    from tsedash.provisioning.render import PROVIDER_FILE
    from tsedash.registry.model import Folder

    try:
        provider = yaml.safe_load(read_text(out / PROVIDER_FILE))["providers"][0]
        return Folder(str(provider["folderUid"]), str(provider["folder"]))
    except (OSError, TsedashError, yaml.YAMLError, KeyError, IndexError, TypeError):
        return Folder()


def _push_inputs(spec: SourceSpec, out: Path) -> tuple[list[tuple[str, dict[str, Any]]], Any]:
    """The dashboards and their folder: built in memory from the sources when given (the
    registry's `folder:`), else the files `build` wrote and its provider's folder."""
    if not spec.given:
        return _local_dashboards(out), _provider_folder(out)
    from tsedash import pipeline

    registry = _load(spec)
    result = pipeline.generate(registry, _content())
    return [(dash.uid, model) for dash, model in result.dashboards], registry.folder


def _selected(
    dashboards: list[tuple[str, dict[str, Any]]], uids: tuple[str, ...]
) -> list[tuple[str, dict[str, Any]]]:
    """Only the dashboards named by --uid (all when none is given); an unknown uid is an
    error naming the ones there are."""
    if not uids:
        return dashboards
    have = [uid for uid, _ in dashboards]
    unknown = [uid for uid in uids if uid not in have]
    if unknown:
        raise InputError(
            f"--uid {', '.join(unknown)}: not among the dashboards built ({', '.join(have)})"
        )
    return [(uid, model) for uid, model in dashboards if uid in uids]


def _in_schema(
    dashboards: list[tuple[str, dict[str, Any]]], schema: str, folder_uid: str
) -> tuple[list[tuple[str, dict[str, Any]]], list[Any]]:
    """The dashboards as push and diff send them: v1 as built, or converted to v2 specs (the
    uid beside the spec) and validated like `build --schema v2` does; with the conversion's
    report (`tsedash.dashv2.report.DashboardNote`s)."""
    if schema != "v2":
        return dashboards, []
    from tsedash.dashv2.resources import convert_all
    from tsedash.validate import ValidationFailed

    converted, findings, notes = convert_all(
        ((f"{uid} (v2)", m) for uid, m in dashboards), folder_uid
    )
    if findings:
        _print_findings(findings)
        raise ValidationFailed(findings)
    specs = [
        (made["metadata"]["name"], {**made["spec"], "uid": made["metadata"]["name"]})
        for _, made in converted
    ]
    return specs, notes


def _print_v2_notes(notes: list[Any], err: bool = False) -> None:
    """The v2 conversion's report: each note that matters, a count of the inert ones."""
    for line in _v2_lines(notes):
        echo(line, err=err)


def _print_diff(text: str, indent: str = "", err: bool = False) -> None:
    color = (sys.stderr if err else sys.stdout).isatty()
    for line in text.splitlines():
        fg = "green" if line.startswith("+") else "red" if line.startswith("-") else None
        fg = "cyan" if line.startswith("@@") else fg
        echo(indent + (click.style(line, fg=fg) if color and fg else line), err=err)


def _overwrite_options(func: F) -> F:
    """--force, --backups and --json: what push and restore share."""
    func = click.option(
        "--json", "as_json", is_flag=True, help="Print a machine-readable summary."
    )(func)
    func = click.option(
        "--backups",
        default="backups",
        show_default=True,
        type=click.Path(file_okay=False, path_type=Path),
        help="Where live copies are saved before a forced write.",
    )(func)
    return click.option(
        "--force", is_flag=True, help="Write over edits made in Grafana (saved to backups/ first)."
    )(func)


def _report_push(
    client: Any, report: PushReport, dry_run: bool, as_json: bool, v2_notes: list[Any] | None = None
) -> None:
    """Print what push (or restore) did; exit 3 when a dashboard was refused or failed.
    `v2_notes`: the v2 conversion's report, in the JSON (`v2_conversion`)."""
    if as_json:
        summary = _push_json(client, report, dry_run)
        if v2_notes is not None:
            summary["v2_conversion"] = [n.as_dict() for n in v2_notes]
        echo(json.dumps(summary, indent=2, sort_keys=True))
    else:
        _print_push(client, report)
    if report.failed:
        sys.exit(3)


_UID_OPTION = click.option(
    "--uid",
    "uids",
    multiple=True,
    help="Only this dashboard (repeat for several); default: every dashboard built.",
)


def _local_dashboards(out: Path) -> list[tuple[str, dict[str, Any]]]:
    from tsedash.grafana.sync import local_dashboards
    from tsedash.provisioning.render import read_dashboards

    return local_dashboards(read_dashboards(out))  # each an object with a Grafana uid


@cli.command("push")
@_grafana_options
@out_option
@registry_option
@click.option(
    "--dry-run",
    is_flag=True,
    help="The plan: per dashboard create / update / unchanged / refused / delete, with the "
    "diff of each update or refusal; write nothing.",
)
@_UID_OPTION
@click.option(
    "--prune",
    is_flag=True,
    help="Also delete the dashboards of our folder that the build no longer produces, each "
    "only when read back it proves ours: in our folder, no other manager, exactly our last "
    "push (anything else is kept and named; nothing is deleted when a proof fails).",
)
@click.option("--message", "note", default=None, help="Note added to each version message.")
@_overwrite_options
@handles_errors
def push_cmd(
    target: GrafanaTarget,
    out: Path,
    dry_run: bool,
    force: bool,
    note: str | None,
    backups: Path,
    as_json: bool,
    registry_path: SourceSpec,
    uids: tuple[str, ...],
    prune: bool,
) -> None:
    """Push the built dashboards to Grafana: only what changed, never over an edit.

    With --registry/--compose/--discover the dashboards are built from those sources first.
    """
    from tsedash.grafana.sync import push

    if prune and uids:
        raise InputError("--prune compares every dashboard built: it cannot go with --uid")
    client = _client(target)
    built, folder = _push_inputs(registry_path, out)
    dashboards, v2_notes = _in_schema(_selected(built, uids), target.schema, folder.uid)
    if not as_json:
        _print_v2_notes(v2_notes, err=True)
    tty = sys.stdout.isatty() and not as_json

    def progress(items: Any) -> Any:
        if not tty:
            return items
        return click.progressbar(items, label="pushing", length=len(dashboards))

    report = push(
        client,
        dashboards,
        folder.uid,
        folder.title,
        dry_run=dry_run,
        force=force,
        note=note,
        backups=backups,
        progress=progress if tty else None,
        prune=prune,
        folder_parent=folder.parent,
    )
    _report_push(client, report, dry_run, as_json, v2_notes if target.schema == "v2" else None)


def _push_json(client: Any, report: PushReport, dry_run: bool) -> dict[str, Any]:
    return {
        "url": client.settings.shown_url,
        "api": client.api,
        "dry_run": dry_run,
        "folder": report.folder,
        "dashboards": [o.as_dict() for o in report.outcomes],
        "requests": report.requests,
        "writes": report.writes,
    }


def _print_push(client: Any, report: PushReport) -> None:
    """One line per dashboard (those that fail on stderr), then the counts."""
    echo(
        f"grafana {client.settings.shown_url} ({client.api}): "
        f"folder {report.folder_uid} {report.folder}"
    )
    counts: dict[str, int] = {}
    for o in report.outcomes:
        version = f" (version {o.version})" if o.version else ""
        detail = f": {o.detail}" if o.detail else ""
        backup = f"; live copy saved to {o.backup}" if o.backup else ""
        echo(f"  {o.action:<15} {o.uid}{version}{detail}{backup}", err=o.action.fails)
        if o.diff:
            _print_diff(o.diff, "      ", err=o.action.fails)
        counts[str(o.action)] = counts.get(str(o.action), 0) + 1
    summary = ", ".join(f"{n} {a}" for a, n in sorted(counts.items()))
    echo(f"{summary}; {report.writes} writes, {report.requests} requests")


@cli.command("diff")
@_grafana_options
@out_option
@registry_option
@click.option("--json", "as_json", is_flag=True, help="Print the differences as JSON.")
@_UID_OPTION
@handles_errors
def diff_cmd(
    target: GrafanaTarget,
    out: Path,
    as_json: bool,
    registry_path: SourceSpec,
    uids: tuple[str, ...],
) -> None:
    """Unified diff of each live dashboard against ours (normalised); exit 1 if any differs."""
    from tsedash.grafana.sync import diff

    client = _client(target)
    built, folder = _push_inputs(registry_path, out)
    dashboards, v2_notes = _in_schema(_selected(built, uids), target.schema, folder.uid)
    _print_v2_notes(v2_notes, err=True)  # stderr: stdout is the diff (or its JSON)
    results = diff(client, dashboards)
    if as_json:
        echo(json.dumps([r.__dict__ for r in results], indent=2, sort_keys=True))
    else:
        for r in results:
            echo(f"{r.uid}: {r.status}")
            _print_diff(r.diff)
    if any(r.status != "equal" for r in results):
        sys.exit(1)


@cli.command("watch")
@registry_option
@out_option
@click.option(
    "--extras",
    default=None,
    type=click.Path(file_okay=False, path_type=Path),
    help=f"Directory of extra dashboards; default ./{DEFAULT_EXTRAS_DIR} if present.",
)
@click.option("--no-lint", is_flag=True, help="Do not lint before writing (lint is strict).")
@click.option(
    "--context",
    default=None,
    envvar="TSEDASH_CONTEXT",
    help="Also push each good build to this Grafana of the contexts file.",
)
@_CONTEXTS_OPTION
@click.option(
    "--interval",
    default=0.5,
    show_default=True,
    type=click.FloatRange(min=0.05),
    help="Seconds between looks at the inputs.",
)
@click.option(
    "--deploy",
    "deploy_out",
    default="deploy",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Also rewrite the deployment artefacts there (scrape targets, rules, expected "
    "instances, compose overlay, SQL), as `build --deploy DIR`.",
)
@click.option("--no-deploy", is_flag=True, help="Rewrite the provisioning files only.")
@click.option(
    "--prometheus",
    "prometheus_url",
    default=None,
    metavar="URL",
    help="After a cycle that changed the scrape targets, report when this Prometheus scrapes "
    "each new instance (up == 1) and drops each removed one.",
)
@base_options
@click.option("--cycles", default=None, type=click.IntRange(min=0), hidden=True)
@handles_errors
def watch_cmd(
    registry_path: SourceSpec,
    out: Path,
    extras: Path | None,
    no_lint: bool,
    context: str | None,
    contexts_file: Path | None,
    interval: float,
    deploy_out: Path,
    no_deploy: bool,
    prometheus_url: str | None,
    base: BaseChoice,
    cycles: int | None,
) -> None:
    """Rebuild on every change to the registry, compose files, extras or dashboard code.

    Each build validates, lints (strict) and rewrites atomically the provisioning files and
    (unless --no-deploy) the deployment artefacts: a new instance gets its scrape target.
    With --context each good build is pushed too; with --prometheus each target change is
    followed until Prometheus scrapes it. One line per cycle; a broken edit prints its error
    and leaves the last good files as they were. Ctrl-C stops.
    """
    from tsedash.verify import check_url
    from tsedash.watch import Watcher, content_dirs

    if no_deploy and (prometheus_url or base != BaseChoice()):
        raise InputError(
            "--prometheus, --base, --no-base and --replace-job need the deploy "
            "directory: drop --no-deploy"
        )
    url = check_url(prometheus_url) if prometheus_url else None
    if context:  # a wrong name, file or secret fails now, not at every cycle
        from tsedash.grafana.contexts import checked_context

        checked_context(context, contexts_file)
    extras = _default_extras(extras)
    registry = Path(registry_path.path or DEFAULT_REGISTRY)
    sources = ["--registry", str(registry)]
    for compose in registry_path.compose:
        sources += ["--compose", compose]
    if registry_path.discover:
        sources += ["--discover", registry_path.discover]
        sources += ["--stale-after", str(registry_path.stale_after)]
    build = [*sources, "--out", str(out)]
    build += ["--extras", str(extras)] if extras else []
    build += [] if no_lint else ["--lint", "--strict"]
    build += [] if no_deploy else ["--deploy", str(deploy_out), *_base_args(base)]
    push = None
    if context:
        push = ["--out", str(out), "--context", context]
        push += ["--contexts", str(contexts_file)] if contexts_file else []
    files = [registry, *map(Path, registry_path.compose), Path(".lint.yaml")]
    files += [] if no_deploy else base.candidates(registry_path)
    dirs = [*([extras] if extras else []), *content_dirs()]
    echo(f"watching {len(files)} files and {len(dirs)} directories; Ctrl-C stops")
    signal.signal(signal.SIGTERM, _interrupt)  # `kill`, `docker stop`: stop like Ctrl-C
    lock = threading.Lock()  # the scrape tracker's lines come from its own thread

    def say(line: str) -> None:
        with lock:
            echo(line)

    targets = None if no_deploy else deploy_out / "prometheus" / "targets"
    tracker = None
    if url is not None:
        from tsedash.scrapewatch import ScrapeTracker

        tracker = ScrapeTracker(url, say)
    try:
        Watcher(build, files, dirs, push, interval, say, targets=targets, tracker=tracker).run(
            cycles
        )
    except KeyboardInterrupt:
        echo("stopped")
    finally:
        if tracker is not None:
            tracker.close()


def _base_args(base: BaseChoice) -> list[str]:
    """The build options that say which Prometheus config ours is merged into."""
    args = ["--base", base.file] if base.file else []
    args += ["--no-base"] if base.off else []
    for job in base.replace_jobs:
        args += ["--replace-job", job]
    return args


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


@cli.command("restore")
@_grafana_options
@click.argument("uid")
@click.option(
    "--version", "version", type=click.IntRange(min=1), help="A version from Grafana's history."
)
@click.option(
    "--backup",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A live copy `push --force` saved (backups/<uid>/v….json).",
)
@click.option("--dry-run", is_flag=True, help="Show the plan (with its diff); write nothing.")
@_overwrite_options
@handles_errors
def restore_cmd(
    target: GrafanaTarget,
    uid: str,
    version: int | None,
    backup: Path | None,
    dry_run: bool,
    force: bool,
    backups: Path,
    as_json: bool,
) -> None:
    """Put a dashboard back as it was at --version N or as saved in a --backup file.

    The same protection as push: a dashboard edited in Grafana since our last push is refused
    unless --force (which saves the live copy first); a save in between is a conflict.
    """
    from tsedash.grafana.sync import live_folder, push, restore_model
    from tsedash.spec import FOLDER_TITLE, FOLDER_UID

    if (version is None) == (backup is None):
        raise InputError("restore needs exactly one of --version N and --backup FILE")
    client = _client(target)
    model = restore_model(client, uid, version, backup)
    if backup is not None and ("elements" in model and "layout" in model) != (
        target.schema == "v2"
    ):
        held = "a schema v2" if target.schema == "v1" else "a v1 (classic)"
        hint = "--schema v2" if target.schema == "v1" else "without --schema v2"
        raise InputError(f"{backup}: holds {held} dashboard: restore it {hint}")
    source = f"version {version}" if version is not None else f"backup {backup}"
    live = client.get_dashboard(uid)  # restored where it is; a deleted one into our folder
    folder = live_folder(live) or FOLDER_UID
    report = push(
        client,
        [(uid, model)],
        folder,
        FOLDER_TITLE,
        dry_run=dry_run,
        force=force,
        note=f"restored from {source}",
        backups=backups,
    )
    _report_push(client, report, dry_run, as_json)


@cli.command("pull")
@_grafana_options
@click.option("--uid", default=None, help="The dashboard's uid.")
@click.option(
    "--out",
    "out_file",
    default=None,
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write (default: <uid>.json).",
)
@click.option(
    "--datasources",
    is_flag=True,
    help="Instead of a dashboard: list Grafana's datasources in the registry "
    "(`datasource.grafana`), which old dashboards' datasource names resolve to.",
)
@click.option(
    "--registry",
    "registry_file",
    envvar=REGISTRY_ENV,
    default=DEFAULT_REGISTRY,
    show_default=True,
    metavar="FILE",
    help=f"With --datasources: the registry file to fill in (env {REGISTRY_ENV}).",
)
@handles_errors
def pull_cmd(
    target: GrafanaTarget,
    uid: str | None,
    out_file: Path | None,
    datasources: bool,
    registry_file: str,
) -> None:
    """Save a live dashboard as a normalised bare model (to bring it under the pipeline), or
    with --datasources record the Grafana's datasources in the registry."""
    from tsedash.grafana.sync import check_uid, pull

    if datasources:
        if uid or out_file:
            raise InputError("--datasources fills the registry: it cannot go with --uid or --out")
        _pull_datasources(target, registry_file)
        return
    if not uid:
        raise InputError("give --uid UID (a dashboard) or --datasources")
    check_uid(uid)  # before it becomes a request path or the default file name
    path = pull(
        _client(target),
        uid,
        out_file or Path(f"{uid}.json"),
    )
    echo(f"wrote {path}")


def _pull_datasources(target: GrafanaTarget, registry_file: str) -> None:
    from tsedash.registry.edit import write_grafana_datasources
    from tsedash.registry.model import GrafanaDatasource

    found = [
        GrafanaDatasource(d["name"], d["uid"], d["type"], d["isDefault"])
        for d in _client(target).datasources()
    ]
    write_grafana_datasources(registry_file, found)
    default = next((d.name for d in found if d.default), "none")
    echo(
        f"wrote {len(found)} datasource(s) into {registry_file} (datasource.grafana; default: "
        f"{default})"
    )


def main(argv: list[str] | None = None) -> None:
    cli.main(args=argv, prog_name="tsedash")


if __name__ == "__main__":  # pragma: no cover
    main()
