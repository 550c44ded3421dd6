"""Extra dashboards: `*.dashboard.py` and `*.json` files in a directory the user names.

Opt-in: `tsedash build` reads `./extras/` when it exists (relative to the working directory,
never to the installed package) or the directory `--extras` names. A `*.dashboard.py` file
(grafanalib's convention) defines `dashboard`: a function `dashboard(registry)` that receives
the registry the build uses (so an extra lists the same services as the generated views), or a
module-level grafanalib `Dashboard`, grafana-foundation-sdk builder or plain dict. A `*.json`
file is a bare model (e.g. from `tsedash pull`). An old model (grafanalib writes schemaVersion
12; JSON from Grafana 8-10) is migrated the way Grafana migrates it (`tsedash.migrate`), and
every change is reported with the dashboard; then they go through the same defaults pass,
validation, lint, provisioning and push as the generated dashboards. A broken file stops the
build.
"""

from __future__ import annotations

import json
import pickle
import re
import subprocess
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tsedash.errors import InputError
from tsedash.inputs import read_json, read_text
from tsedash.migrate import CURRENT_SCHEMA, Migration, ShapeError, migrate_dashboard
from tsedash.redact import redact
from tsedash.registry import Registry
from tsedash.spec import DEFAULT_EXTRAS_DIR

DEFAULT_DIR = Path(DEFAULT_EXTRAS_DIR)
PY_SUFFIX = ".dashboard.py"
EXTRA_TIMEOUT = 30.0  # seconds per *.dashboard.py
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
EXTRA_TAG = "extra"
# A library an extra may import → the tsedash extra (pyproject.toml) that installs it.
OPTIONAL = {"grafanalib": "grafanalib"}


class ExtraDashboardError(InputError):
    """An extra dashboard file that cannot be read (exit 2, all or nothing)."""


@dataclass(frozen=True)
class ExtraSpec:
    """Like DashboardSpec for the generated ones: where the file lands in provisioning/."""

    uid: str
    title: str
    filename: str
    source: str
    migrations: tuple[Migration, ...] = ()  # what the import changed (empty: current already)
    tag: str = EXTRA_TAG


def _located(path: Path, exc: BaseException) -> str:
    """`path:line` at the deepest line of that file in the exception's traceback."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == str(path)]
    return f"{path}:{frames[-1].lineno}" if frames else str(path)


def _user_code_error(path: Path, exc: BaseException) -> ExtraDashboardError:
    """The failure of an extra's own code, located at its deepest line in that file."""
    return ExtraDashboardError(f"{_located(path, exc)}: {type(exc).__name__}: {exc}")


def _is_dashboard_function(value: Any) -> bool:
    return callable(value) and not hasattr(value, "build") and not hasattr(value, "to_json_data")


def _to_model(path: Path, value: Any) -> Any:
    """What `dashboard` is or returned, as a plain model."""
    if isinstance(value, dict):
        return value
    if hasattr(value, "to_json_data"):  # grafanalib
        from grafanalib._gen import DashboardEncoder

        return json.loads(json.dumps(value.to_json_data(), cls=DashboardEncoder))
    if hasattr(value, "build"):  # grafana-foundation-sdk builder
        from tsedash.sdk import to_plain

        return to_plain(value.build())
    raise ExtraDashboardError(
        f"{path}: `dashboard` is a {type(value).__name__}; expected a function of the "
        "registry, a grafanalib Dashboard, a grafana-foundation-sdk builder or a dict"
    )


def evaluate_python(path: Path, registry: Registry) -> Any:
    """Run an extra's file and return its dashboard as a plain model (in the worker process)."""
    try:
        source = read_text(path)
        code = compile(source, str(path), "exec")
        namespace: dict[str, Any] = {"__name__": f"tsedash_extra_{path.stem.replace('.', '_')}"}
        namespace["__file__"] = str(path)
        exec(code, namespace)
        if "dashboard" not in namespace:
            raise ExtraDashboardError(f"{path}: defines no `dashboard` (a function or a value)")
        value = namespace["dashboard"]
        if _is_dashboard_function(value):
            value = value(registry)
        return _to_model(path, value)
    except SyntaxError as exc:
        raise ExtraDashboardError(f"{path}:{exc.lineno}: syntax error: {exc.msg}") from None
    except InputError as exc:
        raise ExtraDashboardError(str(exc)) from None
    except SystemExit as exc:
        raise ExtraDashboardError(
            f"{_located(path, exc)}: called sys.exit({exc.code!r}); an extra defines a "
            "dashboard, it does not end the build"
        ) from None
    except ModuleNotFoundError as exc:
        extra = OPTIONAL.get((exc.name or "").split(".")[0])
        if extra is None:
            raise _user_code_error(path, exc) from None
        raise ExtraDashboardError(
            f"{path}: needs {extra}: pip install 'tsedash[{extra}]'"
        ) from None
    except Exception as exc:  # the file is user code: any failure is reported, with its line
        raise _user_code_error(path, exc) from None


