"""Every bad input of the registry issue: exit 2, the file, the line and the reason."""

from __future__ import annotations

from collections.abc import Callable
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


def test_yaml_syntax_error(run_cli: RunCli, write_registry: Write) -> None:
    text = registry_text() + "  - service: [exchange-simulator\n"
    res = check(run_cli, write_registry(text))
    assert "YAML syntax error" in res.stderr
    assert f":{len(text.splitlines()) + 1}: error:" in res.stderr  # at the end of the stream


def test_yaml_syntax_error_mid_file(run_cli: RunCli, write_registry: Write) -> None:
    text = registry_text().replace(
        "  exchange: Exchange Entities", "  exchange: Exchange: Entities"
    )
    path = write_registry(text)
    res = check(run_cli, path)
    assert_problem(
        res, path, line_of(text, "Exchange: Entities"), "YAML syntax error", "mapping values"
    )


@pytest.mark.parametrize("content", ["", "\n# only a comment\n", "---\n"])
def test_empty_file(run_cli: RunCli, write_registry: Write, content: str) -> None:
    path = write_registry(content)
    res = check(run_cli, path)
    if content == "---\n":
        assert "top level must be a mapping" in res.stderr
        assert "nothing (null)" in res.stderr
    else:
        assert f"{path}: error: the file is empty" in res.stderr


@pytest.mark.parametrize(("content", "got"), [("- a\n- b\n", "a list"), ("42\n", "the number 42")])
def test_top_level_not_a_mapping(
    run_cli: RunCli, write_registry: Write, content: str, got: str
) -> None:
    path = write_registry(content)
    res = check(run_cli, path)
    assert_problem(res, path, 1, "top level must be a mapping", got)


@pytest.mark.parametrize(
    ("old", "new", "key", "hint"),
    [
        ("    singleton: true", "    singelton: true", "singelton", "did you mean 'singleton'?"),
        ("version: 1", "version: 1\nverison: 1", "verison", "did you mean 'version'?"),
        (
            "type: counter, unit: short}",
            "type: counter, units: short}",
            "units",
            "did you mean 'unit'?",
        ),
        (
            "metrics_path: /metrics,",
            "metric_path: /metrics,",
            "metric_path",
            "did you mean 'metrics_path'?",
        ),
    ],
)
def test_unknown_keys_anywhere(
    run_cli: RunCli, write_registry: Write, old: str, new: str, key: str, hint: str
) -> None:
    text = registry_text().replace(old, new, 1)
    path = write_registry(text)
    res = check(run_cli, path)
    assert_problem(res, path, line_of(text, key), f"unknown key '{key}'", hint)


def test_unknown_key_in_instance(run_cli: RunCli, write_registry: Write) -> None:
    text = registry_text("instances:\n  - service: exchange-simulator\n    nmae: exchange-OKX\n")
    path = write_registry(text)
    res = check(run_cli, path)
    assert_problem(res, path, line_of(text, "nmae"), "instances[0]", "unknown key 'nmae'", "'name'")


@pytest.mark.parametrize(
    ("old", "new", "needles"),
    [
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
    ],
)
def test_wrong_types(
    run_cli: RunCli, write_registry: Write, old: str, new: str, needles: tuple[str, ...]
) -> None:
    text = registry_text()
    assert old in text
    text = text.replace(old, new, 1)
    path = write_registry(text)
    res = check(run_cli, path)
    first_new_line = new.splitlines()[-1].strip()
    assert_problem(res, path, line_of(text, first_new_line), *needles)


def test_missing_required_key(run_cli: RunCli, write_registry: Write) -> None:
    text = registry_text().replace("    category: exchange\n", "", 1)
    path = write_registry(text)
    res = check(run_cli, path)
    assert_problem(
        res, path, line_of(text, "  exchange-simulator:"), "missing required key 'category'"
    )


