"""`tsedash watch`."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import click

from tsedash.errors import InputError
from tsedash.spec import DEFAULT_EXTRAS_DIR, DEFAULT_REGISTRY

if TYPE_CHECKING:
    pass

# Every stage is imported by the commands that use it: `registry show` does not pay for the

from tsedash.commands.common import CONTEXTS_OPTION, echo, handles_errors, out_option
from tsedash.commands.root import cli
from tsedash.commands.sources import (
    BaseChoice,
    SourceSpec,
    base_options,
    default_extras,
    registry_option,
)


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
@CONTEXTS_OPTION
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
    extras = default_extras(extras)
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
