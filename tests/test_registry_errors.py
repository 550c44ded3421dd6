"""Every bad input of the registry issue: exit 2, the file, the line and the reason."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from .conftest import HEADER, Result, line_of, registry_text

RunCli = Callable[..., Result]
Write = Callable[[str], Path]


def check(run_cli: RunCli, path: Path) -> Result:
    res = run_cli("registry", "check", "--registry", str(path))
    assert res.exit_code == 2, res
    assert "Traceback" not in res.stderr
    assert res.stdout == ""
    return res


def assert_problem(res: Result, path: Path, line: int, *needles: str) -> None:
    """One stderr line names file:line and carries every needle."""
    prefix = f"{path}:{line}: error: "
    lines = [ln for ln in res.stderr.splitlines() if ln.startswith(prefix)]
    assert lines, f"no error at {prefix!r} in:\n{res.stderr}"
    assert any(all(n in ln for n in needles) for ln in lines), res.stderr


def edit(old: str, new: str, text: str | None = None) -> str:
    """The good registry (or `text`) with `old` replaced once; `old` must be there."""
    text = registry_text() if text is None else text
    assert old in text, old
    return text.replace(old, new, 1)


def instances(lines: str) -> str:
    """The registry's header with these instances."""
    return registry_text("instances:\n" + lines)


@dataclass(frozen=True)
class Bad:
    """A registry `check` refuses: exit 2, no stdout, and an error line at `path:<line>` (the
    line holding `at`, its `nth` occurrence) carrying every needle. A needle's `{text}` is the
    line of `text`; `at=None`: the needles anywhere in stderr; `errors`: exactly that many."""

    text: str
    at: str | None
    needles: tuple[str, ...]
    nth: int = 1
    errors: int | None = None


EXCHANGES = "  - {service: exchange-simulator, name: exchange-OKX}\n"
TWO_PARTS = (
    "    category: exchange\n",
    "    category: exchange\n    derivation: first-two-parts\n",
)
COLLIDING = edit(
    *TWO_PARTS,
    instances(
        "  - {service: exchange-simulator, name: exchange-okx-1}\n"
        "  - {service: exchange-simulator, name: exchange-okx-2}\n"
    ),
)
TWO_SINGLETONS = instances(
    "  - service: audit-correlator\n  - {service: audit-correlator, name: audit-correlator-2}\n"
)
EXTRA_JOBS = edit(
    '  - {job: redis, address: "redis-exporter:9121"}',
    '  - {job: redis, address: "redis-exporter:9121"}\n'
    '  - {job: redis, address: "redis-2:9121"}\n'
    '  - {job: exchange-simulator, address: "x:1"}',
)
BAD_NAME_AND_METRIC = edit(
    "      - {name: trades_total, title: Trades, type: counter}\n",
    "      - {name: trades_total, title: Trades, type: counter}\n"
    "      - {name: trades_total, title: Again, type: counter}\n",
    edit(
        "  exchange-simulator:\n    category: exchange\n",
        "  exchange_simulator:\n    category: exchange\n",
    ),
)
PG_HEADER = HEADER.replace(
    "  exchange-simulator:", "  pg-simulator:\n    category: exchange\n  exchange-simulator:"
)
ALIAS_BOMB = (
    "\n".join(
        ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
        + [
            f"l{i}: &l{i} [" + ",".join([f"*{'a' if i == 1 else f'l{i - 1}'}"] * 9) + "]"
            for i in range(1, 12)
        ]
    )
    + "\n"
)  # 9**12 nodes if expanded: the loader stops at its budget and says why