def test_unknown_service_type(run_cli: RunCli, write_registry: Write) -> None:
    text = registry_text("instances:\n  - {service: exchange-simulater, name: exchange-OKX}\n")
    path = write_registry(text)
    res = check(run_cli, path)
    assert_problem(
        res,
        path,
        line_of(text, "exchange-simulater"),
        "unknown service type 'exchange-simulater'",
        "did you mean 'exchange-simulator'?",
        "services:",
    )


def test_unknown_category(run_cli: RunCli, write_registry: Write) -> None:
    text = registry_text().replace("category: exchange\n", "category: exchanges\n", 1)
    path = write_registry(text)
    res = check(run_cli, path)
    assert_problem(
        res,
        path,
        line_of(text, "  exchange-simulator:"),
        "unknown category 'exchanges'",
        "'exchange'",
    )


def test_duplicate_instance_names(run_cli: RunCli, write_registry: Write) -> None:
    text = registry_text(
        "instances:\n  - {service: exchange-simulator, name: exchange-OKX}\n"
        "  - {service: exchange-simulator, name: exchange-OKX}\n"
    )
    path = write_registry(text)
    res = check(run_cli, path)
    first = line_of(text, "exchange-OKX")
    assert_problem(
        res,
        path,
        line_of(text, "exchange-OKX", 2),
        "duplicate instance name 'exchange-OKX'",
        f"line {first}",
    )


def test_schema_collision(run_cli: RunCli, write_registry: Write) -> None:
    # The exchange adapter keeps two parts: exchange-okx-1 and exchange-okx-2 share a schema
    # and a namespace.
    text = registry_text(
        "instances:\n  - {service: exchange-simulator, name: exchange-okx-1}\n"
        "  - {service: exchange-simulator, name: exchange-okx-2}\n"
    ).replace(
        "    category: exchange\n", "    category: exchange\n    derivation: first-two-parts\n"
    )
    path = write_registry(text)
    res = check(run_cli, path)
    assert_problem(
        res,
        path,
        line_of(text, "exchange-okx-2"),
        "schema 'exchange_okx' is already used by exchange-okx-1",
        f"(line {line_of(text, 'exchange-okx-1')})",
        "set `schema:` to override",
    )
    assert_problem(
        res,
        path,
        line_of(text, "exchange-okx-2"),
        "Redis namespace 'exchange:okx' is already used by exchange-okx-1",
    )


def test_names_differing_only_in_case_are_one_clear_error(
    run_cli: RunCli, write_registry: Write
) -> None:
    text = registry_text(
        "instances:\n  - {service: exchange-simulator, name: exchange-OKX}\n"
        "  - {service: exchange-simulator, name: exchange-okx}\n"
    )
    path = write_registry(text)
    res = check(run_cli, path)
    assert_problem(
        res,
        path,
        line_of(text, "exchange-okx"),
        "instance 'exchange-okx' and 'exchange-OKX'",
        f"(line {line_of(text, 'exchange-OKX')}) differ only in case",
    )
    assert res.stderr.count(": error: ") == 1  # not a schema collision on top


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


def test_namespace_collision(run_cli: RunCli, write_registry: Write) -> None:
    text = registry_text(
        "instances:\n  - {service: exchange-simulator, name: exchange-OKX}\n"
        "  - {service: exchange-simulator, name: exchange-Binance,\n"
        "     redis_namespace: 'exchange:OKX'}\n"
    )
    path = write_registry(text)
    res = check(run_cli, path)
    assert_problem(
        res,
        path,
        line_of(text, "exchange-Binance"),
        "Redis namespace 'exchange:OKX' is already used by exchange-OKX",
        "redis_namespace:",
    )


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


def test_singleton_with_two_instances(run_cli: RunCli, write_registry: Write) -> None:
    text = registry_text(
        "instances:\n  - service: audit-correlator\n"
        "  - {service: audit-correlator, schema: audit2, redis_namespace: audit2}\n"
    )
    path = write_registry(text)
    res = check(run_cli, path)
    assert_problem(res, path, line_of(text, "audit2"), "duplicate instance name 'audit-correlator'")


