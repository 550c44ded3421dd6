"""`tsedash build` on unchanged inputs: recognise it before importing anything heavy.

A build is a pure function of its inputs: the registry and compose files, the JSON extras, the
options, and the code (tsedash, the content, the libraries it renders and validates with).
After a successful build, a stamp in the user's cache directory (`$XDG_CACHE_HOME/tsedash/`,
default `~/.cache/tsedash/`, one per output directory; nothing is added to the output)
records a digest of those inputs, the SHA-256 of every file the build owns, and the build's
report (`tsedash.pipeline.BuildReport.record`: structured, not the lines it printed). When the
next build finds the same digest and every file as recorded, it returns that report as a
reused build ("0 written, N unchanged") without loading the registry, building or validating:
that is what makes `make dashboards` cost what it uses.

Never reused: a build with `--discover` (live Redis) or with `*.dashboard.py` extras (user code
can read anything), and any stamp that does not match byte for byte. `--rebuild` (or deleting
the cache directory) forces a full build. A cache that cannot be written is no error.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from tsedash import __version__
from tsedash.files import atomic_write

STAMP_FORMAT = 2  # 2: the report as data (1: printed lines)
# The code a build's output depends on, found without importing it.
CODE_PACKAGES = ("tsedash", "tsedash_dashboards", "tsedash_panels")
LIBRARIES = ("grafana_foundation_sdk", "jsonschema", "yaml", "promql_parser")
_CODE_SUFFIXES = (".py", ".json")


def _package_files(name: str) -> list[Path]:
    spec = importlib.util.find_spec(name)
    roots = list(spec.submodule_search_locations or []) if spec else []
    return sorted(
        p
        for root in roots
        for p in Path(root).rglob("*")
        if p.suffix in _CODE_SUFFIXES and "__pycache__" not in p.parts and p.is_file()
    )


def _library_identity(name: str) -> str:
    """Where a library lives and when it was installed: a new version changes both."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.origin:
        return f"{name}:absent"
    stat = os.stat(spec.origin)
    return f"{name}:{spec.origin}:{stat.st_size}:{stat.st_mtime_ns}"


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def input_digest(files: Iterable[Path], options: Sequence[str]) -> str:
    """One digest over the options, the input files' names and bytes, and the code."""
    h = hashlib.sha256()
    for part in (f"format {STAMP_FORMAT}", f"tsedash {__version__}", sys.version, *options):
        h.update(part.encode() + b"\0")
    for lib in LIBRARIES:
        h.update(_library_identity(lib).encode() + b"\0")
    code = [p for name in CODE_PACKAGES for p in _package_files(name)]
    for path in (*files, *code):
        h.update(str(path).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def extras_files(directory: Path | None) -> list[Path] | None:
    """The extras a stamp can cover (JSON only), sorted; None when one is Python code."""
    if directory is None or not directory.is_dir():
        return []
    names = sorted(directory.iterdir())
    if any(p.name.endswith(".dashboard.py") for p in names):
        return None
    return [p for p in names if p.suffix == ".json"]


def stamp_path(out: Path) -> Path:
    """Where the stamp of the builds into `out` lives: the cache, keyed by the absolute path."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    key = hashlib.sha256(str(out.resolve()).encode()).hexdigest()[:32]
    return base / "tsedash" / "builds" / f"{key}.json"


def _read(out: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(stamp_path(out).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def lookup(out: Path, digest: str) -> dict[str, Any] | None:
    """The report the last build into `out` recorded, when its inputs had this digest and
    every file it owned is still exactly as it wrote it."""
    data = _read(out)
    if data is None or data.get("format") != STAMP_FORMAT or data.get("digest") != digest:
        return None
    files, report = data.get("files"), data.get("report")
    if not isinstance(files, dict) or not isinstance(report, dict):
        return None
    for path, sha in files.items():
        try:
            if _file_digest(Path(path)) != sha:
                return None
        except OSError:
            return None
    return report


def store(out: Path, digest: str, owned: Iterable[Path], report: dict[str, Any]) -> None:
    """Record a successful build (`owned`: every file it wrote or found unchanged)."""
    data = {
        "format": STAMP_FORMAT,
        "digest": digest,
        "files": {str(path): _file_digest(path) for path in sorted(set(owned))},
        "report": report,
    }
    text = json.dumps(data, indent=1, sort_keys=True) + "\n"
    with contextlib.suppress(OSError):  # a read-only home: every build is a full build
        atomic_write(stamp_path(out), text.encode())