WRONG_TYPES = [  # (old, new, needles): the error is on the last line of `new`
    ("singleton: true", 'singleton: "yes"', ("expected a boolean", "the string 'yes'")),
    (
        "    metrics:\n      - {name: trades_total, title: Trades, type: counter}",
        "    metrics: foo",
        ("metrics", "expected a list", "the string 'foo'"),
    ),
    ("metrics_port: 8080", "metrics_port: eighty", ("metrics_port", "expected an integer")),
    ("type: counter}", "type: countr}", ("'countr' is not one of: counter, gauge",)),
    ("version: 1", "version: 2", ("unsupported registry version 2",)),
    ('address: "redis-exporter:9121"', 'address: "redis-exporter"', ("expected host:port",)),
    (  # a share of requests: above 0, at most 1
        "version: 1",
        "version: 1\nalerts: {client_error_ratio: 1.5}",
        ("alerts.client_error_ratio: 1.5 is greater than the maximum of 1",),
    ),
    (
        "    category: exchange\n",
        "    category: exchange\n    alerts: {client_error_ratio: 0}\n",
        ("services.exchange-simulator.alerts.client_error_ratio", "minimum of 0"),
    ),
]
UNKNOWN_KEYS = [  # (old, new, key, hint)
    ("    singleton: true", "    singelton: true", "singelton", "did you mean 'singleton'?"),
    ("version: 1", "version: 1\nverison: 1", "verison", "did you mean 'version'?"),
    ("type: counter, unit: short}", "type: counter, units: short}", "units", "'unit'?"),
    ("metrics_path: /metrics,", "metric_path: /metrics,", "metric_path", "'metrics_path'?"),
]
STRUCTURE = [  # (old, new, the text of the error's line, needles)
    (
        "  market-data: Market Data Entities",
        "  Market_Data: Market Data Entities",
        "Market_Data",
        ("'Market_Data'", "category keys are lower-case"),
    ),
    ("  central: Central Services", "  central: ''", "central: ''", ("must not be empty",)),
    ("by: [symbol]", "by: [symbol, symbol]", "symbol, symbol", ("has duplicate items",)),
    ("by: [symbol]", "by: [2symbol]", "2symbol", ("not a valid Prometheus label name",)),
    (
        "name: trades_total",
        "name: trades-total",
        "trades-total",
        ("not a valid Prometheus metric",),
    ),
    ("metrics_port: 8080", "metrics_port: 70000", "70000", ("70000 is greater than",)),
    ('url: "http://prometheus:9090"', 'url: "prometheus:9090"', "url:", ("http:// or https://",)),
]
INSTANCE_NAMES = [
    ("exchange OKX", "contains a space"),
    ("exchange'OKX", "a quote (')"),
    ('exchange\\"OKX', 'a quote (")'),
    ("exchange/OKX", "a slash"),
    ("exchange..OKX", "contains '..'"),
    ("9exchange", "starts with a digit"),
    ("-exchange", "starts with '-'"),
    ("e" + "x" * 63, "is 64 characters long (at most 63)"),
    ("exchange_OKX", "'_' (use '-')"),
]
SCHEMAS = [
    ("public", "'public' is reserved by PostgreSQL"),
    ("information_schema", "reserved"),
    ("pg_exchange", "'pg_exchange' is reserved"),
    ("Exchange", "not a valid schema name"),
    ("1exchange", "not a valid schema name"),
    ("exchange-okx", "not a valid schema name"),
]
NAMESPACES = [
    ("exchange OKX", "contains whitespace"),
    ("exchange:*", "glob characters break SCAN"),
    ("exchange:", "empty ':'-separated part"),
    ("", "is empty"),
]
OKX = "  - service: exchange-simulator\n    name: exchange-OKX\n"