def test_singleton_with_two_differently_named_instances(
    run_cli: RunCli, write_registry: Write
) -> None:
    text = registry_text(
        "instances:\n  - service: audit-correlator\n"
        "  - {service: audit-correlator, name: audit-correlator-2}\n"
    )
    path = write_registry(text)
    res = check(run_cli, path)
    line = line_of(text, "audit-correlator-2")
    assert_problem(res, path, line, "'audit-correlator' is a singleton but has 2 instances")
    assert_problem(
        res, path, line, "its instance must be named 'audit-correlator', not 'audit-correlator-2'"
    )


def test_singleton_with_a_different_name(run_cli: RunCli, write_registry: Write) -> None:
    text = registry_text("instances:\n  - {service: audit-correlator, name: audit-main}\n")
    path = write_registry(text)
    res = check(run_cli, path)
    assert_problem(res, path, line_of(text, "audit-main"), "must be named 'audit-correlator'")


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("exchange OKX", "contains a space"),
        ("exchange'OKX", "a quote (')"),
        ('exchange\\"OKX', 'a quote (")'),
        ("exchange/OKX", "a slash"),
        ("exchange..OKX", "contains '..'"),
        ("9exchange", "starts with a digit"),
        ("-exchange", "starts with '-'"),
        ("e" + "x" * 63, "is 64 characters long (at most 63)"),
        ("exchange_OKX", "'_' (use '-')"),
    ],
)
def test_invalid_instance_names(
    run_cli: RunCli, write_registry: Write, name: str, reason: str
) -> None:
    text = registry_text(f'instances:\n  - service: exchange-simulator\n    name: "{name}"\n')
    path = write_registry(text)
    res = check(run_cli, path)
    assert_problem(res, path, line_of(text, "    name:"), "instance name", reason)


@pytest.mark.parametrize(
    ("schema", "reason"),
    [
        ("public", "'public' is reserved by PostgreSQL"),
        ("information_schema", "reserved"),
        ("pg_exchange", "'pg_exchange' is reserved"),
        ("Exchange", "not a valid schema name"),
        ("1exchange", "not a valid schema name"),
        ("exchange-okx", "not a valid schema name"),
    ],
)
def test_bad_schema_names(run_cli: RunCli, write_registry: Write, schema: str, reason: str) -> None:
    text = registry_text(
        "instances:\n  - service: exchange-simulator\n    name: exchange-OKX\n"
        f"    schema: {schema}\n"
    )
    path = write_registry(text)
    res = check(run_cli, path)
    assert_problem(res, path, line_of(text, "    schema:"), "schema (set)", reason)


def test_derived_schema_that_is_reserved(run_cli: RunCli, write_registry: Write) -> None:
    header = HEADER.replace(
        "  exchange-simulator:", "  pg-simulator:\n    category: exchange\n  exchange-simulator:"
    )
    text = header + "instances:\n  - {service: pg-simulator, name: pg-One}\n"
    path = write_registry(text)
    res = check(run_cli, path)
    assert_problem(
        res, path, line_of(text, "pg-One"), "schema (derived) 'pg_one' is reserved", "schema:"
    )


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


def test_alias_bomb_does_not_hang(run_cli: RunCli, write_registry: Write) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    prev = "a"
    for i in range(1, 12):
        name = f"l{i}"
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
        prev = name
    path = write_registry("\n".join(lines) + "\n")
    # 9**12 nodes if expanded: the loader stops at its budget (a few times the distinct nodes)
    # and says why, instead of building them.
    res = check(run_cli, path)
    assert "alias bomb" in res.stderr


def test_recursive_alias(run_cli: RunCli, write_registry: Write) -> None:
    path = write_registry("version: 1\nservices: &s {x: *s}\n")
    res = check(run_cli, path)
    assert "recursive alias" in res.stderr


