"""Atomic, all-or-nothing writing of a generated tree that Grafana may be reading right now
(a neutral module every output stage shares).

Grafana's file provider re-reads every `*.json` under its path every few seconds and, with
`disableDeletion: false`, deletes a dashboard whose file is missing. So a write goes in
phases: every changed file is first written to a temp file in its own directory (named so
Grafana never reads it); only when all of them exist are they `os.replace`d into place, and a
failure on the way puts back what was there (an I/O error leaves the tree as it was). Files
the command no longer produces are removed last, and only if its own record lists them: each
command keeps its record (`.tsedash-<kind>-files`, not a `*.json`), so `tsedash prometheus`
never removes what `tsedash build` wrote into the same directory. A removal touches only a
regular file inside the tree, never through a symlink; names with control characters are
refused (a newline would split the record).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from tsedash.errors import InputError

LEGACY_MANIFEST = ".tsedash-generated"  # one record shared by every command, before
KINDS = ("build", "prometheus", "deploy")
MANIFEST = ".tsedash-build-files"  # the build's record (provisioning/)


def manifest_name(kind: str) -> str:
    if kind not in KINDS:  # pragma: no cover - a programming error
        raise ValueError(kind)
    return f".tsedash-{kind}-files"


def _header(kind: str) -> str:
    return f"# Files written by `tsedash {kind}`; stale ones listed here are removed.\n"


@dataclass
class WriteReport:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def atomic_write(path: Path, data: bytes, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Dot-prefixed, not ending in .json/.yml: no provider ever picks up a half-written file.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_manifest(out: Path, kind: str = "build") -> list[str]:
    try:
        text = (out / manifest_name(kind)).read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError, UnicodeDecodeError):
        return []
    return [ln for ln in text.splitlines() if ln and not ln.startswith("#") and _safe_name(ln)]


def _safe_name(rel: str) -> bool:
    """A relative path inside the tree, without control characters."""
    p = Path(rel)
    return (
        bool(rel)
        and not p.is_absolute()
        and ".." not in p.parts
        and not any(ord(c) < 32 or ord(c) == 127 for c in rel)
    )


def write_tree(out: Path, files: dict[str, bytes], kind: str = "build") -> WriteReport:
    """Make `out` hold exactly `files` (plus whatever this command never owned): all of them
    or, on any error, none."""
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: output path exists and is not a directory")
    for rel in files:
        if not _safe_name(rel):
            raise InputError(f"{out}: refusing the file name {rel!r} (outside the tree, or a "
                             "control character in it)")  # fmt: skip
    report = WriteReport()
    previous = read_manifest(out, kind)
    changed: dict[str, bytes] = {}
    before: dict[str, bytes | None] = {}
    for rel in sorted(files):
        current = _current_bytes(out / rel)
        if current == files[rel]:
            report.unchanged.append(rel)
        else:
            changed[rel] = files[rel]
            before[rel] = current
            report.written.append(rel)
    _replace_all(out, changed, before)
    kept = []
    for rel in sorted(set(previous) - set(files)):
        removed = _remove_owned(out, rel)
        if removed:
            report.removed.append(rel)
        elif removed is None:
            kept.append(rel)  # could not remove it now: stays ours, retried next time
    record = _header(kind) + "".join(f"{r}\n" for r in sorted({*files, *kept}))
    atomic_write(out / manifest_name(kind), record.encode())
    # The shared record of earlier versions is retired (its stale entries are left alone).
    (out / LEGACY_MANIFEST).unlink(missing_ok=True)
    return report


def _current_bytes(path: Path) -> bytes | None:
    try:
        if path.is_symlink() or not path.is_file():
            return None
        return path.read_bytes()
    except OSError:
        return None


def _replace_all(out: Path, changed: dict[str, bytes], before: dict[str, bytes | None]) -> None:
    """Phase 1: every new content in a temp file beside its target; phase 2: all replaced.
    Any failure removes the temp files and puts back what phase 2 had already replaced
    (`before`: each target's bytes when the command started, None when it had none)."""
    temps: dict[str, str] = {}
    made_dirs: list[Path] = []
    known_dirs: set[Path] = set()  # 10,000 files share a handful of directories
    try:
        for rel, data in changed.items():
            target = out / rel
            if target.parent not in known_dirs:
                for parent in reversed([target.parent, *target.parent.parents]):
                    if not parent.exists():
                        parent.mkdir()
                        made_dirs.append(parent)
                known_dirs.add(target.parent)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
            temps[rel] = tmp
            with os.fdopen(fd, "wb") as fh:
                os.fchmod(fh.fileno(), 0o755 if rel.endswith(".sh") else 0o644)
                fh.write(data)
        # One sync for every temp file rather than an fsync each (10,000 schema scripts at
        # 10,000 instances): all contents are on disk before the first rename.
        if temps:
            os.sync()
    except BaseException:
        for tmp in temps.values():
            Path(tmp).unlink(missing_ok=True)
        for directory in reversed(made_dirs):
            with contextlib.suppress(OSError):
                directory.rmdir()
        raise
    done: list[tuple[Path, bytes | None]] = []
    try:
        for rel, tmp in temps.items():
            target = out / rel
            os.replace(tmp, target)
            done.append((target, before.get(rel)))
    except BaseException:
        for target, old in reversed(done):
            with contextlib.suppress(OSError):
                if old is None:
                    target.unlink()
                else:
                    atomic_write(target, old)
        for tmp in temps.values():
            Path(tmp).unlink(missing_ok=True)
        raise


def _remove_owned(out: Path, rel: str) -> bool | None:
    """Remove a file this command wrote before: True when removed, False when it is gone or
    not ours to touch (a symlink, a directory, outside the tree), None when removal failed."""
    path = out / rel
    try:
        if path.is_symlink() or not path.is_file():
            return False
        if path.resolve() != out.resolve() / rel:  # a symlinked directory on the way
            return False
        path.unlink()
    except OSError:
        return None
    _prune_empty_dirs(path.parent, out)
    return True


def _prune_empty_dirs(directory: Path, stop: Path) -> None:
    while directory != stop and stop in directory.parents:
        try:
            directory.rmdir()
        except OSError:
            return
        directory = directory.parent