CASES: dict[str, Bad] = {
    "yaml-syntax-error-mid-file": Bad(
        edit("  exchange: Exchange Entities", "  exchange: Exchange: Entities"),
        "Exchange: Entities",
        ("YAML syntax error", "mapping values"),
    ),
    **{
        got: Bad(text, text.splitlines()[0], ("top level must be a mapping", got))
        for text, got in [("- a\n- b\n", "a list"), ("42\n", "the number 42")]
    },
    **{
        f"unknown-key-{key}": Bad(edit(old, new), key, (f"unknown key '{key}'", hint))
        for old, new, key, hint in UNKNOWN_KEYS
    },
    "unknown-key-in-instance": Bad(
        instances("  - service: exchange-simulator\n    nmae: exchange-OKX\n"),
        "nmae",
        ("instances[0]", "unknown key 'nmae'", "'name'"),
    ),
    **{
        f"wrong-type-{i}": Bad(edit(old, new), new.splitlines()[-1].strip(), needles)
        for i, (old, new, needles) in enumerate(WRONG_TYPES)
    },
    "missing-required-key": Bad(
        edit("    category: exchange\n", ""),
        "  exchange-simulator:",
        ("missing required key 'category'",),
    ),
    "unknown-service-type": Bad(
        instances("  - {service: exchange-simulater, name: exchange-OKX}\n"),
        "exchange-simulater",
        (
            "unknown service type 'exchange-simulater'",
            "did you mean 'exchange-simulator'?",
            "services:",
        ),
    ),
    "unknown-category": Bad(
        edit("category: exchange\n", "category: exchanges\n"),
        "  exchange-simulator:",
        ("unknown category 'exchanges'", "'exchange'"),
    ),
    "duplicate-instance-names": Bad(
        instances(EXCHANGES * 2),
        "exchange-OKX",
        ("duplicate instance name 'exchange-OKX'", "line {exchange-OKX}"),
        nth=2,
    ),
    "schema-collision": Bad(
        COLLIDING,
        "exchange-okx-2",
        (
            "schema 'exchange_okx' is already used by exchange-okx-1",
            "(line {exchange-okx-1})",
            "set `schema:` to override",
        ),
    ),
    "schema-collision-namespace-too": Bad(
        COLLIDING,
        "exchange-okx-2",
        ("Redis namespace 'exchange:okx' is already used by exchange-okx-1",),
    ),
    "names-differing-only-in-case": Bad(
        instances(EXCHANGES + "  - {service: exchange-simulator, name: exchange-okx}\n"),
        "exchange-okx",
        ("instance 'exchange-okx' and 'exchange-OKX'", "(line {exchange-OKX}) differ only in case"),
        errors=1,  # not a schema collision on top
    ),
    "namespace-collision": Bad(
        instances(
            EXCHANGES + "  - {service: exchange-simulator, name: exchange-Binance,\n"
            "     redis_namespace: 'exchange:OKX'}\n"
        ),
        "exchange-Binance",
        ("Redis namespace 'exchange:OKX' is already used by exchange-OKX", "redis_namespace:"),
    ),
    "singleton-with-two-instances": Bad(
        instances(
            "  - service: audit-correlator\n"
            "  - {service: audit-correlator, schema: audit2, redis_namespace: audit2}\n"
        ),
        "audit2",
        ("duplicate instance name 'audit-correlator'",),
    ),
    "singleton-with-two-differently-named-instances": Bad(
        TWO_SINGLETONS,
        "audit-correlator-2",
        ("'audit-correlator' is a singleton but has 2 instances",),
    ),
    "singleton-with-two-differently-named-instances-named": Bad(
        TWO_SINGLETONS,
        "audit-correlator-2",
        ("its instance must be named 'audit-correlator', not 'audit-correlator-2'",),
    ),
    "singleton-with-a-different-name": Bad(
        instances("  - {service: audit-correlator, name: audit-main}\n"),
        "audit-main",
        ("must be named 'audit-correlator'",),
    ),
    **{
        f"instance-name-{i}": Bad(
            instances(f'  - service: exchange-simulator\n    name: "{name}"\n'),
            "    name:",
            ("instance name", reason),
        )
        for i, (name, reason) in enumerate(INSTANCE_NAMES)
    },
    **{
        f"schema-{schema}": Bad(
            instances(f"{OKX}    schema: {schema}\n"), "    schema:", ("schema (set)", reason)
        )
        for schema, reason in SCHEMAS
    },
    "derived-schema-that-is-reserved": Bad(
        PG_HEADER + "instances:\n  - {service: pg-simulator, name: pg-One}\n",
        "pg-One",
        ("schema (derived) 'pg_one' is reserved", "schema:"),
    ),
    "alias-bomb-does-not-hang": Bad(ALIAS_BOMB, None, ("alias bomb",)),
    "recursive-alias": Bad("version: 1\nservices: &s {x: *s}\n", None, ("recursive alias",)),
    "duplicate-keys": Bad(
        edit(
            "  market-data-simulator:",
            "  exchange-simulator:\n    category: exchange\n  market-data-simulator:",
        ),
        "  exchange-simulator:",
        ("duplicate key 'exchange-simulator'", "first at line {  exchange-simulator}"),
        nth=2,
    ),
    "yaml-boolean-key": Bad(
        edit("  central: Central Services", "  on: Central Services"),
        "  on: Central",
        ("key True is not a string", "quote it: 'on'"),
    ),
    "infrastructure-job": Bad(EXTRA_JOBS, "redis-2", ("job 'redis' is already declared",)),
    "infrastructure-job-is-a-service-type": Bad(
        EXTRA_JOBS, "job: exchange-simulator", ("also a service type",)
    ),
    **{
        f"structure-{i}": Bad(edit(old, new), at, needles)
        for i, (old, new, at, needles) in enumerate(STRUCTURE)
    },
    **{
        f"namespace-{i}": Bad(
            instances(f"{OKX}    redis_namespace: '{namespace}'\n"),
            "redis_namespace:",
            ("redis_namespace", reason),
        )
        for i, (namespace, reason) in enumerate(NAMESPACES)
    },
    "bad-service-name": Bad(
        BAD_NAME_AND_METRIC,
        "exchange_simulator:",
        ("service name 'exchange_simulator' contains '_'",),
    ),
    "duplicate-metric": Bad(
        BAD_NAME_AND_METRIC, "exchange_simulator:", ("metric 'trades_total' is declared twice",)
    ),
}


