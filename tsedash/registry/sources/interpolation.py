"""Compose's variable interpolation, bounded.

What docker compose (compose-go) does: `${VAR}`, `$VAR`, `${VAR:-default}` / `${VAR-default}`
(the default itself interpolated, so defaults nest), `${VAR:?message}` / `${VAR?message}` and
`$$`; `.env` values are interpolated too, line by line, from the lines above them and then the
shell (single-quoted values are kept as written).

Each of these can grow a value: `.env` lines doubling the one above (`B=${A}${A}`), or one
variable referenced from many places through YAML aliases. Compose itself does not finish on
such input; here nesting is limited to MAX_NESTING levels, one value to MAX_VALUE characters and
everything interpolated from one set of compose files to MAX_TOTAL characters, and going over
is a located error.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path

from tsedash.inputs import MAX_INPUT, read_text
from tsedash.registry.problems import Problem, RegistryError

MAX_NESTING = 10  # ${A:-${B:-…}} levels; real files use two or three
MAX_VALUE = 64 * 1024  # characters of one interpolated value (ports, names, variables)
MAX_TOTAL = MAX_INPUT  # characters interpolated from one set of compose files and its .env

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*", re.ASCII)
_BRACED = re.compile(r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:-|:\?|-|\?)(?P<arg>.*))?\Z", re.S)


def _error(file: str, line: int, reason: str) -> RegistryError:
    return RegistryError([Problem(file, line, "", reason)])


class Interpolation:
    """One compose project's substitutions: its variables and the characters spent so far."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = env
        self.total = 0

    def text(self, text: str, file: str, line: int) -> str:
        """`text` with its variables substituted; RegistryError (file:line) for a required
        variable that is missing, or a bound crossed."""
        if "$" not in text:
            return text
        out = _Substitution(self.env, file, line).run(text, 0)
        self.total += len(out)
        if self.total > MAX_TOTAL:
            raise _error(
                file,
                line,
                f"interpolation: all values together exceed {MAX_TOTAL:,} characters "
                "(variables that repeat each other?)",
            )
        return out


class _Substitution:
    """One value's substitution (compose's template rules), its size counted as it grows."""

    def __init__(self, env: Mapping[str, str], file: str, line: int) -> None:
        self.env, self.file, self.line = env, file, line

    def run(self, text: str, depth: int) -> str:
        if depth > MAX_NESTING:
            raise _error(
                self.file, self.line, f"interpolation nested deeper than {MAX_NESTING} levels"
            )
        pieces: list[str] = []
        size = 0
        start = 0
        while (dollar := text.find("$", start)) >= 0:
            value, end = self._reference(text, dollar, depth)
            for piece in (text[start:dollar], value):
                size += len(piece)
                self._check_size(size)
                pieces.append(piece)
            start = end
        size += len(text) - start
        self._check_size(size)
        pieces.append(text[start:])
        return "".join(pieces)

    def _check_size(self, size: int) -> None:
        if size > MAX_VALUE:
            raise _error(
                self.file,
                self.line,
                f"interpolation: a value grows beyond {MAX_VALUE:,} characters "
                "(variables that repeat each other?)",
            )

    def _reference(self, text: str, dollar: int, depth: int) -> tuple[str, int]:
        """What the `$…` at `dollar` stands for, and where the text after it starts."""
        after = dollar + 1
        if text.startswith("$", after):
            return "$", after + 1
        if text.startswith("{", after):
            close = _closing_brace(text, after + 1)
            if close < 0:
                return "$", after  # unterminated: kept as written
            braced = _BRACED.match(text, after + 1, close)
            if braced is None:
                return text[dollar : close + 1], close + 1  # not a variable: kept as written
            return self._braced(braced, depth), close + 1
        name = _NAME.match(text, after)
        if name is None:
            return "$", after
        return self.env.get(name.group(), ""), name.end()

    def _braced(self, braced: re.Match[str], depth: int) -> str:
        name, op, arg = braced.group("name"), braced.group("op"), braced.group("arg") or ""
        value = self.env.get(name)
        if op in (":-", "-"):
            unset = value is None or (op == ":-" and value == "")
            return self.run(arg, depth + 1) if unset else str(value)
        if op in (":?", "?") and (value is None or (op == ":?" and value == "")):
            reason = self.run(arg, depth + 1) if arg else f"{name} is required"
            raise _error(self.file, self.line, f"${{{name}}}: {reason}")
        return "" if value is None else value


def _closing_brace(text: str, start: int) -> int:
    """The `}` closing a `${` whose body starts at `start`, nested `${…}` skipped; -1 if none."""
    depth = 1
    i = start
    while i < len(text):
        if text.startswith("${", i):
            depth += 1
            i += 2
            continue
        if text[i] == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def read_dotenv(path: Path, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """`KEY=value` lines (`#` comments, `export`, quotes stripped), each value interpolated as
    compose does: from the lines above, then `environ`; single-quoted values as written."""
    values: dict[str, str] = {}
    if not path.exists():
        return values
    interpolation = Interpolation(_DotenvLookup(values, environ or {}))
    for number, raw in enumerate(read_text(path).splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        quoted = len(value) >= 2 and value[0] == value[-1] and value[0] in "'\""
        quote = value[0] if quoted else ""
        if quote:
            value = value[1:-1]
        if quote != "'":
            value = interpolation.text(value, str(path), number)
        values[key.strip()] = value
    return values


class _DotenvLookup(Mapping[str, str]):
    """A `.env` line's variables: the lines above it first, then the shell (compose-go's order)."""

    def __init__(self, above: Mapping[str, str], environ: Mapping[str, str]) -> None:
        self.above, self.environ = above, environ

    def __getitem__(self, key: str) -> str:
        return self.above[key] if key in self.above else self.environ[key]

    def __iter__(self) -> Iterator[str]:
        return iter({**self.environ, **self.above})

    def __len__(self) -> int:
        return len({**self.environ, **self.above})