def _from_python(path: Path, registry: Registry, timeout: float) -> Any:
    """The extra, run in a child process with a time limit (see `tsedash.extra_worker`)."""
    read_text(path)  # a FIFO, device or non-UTF-8 file is refused here, before anything runs
    try:
        done = subprocess.run(
            [sys.executable, "-m", "tsedash.extra_worker"],
            input=pickle.dumps((str(path), registry)),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        _forward(exc.stderr)
        raise ExtraDashboardError(
            f"{path}: did not finish within {timeout:g}s (an endless loop, or waiting for "
            "something?)"
        ) from None
    _forward(done.stderr)
    try:
        result = json.loads(done.stdout.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ExtraDashboardError(
            f"{path}: the extra's process ended without a dashboard (exit {done.returncode})"
        ) from None
    if "error" in result:
        raise ExtraDashboardError(str(result["error"]))
    return result.get("model")


def _forward(stderr: bytes | None) -> None:
    """What the extra printed goes to our stderr, never into the command's output."""
    if stderr:
        sys.stderr.write(redact(stderr.decode("utf-8", errors="replace")))
        sys.stderr.flush()


def _from_json(path: Path) -> Any:
    try:
        return read_json(path)
    except InputError as exc:
        raise ExtraDashboardError(str(exc)) from None


def load_extras(
    directory: Path | None, registry: Registry, timeout: float = EXTRA_TIMEOUT
) -> list[tuple[ExtraSpec, dict[str, Any]]]:
    """Every extra dashboard, sorted by file name, migrated to the current schema (datasource
    names resolved against the registry's); raises on the first unreadable file. Each
    `*.dashboard.py` runs in its own process, for at most `timeout` seconds."""
    if directory is None or not directory.is_dir():
        return []
    out = []
    for path in sorted(directory.iterdir()):
        if not (path.name.endswith(PY_SUFFIX) or path.suffix == ".json"):
            continue
        if not _SAFE_NAME.fullmatch(path.name):
            raise ExtraDashboardError(
                f"{directory}: the file name {path.name!r} has characters a dashboard file "
                "name cannot have (use letters, digits, '.', '-' and '_')"
            )
        if path.name.endswith(PY_SUFFIX):
            model = _from_python(path, registry, timeout)
            stem = path.name.removesuffix(PY_SUFFIX)
        elif path.suffix == ".json":
            model, stem = _from_json(path), path.stem
        else:
            continue
        if not isinstance(model, dict):
            raise ExtraDashboardError(f"{path}: the dashboard must be a JSON object")
        if "dashboard" in model and isinstance(model["dashboard"], dict):
            raise ExtraDashboardError(
                f'{path}: wrapped in {{"dashboard": …}} (the API format); save the bare model, '
                "as `tsedash pull` does"
            )
        uid = str(model.get("uid") or "")
        if not uid:
            raise ExtraDashboardError(
                f"{path}: the dashboard has no `uid` (links and push need one)"
            )
        try:
            model, migrations = migrate_dashboard(model, registry.datasource, in_place=True)
        except ShapeError as exc:  # the structure, or a step that cannot read what it finds
            version = str(model.get("schemaVersion"))[:12]
            raise ExtraDashboardError(
                f"{path}: cannot migrate (schemaVersion {version} → {CURRENT_SCHEMA}) {exc}"
            ) from None
        spec = ExtraSpec(
            uid, str(model.get("title", "")), f"extra-{stem}.json", str(path), tuple(migrations)
        )
        out.append((spec, model))
    return out
