"""The seed's derivation examples, overrides, and properties of the rules."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tsedash.registry import RegistryError, load_registry_text
from tsedash.registry.derivation import (
    DERIVATIONS,
    NAME_RE,
    SCHEMA_RE,
    derive_namespace,
    derive_schema,
    discovery_key,
    follows_namespace_pattern,
    name_problems,
)

from .conftest import line_of, registry_text

# (service, instance, schema, namespace) — the seed's own examples (TSE-0001.12.0 §2, §3, Phase 9).
SEED = [
    ("audit-correlator", "audit-correlator", "audit", "audit"),
    ("test-coordinator", "test-coordinator", "test", "test"),
    ("exchange-simulator", "exchange-OKX", "exchange_okx", "exchange:OKX"),
    ("exchange-simulator", "exchange-Binance", "exchange_binance", "exchange:Binance"),
    ("custodian-simulator", "custodian-Komainu", "custodian_komainu", "custodian:Komainu"),
    (
        "market-data-simulator",
        "market-data-Coinmetrics",
        "market_data_coinmetrics",
        "market:data-Coinmetrics",
    ),
    ("trading-system-engine", "trading-system-LH", "trading_system_lh", "trading:system-LH"),
    ("risk-monitor", "risk-monitor-LH", "risk_monitor_lh", "risk:monitor-LH"),
]


@pytest.mark.parametrize(("service", "instance", "schema", "namespace"), SEED)
def test_seed_examples(service: str, instance: str, schema: str, namespace: str) -> None:
    assert derive_schema(service, instance) == schema
    assert derive_namespace(service, instance) == namespace
    assert discovery_key(service, instance) == f"services:{service}:{instance}"


def test_python_derivation_changes_only_the_singleton_schema() -> None:
    # Seed Phase 9 AdapterConfig: whole service name with '_' for a singleton.
    assert derive_schema("trading-system-engine", "trading-system-engine", "seed-python") == (
        "trading_system_engine"
    )
    assert derive_schema("trading-system-engine", "trading-system-engine", "seed-go") == "trading"
    assert derive_schema("trading-system-engine", "trading-system-LH", "seed-python") == (
        "trading_system_lh"
    )
    # The seed's Python test expects 'trading_system' here; its code gives 'trading': follow code.
    assert derive_namespace("trading-system-engine", "trading-system-engine") == "trading"


# (service, instance, rule, schema, namespace): each adapter's own code and its comments'
# examples, then the seven instances orchestrator-docker runs.
ADAPTERS = [
    ("exchange-simulator", "exchange-OKX", "first-two-parts", "exchange_okx", "exchange:OKX"),
    ("exchange-simulator", "exchange-simulator", "first-two-parts", "exchange", "exchange"),
    (
        "custodian-simulator",
        "custodian-Komainu",
        "first-two-parts",
        "custodian_komainu",
        "custodian:Komainu",
    ),
    (
        "market-data-simulator",
        "market-data-Coinmetrics",
        "market-data-go",
        "market_data_coinmetrics",
        "market_data:Coinmetrics",
    ),
    (
        "market-data-simulator",
        "market-data-simulator",
        "market-data-go",
        "market_data",
        "market_data",
    ),
    (
        "trading-system-engine",
        "trading-system-engine-LH",
        "trading-engine-py",
        "trading_system_engine_lh",
        "trading_system:LH",
    ),
    ("trading-system-engine", "trading-system-engine", "trading-engine-py", "trading", "trading"),
    ("trading-system-engine", "trading-lh", "trading-engine-py", "trading_lh", "trading_lh"),
    # orchestrator-docker's seven
    ("audit-correlator", "audit-correlator", "seed-go", "audit", "audit"),
    ("test-coordinator", "test-coordinator", "seed-python", "test_coordinator", "test"),
    ("exchange-simulator", "exchange-okx", "first-two-parts", "exchange_okx", "exchange:okx"),
    (
        "custodian-simulator",
        "custodian-komainu",
        "first-two-parts",
        "custodian_komainu",
        "custodian:komainu",
    ),
    (
        "market-data-simulator",
        "market-data-coinmetrics",
        "market-data-go",
        "market_data_coinmetrics",
        "market_data:coinmetrics",
    ),
    ("risk-monitor", "risk-monitor-lh", "seed-python", "risk_monitor_lh", "risk:monitor-lh"),
    (
        "trading-system-engine",
        "trading-engine-lh",
        "trading-engine-py",
        "trading_engine_lh",
        "trading_engine:lh",
    ),
]


@pytest.mark.parametrize(("service", "instance", "rule", "schema", "namespace"), ADAPTERS)
def test_each_adapter_rule(
    service: str, instance: str, rule: str, schema: str, namespace: str
) -> None:
    assert derive_schema(service, instance, rule) == schema  # type: ignore[arg-type]
    assert derive_namespace(service, instance, rule) == namespace  # type: ignore[arg-type]


def test_default_registry_uses_each_types_adapter_rule() -> None:
    from tsedash.registry import load_registry

    from .conftest import ROOT

    reg = load_registry(ROOT / "instances.yaml")
    got = {
        (i.service_name, i.instance_name, i.derivation, i.schema_name, i.redis_namespace)
        for i in reg.instances
    }
    assert got == set(ADAPTERS[-7:])
    assert reg.warnings == ()


def test_instance_without_hyphen_keeps_its_name_as_namespace() -> None:
    assert derive_namespace("exchange-simulator", "okx") == "okx"
    assert not follows_namespace_pattern("okx")


def test_registry_derives_every_name_of_the_seed_registry() -> None:
    text = registry_text(
        """\
        instances:
          - service: audit-correlator
          - {service: exchange-simulator, name: exchange-OKX}
          - {service: market-data-simulator, name: market-data-Coinmetrics}
        """
    )
    reg = load_registry_text(text, "r.yaml")
    by_name = {i.instance_name: i for i in reg.instances}
    okx = by_name["exchange-OKX"]
    assert okx.schema_name == "exchange_okx"
    assert okx.redis_namespace == "exchange:OKX"
    assert okx.discovery_key == "services:exchange-simulator:exchange-OKX"
    assert okx.container_name == "trading-ecosystem-exchange-OKX"
    assert okx.address == "exchange-OKX:8080"
    assert okx.as_contract()["volumes"] == {
        "data": {"host": "volumes/exchange-OKX/data", "container": "/app/data"},
        "logs": {"host": "volumes/exchange-OKX/logs", "container": "/app/logs"},
    }
    audit = by_name["audit-correlator"]
    assert (audit.schema_name, audit.redis_namespace, audit.singleton) == ("audit", "audit", True)
    # The odd namespace is kept, with a warning on its line that says how to override it.
    [warning] = reg.warnings
    assert warning.severity.value == "warning"
    assert warning.line == line_of(text, "market-data-Coinmetrics")
    assert "market:data-Coinmetrics" in warning.message
    assert "redis_namespace:" in warning.message and "acknowledge:" in warning.message
    assert warning.code == "namespace-pattern"


def test_overrides_win_and_silence_the_pattern_warning() -> None:
    text = registry_text(
        """\
        instances:
          - service: market-data-simulator
            name: market-data-Coinmetrics
            redis_namespace: "market-data:Coinmetrics"
            schema: md_coinmetrics
            address: "md-coinmetrics:9100"
            container_name: md-coinmetrics
        """
    )
    reg = load_registry_text(text, "r.yaml")
    [inst] = reg.instances
    assert inst.redis_namespace == "market-data:Coinmetrics"
    assert inst.schema_name == "md_coinmetrics"
    assert inst.address == "md-coinmetrics:9100"
    assert inst.container_name == "md-coinmetrics"
    assert reg.warnings == ()  # name-case is acknowledged by the seed header


def test_defaults_drive_address_and_container() -> None:
    header = (
        registry_text("")
        .replace("metrics_port: 8080", "metrics_port: 9000")
        .replace("container_prefix: trading-ecosystem-", "container_prefix: te-")
    )
    reg = load_registry_text(
        header + "instances:\n  - {service: exchange-simulator, name: exchange-OKX}\n", "r"
    )
    [inst] = reg.instances
    assert (inst.address, inst.container_name) == ("exchange-OKX:9000", "te-exchange-OKX")


# --- properties -----------------------------------------------------------------------------

valid_names = st.from_regex(r"\A[A-Za-z][A-Za-z0-9-]{0,62}\Z", fullmatch=True).filter(
    lambda s: not s.endswith("-")
)


@given(service=valid_names, instance=valid_names)
def test_derivation_is_total_and_stable(service: str, instance: str) -> None:
    for how in DERIVATIONS:
        first = derive_schema(service, instance, how)  # type: ignore[arg-type]
        assert first == derive_schema(service, instance, how)  # type: ignore[arg-type]
        assert isinstance(first, str) and first
    namespace = derive_namespace(service, instance)
    assert namespace == derive_namespace(service, instance)
    assert namespace and " " not in namespace
    if service != instance:
        # Multi-instance schemas of valid names are always valid schema identifiers.
        assert SCHEMA_RE.match(derive_schema(service, instance))


invalid_names = st.one_of(
    st.text(min_size=1, max_size=80).filter(lambda s: not NAME_RE.match(s) or s.endswith("-")),
    st.from_regex(r"\A[A-Za-z][A-Za-z0-9-]{63,70}\Z", fullmatch=True),
    st.sampled_from(
        ["exchange OKX", "exchange/OKX", "exchange..OKX", "9exchange", "-exchange", "ex'x"]
    ),
)


@given(name=invalid_names)
def test_every_invalid_name_is_rejected_with_a_message(name: str) -> None:
    reasons = name_problems(name)
    assert reasons, name
    assert all(isinstance(r, str) and r for r in reasons)


@given(name=invalid_names)
@settings(max_examples=60)
def test_registry_rejects_invalid_instance_names(name: str) -> None:
    text = registry_text("instances:\n  - service: exchange-simulator\n    name: NAME\n")
    text = text.replace("name: NAME", "name: " + _yaml_quote(name))
    with pytest.raises(RegistryError) as info:
        load_registry_text(text, "r.yaml")
    messages = " | ".join(p.message for p in info.value.errors)
    assert "instance name" in messages


def _yaml_quote(value: str) -> str:
    escaped = value.encode("unicode_escape").decode("ascii").replace('"', '\\"')
    return f'"{escaped}"'


@given(
    names=st.lists(
        st.tuples(st.sampled_from(["exchange-simulator", "market-data-simulator"]), valid_names),
        min_size=1,
        max_size=12,
    )
)
@settings(max_examples=80)
def test_accepted_registries_never_share_schema_or_namespace(names: list[tuple[str, str]]) -> None:
    body = "instances:\n" + "".join(f"  - {{service: {s}, name: '{n}'}}\n" for s, n in names)
    try:
        reg = load_registry_text(registry_text(body), "r.yaml")
    except RegistryError as exc:
        assert exc.errors  # rejected for a stated reason
        return
    schemas = [i.schema_name for i in reg.instances]
    namespaces = [i.redis_namespace for i in reg.instances]
    assert len(set(schemas)) == len(schemas)
    assert len(set(namespaces)) == len(namespaces)
    assert all(re.match(SCHEMA_RE, s) for s in schemas)