class _Lines(dict[str, int]):
    """`{text}` in a needle: the line of `text`."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def __missing__(self, key: str) -> int:
        return line_of(self.text, key)


@pytest.mark.parametrize("bad", CASES.values(), ids=CASES.keys())
def test_bad_registry(run_cli: RunCli, write_registry: Write, bad: Bad) -> None:
    path = write_registry(bad.text)
    res = check(run_cli, path)
    needles = [n.format_map(_Lines(bad.text)) for n in bad.needles]
    if bad.at is None:
        assert all(n in res.stderr for n in needles), res.stderr
    else:
        assert_problem(res, path, line_of(bad.text, bad.at, bad.nth), *needles)
    if bad.errors is not None:
        assert res.stderr.count(": error: ") == bad.errors, res.stderr


def test_yaml_syntax_error(run_cli: RunCli, write_registry: Write) -> None:
    text = registry_text() + "  - service: [exchange-simulator\n"
    res = check(run_cli, write_registry(text))
    assert "YAML syntax error" in res.stderr
    assert f":{len(text.splitlines()) + 1}: error:" in res.stderr  # at the end of the stream


@pytest.mark.parametrize("content", ["", "\n# only a comment\n", "---\n"])
def test_empty_file(run_cli: RunCli, write_registry: Write, content: str) -> None:
    path = write_registry(content)
    res = check(run_cli, path)
    if content == "---\n":
        assert "top level must be a mapping" in res.stderr
        assert "nothing (null)" in res.stderr
    else:
        assert f"{path}: error: the file is empty" in res.stderr


def test_python_types_need_lower_case_names(run_cli: RunCli, write_registry: Write) -> None:
    text = registry_text(
        "instances:\n  - {service: exchange-simulator, name: exchange-OKX}\n"
        "  - {service: risk-monitor, name: risk-monitor-LH}\n"
    ).replace(
        "services:\n",
        "services:\n  risk-monitor: {category: exchange, language: python}\n",
    )
    path = write_registry(text)
    res = check(run_cli, path)
    assert_problem(
        res,
        path,
        line_of(text, "risk-monitor-LH"),
        "instance name 'risk-monitor-LH' is not lower-case",
        "risk-monitor is a Python service and refuses to start",
    )
    assert "exchange-OKX" not in res.stderr  # Go: acknowledged in the seed header
    unacknowledged = text.replace("    acknowledge: {name-case: the seed's spelling}\n", "")
    path = write_registry(unacknowledged)
    res = check(run_cli, path)
    warning = f"{path}:{line_of(unacknowledged, 'exchange-OKX')}: warning name-case: "
    assert any(
        ln.startswith(warning) and "Go services accept it with a warning" in ln
        for ln in res.stderr.splitlines()
    ), res.stderr


def test_namespace_prefix_is_only_a_warning(run_cli: RunCli, write_registry: Write) -> None:
    text = registry_text(
        "instances:\n  - {service: exchange-simulator, name: exchange-OKX}\n"
        "  - {service: exchange-simulator, name: exchange-Sub,\n"
        "     redis_namespace: 'exchange:OKX:sub'}\n"
    )
    path = write_registry(text)
    res = run_cli("registry", "check", "--registry", str(path))
    assert res.exit_code == 0, res
    expected = f"{path}:{line_of(text, 'exchange-Sub')}: warning namespace-overlap: "
    [warning] = [ln for ln in res.stderr.splitlines() if ln.startswith(expected)]
    assert "'exchange:OKX:sub' lies inside 'exchange:OKX'" in warning
    assert "1 warning" in res.stdout


def test_missing_registry_file(run_cli: RunCli, tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    res = run_cli("registry", "check", "--registry", str(missing))
    assert res.exit_code == 2
    assert res.stderr.startswith(f"{missing}: error: registry file not found")
    assert "TSEDASH_REGISTRY" in res.stderr


def test_registry_from_environment(run_cli: RunCli, tmp_path: Path) -> None:
    missing = tmp_path / "from-env.yaml"
    res = run_cli("registry", "check", env={"TSEDASH_REGISTRY": str(missing)})
    assert res.exit_code == 2
    assert str(missing) in res.stderr


def test_all_problems_are_collected(run_cli: RunCli, write_registry: Write) -> None:
    text = registry_text(
        "instances:\n  - {service: exchange-simulator, name: 'bad name'}\n"
        "  - {service: nope, name: exchange-X}\n"
        "  - {service: exchange-simulator, name: exchange-A}\n"
        "  - {service: exchange-simulator, name: exchange-A}\n"
    )
    path = write_registry(text)
    res = check(run_cli, path)
    errors = [ln for ln in res.stderr.splitlines() if ": error: " in ln]
    assert len(errors) == 3, res.stderr
    lines = [int(e.split(":")[1]) for e in errors]
    assert lines == sorted(lines)


def test_check_json_reports_problems(run_cli: RunCli, write_registry: Write) -> None:
    import json

    text = registry_text("instances:\n  - {service: nope}\n")
    path = write_registry(text)
    res = run_cli("registry", "check", "--json", "--registry", str(path))
    assert res.exit_code == 2
    payload = json.loads(res.stdout)
    assert payload["ok"] is False
    [error] = payload["errors"]
    assert error["line"] == line_of(text, "service: nope")
    assert "unknown service type 'nope'" in error["message"]


def test_not_utf8(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "bin.yaml"
    path.write_bytes(b"version: 1\nservices: {}\n\xff\xfe\n")
    res = check(run_cli, path)
    assert f"{path}:3: error: not UTF-8 text (byte 0xff)" in res.stderr


def test_registry_path_is_a_directory(run_cli: RunCli, tmp_path: Path) -> None:
    res = run_cli("registry", "check", "--registry", str(tmp_path))
    assert res.exit_code == 2
    assert "is a directory" in res.stderr


def _large(n: int, bad: str = "") -> str:
    """The repository's service types with n instances; `bad` replaces instance 1,500's line."""
    from benchmarks.load import registry_text

    lines = registry_text(n, recording=False).splitlines()
    index = next(i for i, line in enumerate(lines) if "x01500" in line)
    if bad:
        lines[index] = bad
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("  - {service: exchange-simulator, name: exchange-x01500, address: 'h:99999'}", "99999"),
        ("  - {service: exchange-simulator, name: exchange-x01500, adress: 'h:1'}", "adress"),
        ("  - {service: exchange-simulator, name: 'exchange-x01500\\n', address: 'h:1'}", "name"),
    ],
)
def test_a_large_registry_checked_by_compiled_code_still_locates_its_error(
    monkeypatch: pytest.MonkeyPatch, bad: str, message: str
) -> None:
    """From 1,000 instances a compiled validator decides first; a rejected document gets the
    same located message as a small one (the line of the instance)."""
    from tsedash.registry import RegistryError, load_registry_text, structure
    from tsedash.registry.structure import COMPILED_FROM

    text = _large(2 * COMPILED_FROM)
    walker = structure._validator

    def refused() -> None:
        raise AssertionError("a valid large registry must not be walked by jsonschema")

    monkeypatch.setattr(structure, "_validator", refused)
    assert len(load_registry_text(text, "big.yaml").instances) == 2 * COMPILED_FROM
    monkeypatch.setattr(structure, "_validator", walker)
    broken = _large(2 * COMPILED_FROM, bad)
    with pytest.raises(RegistryError) as caught:
        load_registry_text(broken, "big.yaml")
    line = broken.splitlines().index(bad) + 1
    shown = [str(p) for p in caught.value.problems]
    assert any(p.startswith(f"big.yaml:{line}:") and message in p for p in shown), shown


@pytest.mark.parametrize(
    ("folder", "message"),
    [
        ("{uid: 'has space'}", "folder.uid"),
        ("{title: ''}", "folder.title"),
        ("{parent: 'x/y'}", "folder.parent"),
        ("{uid: a, colour: red}", "colour"),
    ],
)
def test_a_bad_folder_is_located(folder: str, message: str) -> None:
    from tsedash.registry import RegistryError, load_registry_text

    from .dashboard_helpers import FIXTURE

    text = FIXTURE.read_text().replace("categories:", f"folder: {folder}\ncategories:")
    line = text.splitlines().index(f"folder: {folder}") + 1
    with pytest.raises(RegistryError) as caught:
        load_registry_text(text, "r.yaml")
    shown = [str(p) for p in caught.value.problems]
    assert any(p.startswith(f"r.yaml:{line}") and message in p for p in shown), shown
