"""`tsedash build` on unchanged inputs: recognise it before importing anything heavy.

A build is a pure function of its inputs: the registry and compose files, the JSON extras, the
options, and the code (tsedash, the content, the libraries it renders and validates with).
After a successful build, a stamp in the output directory (`.tsedash-build`, a dot-file no
provider reads) records a digest of those inputs, the SHA-256 of every file the build owns, and
what the build printed. When the next build finds the same digest and every file as recorded,
it prints the same report ("0 written, N unchanged") without loading the registry, building or
validating: that is what makes `make dashboards` cost what it uses.

Never reused: a build with `--discover` (live Redis) or with `*.dashboard.py` extras (user code
can read anything), and any stamp that does not match byte for byte. Deleting the stamp, or
`--rebuild`, forces a full build.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tsedash import __version__
from tsedash.files import atomic_write

STAMP = ".tsedash-build"
STAMP_FORMAT = 1
# The code a build's output depends on, found without importing it.
CODE_PACKAGES = ("tsedash", "tsedash_dashboards", "tsedash_panels")
LIBRARIES = ("grafana_foundation_sdk", "jsonschema", "yaml", "promql_parser")
_CODE_SUFFIXES = (".py", ".json")


@dataclass
class Replay:
    """What a build printed, to print again when it is reused."""

    stdout: list[str] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)  # the `--json` document


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


def _read(out: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((out / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def lookup(out: Path, digest: str) -> tuple[Replay, list[str]] | None:
    """The recorded report and files when `out` holds exactly what this build would write."""
    data = _read(out)
    if data is None or data.get("digest") != digest:
        return None
    files = data.get("files")
    if not isinstance(files, dict):
        return None
    for rel, sha in files.items():
        try:
            if _file_digest(out / rel) != sha:
                return None
        except OSError:
            return None
    replay = Replay(
        list(data.get("stdout", [])), list(data.get("stderr", [])), dict(data.get("summary", {}))
    )
    return replay, [rel for rel in files if not rel.startswith(".")]


def store(out: Path, digest: str, owned: Sequence[str], replay: Replay) -> None:
    """Record a successful build (`owned`: every file it wrote or found unchanged)."""
    from tsedash.files import MANIFEST

    files = {rel: _file_digest(out / rel) for rel in sorted({*owned, MANIFEST})}
    data = {
        "digest": digest,
        "files": files,
        "stdout": replay.stdout,
        "stderr": replay.stderr,
        "summary": replay.summary,
    }
    atomic_write(out / STAMP, (json.dumps(data, indent=1, sort_keys=True) + "\n").encode())
