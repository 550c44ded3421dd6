"""The one boundary for the files the program reads (a neutral module).

Every input file — registry, compose files and their `.env`, extras, lint exclusions, the
dashboards `validate`/`lint`/`preview`/`push` read back — is read through `read_text`: only a
regular file (a FIFO, device, directory or symlink loop is refused before anything blocks),
at most MAX_INPUT bytes, decoded as UTF-8 with the line of the first bad byte. YAML is checked
for nesting depth before libyaml composes it (libyaml's composer recurses in C: a document
nested tens of thousands deep crashes the process), and JSON is parsed with duplicate keys
and runaway nesting refused.
"""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path
from typing import Any

from tsedash.errors import InputError

MAX_INPUT = 64 * 1024 * 1024  # bytes: a 50,000-instance registry is about 5 MB
MAX_DEPTH = 200  # nesting levels; real registries, compose files and dashboards use < 20
_BRACKET = re.compile(r"[\[\]{}]")


class UnreadableInput(InputError):
    """A file that cannot be read as text: `path[:line]: reason` (exit 2)."""

    def __init__(self, path: str, reason: str, line: int = 0) -> None:
        self.path, self.reason, self.line = path, reason, line
        super().__init__(f"{path}:{line}: {reason}" if line else f"{path}: {reason}")


def read_text(path: str | os.PathLike[str], limit: int = MAX_INPUT) -> str:
    """The text of a regular file; UnreadableInput (one line, naming the file) otherwise."""
    shown = str(path)
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; we refuse it just below.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise UnreadableInput(shown, "file not found") from None
    except OSError as exc:
        raise UnreadableInput(shown, f"cannot open ({exc.strerror or exc})") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        kind = "is a directory" if stat.S_ISDIR(mode) else "is not a regular file"
        raise UnreadableInput(shown, f"{kind} (a FIFO, device or socket is never read)")
    with os.fdopen(fd, "rb") as fh:
        os.set_blocking(fd, True)
        try:
            data = fh.read(limit + 1)
        except OSError as exc:
            raise UnreadableInput(shown, f"cannot read ({exc.strerror or exc})") from None
    if len(data) > limit:
        raise UnreadableInput(shown, f"larger than {limit >> 20} MiB; refusing to read it")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        reason = f"not UTF-8 text (byte 0x{data[exc.start]:02x}); save it as UTF-8"
        raise UnreadableInput(shown, reason, line) from None


def yaml_depth_problem(text: str) -> tuple[int, str] | None:
    """(line, reason) when YAML text nests deeper than MAX_DEPTH, else None.

    Cheap first: brackets and indentation bound the depth from above; only a text that might
    be too deep is scanned with the YAML tokenizer (which does not recurse)."""
    indent = max((len(ln) - len(ln.lstrip(" ")) for ln in text.splitlines()), default=0)
    if _bracket_depth(text) <= MAX_DEPTH and indent <= MAX_DEPTH:
        return None
    import yaml

    depth = 0
    try:
        for token in yaml.scan(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
            if isinstance(
                token,
                yaml.BlockMappingStartToken
                | yaml.BlockSequenceStartToken
                | yaml.FlowMappingStartToken
                | yaml.FlowSequenceStartToken,
            ):
                depth += 1
                if depth > MAX_DEPTH:
                    return token.start_mark.line + 1, f"nested deeper than {MAX_DEPTH} levels"
            elif isinstance(
                token, yaml.BlockEndToken | yaml.FlowMappingEndToken | yaml.FlowSequenceEndToken
            ):
                depth -= 1
    except yaml.YAMLError:
        return None  # the parser reports the syntax error with its line
    return None


def _bracket_depth(text: str) -> int:
    """The deepest bracket nesting, quotes ignored: an upper bound of the flow nesting that
    costs one pass over the brackets alone (a 50,000-instance registry has 100,000)."""
    depth = deepest = 0
    for m in _BRACKET.finditer(text):
        depth += 1 if m.group() in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


def parse_json(text: str, shown: str) -> Any:
    """JSON as a person wrote it: duplicate keys and runaway nesting are errors, not merged or
    crashed on."""
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as exc:
        raise UnreadableInput(shown, f"not valid JSON: {exc.msg}", exc.lineno) from None
    except ValueError as exc:  # duplicate key, or an integer of more than 4,300 digits
        raise UnreadableInput(shown, f"not usable JSON: {exc}") from None
    except RecursionError:
        raise UnreadableInput(shown, "JSON nested too deeply") from None


def read_json(path: str | os.PathLike[str]) -> Any:
    return parse_json(read_text(path), str(path))


def is_regular_file(path: Path) -> bool:
    """A regular file, not a FIFO or device (what `Path.is_file()` also says, without
    following a dangling symlink into an error)."""
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return False