def test_duplicate_keys_are_errors(run_cli: RunCli, write_registry: Write) -> None:
    text = registry_text().replace(
        "  market-data-simulator:",
        "  exchange-simulator:\n    category: exchange\n  market-data-simulator:",
    )
    path = write_registry(text)
    res = check(run_cli, path)
    assert_problem(
        res,
        path,
        line_of(text, "  exchange-simulator:", 2),
        "duplicate key 'exchange-simulator'",
        f"first at line {line_of(text, '  exchange-simulator:')}",
    )


def test_yaml_boolean_key_is_reported(run_cli: RunCli, write_registry: Write) -> None:
    text = registry_text().replace("  central: Central Services", "  on: Central Services")
    path = write_registry(text)
    res = check(run_cli, path)
    assert_problem(
        res, path, line_of(text, "  on: Central"), "key True is not a string", "quote it: 'on'"
    )


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


def test_infrastructure_job_problems(run_cli: RunCli, write_registry: Write) -> None:
    text = registry_text().replace(
        '  - {job: redis, address: "redis-exporter:9121"}',
        '  - {job: redis, address: "redis-exporter:9121"}\n'
        '  - {job: redis, address: "redis-2:9121"}\n'
        '  - {job: exchange-simulator, address: "x:1"}',
    )
    path = write_registry(text)
    res = check(run_cli, path)
    assert_problem(res, path, line_of(text, "redis-2"), "job 'redis' is already declared")
    assert_problem(res, path, line_of(text, "job: exchange-simulator"), "also a service type")


def test_not_utf8(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "bin.yaml"
    path.write_bytes(b"version: 1\nservices: {}\n\xff\xfe\n")
    res = check(run_cli, path)
    assert f"{path}:3: error: not UTF-8 text (byte 0xff)" in res.stderr


@pytest.mark.parametrize(
    ("old", "new", "needle_line", "needles"),
    [
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
            ("not a valid Prometheus metric name",),
        ),
        ("metrics_port: 8080", "metrics_port: 70000", "70000", ("70000 is greater than",)),
        (
            'url: "http://prometheus:9090"',
            'url: "prometheus:9090"',
            "url:",
            ("http:// or https://",),
        ),
    ],
)
def test_more_structure_problems(
    run_cli: RunCli,
    write_registry: Write,
    old: str,
    new: str,
    needle_line: str,
    needles: tuple[str, ...],
) -> None:
    text = registry_text()
    assert old in text
    text = text.replace(old, new, 1)
    path = write_registry(text)
    res = check(run_cli, path)
    assert_problem(res, path, line_of(text, needle_line), *needles)


@pytest.mark.parametrize(
    ("namespace", "reason"),
    [
        ("exchange OKX", "contains whitespace"),
        ("exchange:*", "glob characters break SCAN"),
        ("exchange:", "empty ':'-separated part"),
        ("", "is empty"),
    ],
)
def test_bad_namespace_overrides(
    run_cli: RunCli, write_registry: Write, namespace: str, reason: str
) -> None:
    text = registry_text(
        "instances:\n  - service: exchange-simulator\n    name: exchange-OKX\n"
        f"    redis_namespace: '{namespace}'\n"
    )
    path = write_registry(text)
    res = check(run_cli, path)
    assert_problem(res, path, line_of(text, "redis_namespace:"), "redis_namespace", reason)


def test_bad_service_name_and_duplicate_metric(run_cli: RunCli, write_registry: Write) -> None:
    text = (
        registry_text()
        .replace(
            "  exchange-simulator:\n    category: exchange\n",
            "  exchange_simulator:\n    category: exchange\n",
        )
        .replace(
            "      - {name: trades_total, title: Trades, type: counter}\n",
            "      - {name: trades_total, title: Trades, type: counter}\n"
            "      - {name: trades_total, title: Again, type: counter}\n",
        )
    )
    path = write_registry(text)
    res = check(run_cli, path)
    line = line_of(text, "exchange_simulator:")
    assert_problem(res, path, line, "service name 'exchange_simulator' contains '_'")
    assert_problem(res, path, line, "metric 'trades_total' is declared twice")


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
