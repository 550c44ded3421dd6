"""Semantic checks of a resolved registry (docs/registry.md); they collect, never stop."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from tsedash.registry.addresses import address_problem
from tsedash.registry.derivation import (
    PYTHON_NAME_RE,
    follows_namespace_pattern,
    name_problems,
    namespace_problems,
    schema_problems,
)
from tsedash.registry.model import InfraJob, Instance, ServiceType
from tsedash.registry.problems import Problem, Severity

# The warnings `check_instances` gives: a merge recomputes exactly these.
INSTANCE_WARNING_CODES = frozenset({"name-case", "namespace-pattern", "namespace-overlap"})


def _where(index: int, inst: Instance) -> str:
    if inst.source != "yaml":
        return f"{inst.source} ({inst.instance_name})"
    return f"instances[{index}] ({inst.instance_name})"


def _file(inst: Instance, file: str) -> str:
    """Where a problem of this instance points: its own source file, or the registry."""
    return inst.source_file or file


def _at(other: Instance, inst: Instance, file: str) -> str:
    """`line 37` in the same file, `docker-compose.yml:12` (or `redis key …`) elsewhere."""
    if _file(other, file) == _file(inst, file):
        return f"line {other.line}"
    if other.source == "redis":
        return f"redis key {other.discovery_key}"
    return f"{_file(other, file)}:{other.line}"


def _warning(file: str, inst: Instance, where: str, code: str, message: str) -> list[Problem]:
    """A warning, unless the registry acknowledged this code for the instance or its type."""
    if code in inst.acknowledge:
        return []
    return [
        Problem(
            _file(inst, file),
            inst.line,
            where,
            f"{message}; or acknowledge it: `acknowledge: {{{code}: <reason>}}`",
            Severity.WARNING,
            code,
        )
    ]


def _case_problems(
    file: str, inst: Instance, where: str, services: dict[str, ServiceType]
) -> list[Problem]:
    """The Python services refuse upper case at start-up; the Go services only warn."""
    if PYTHON_NAME_RE.match(inst.instance_name):
        return []
    if services[inst.service_name].language == "python":
        return [
            Problem(
                _file(inst, file),
                inst.line_of("name"),
                where,
                f"instance name '{inst.instance_name}' is not lower-case letters, digits and "
                f"'-': {inst.service_name} is a Python service and refuses to start "
                "(it requires ^[a-z0-9]([a-z0-9-]*[a-z0-9])?$)",
            )
        ]
    return _warning(
        file,
        inst,
        where,
        "name-case",
        f"instance name '{inst.instance_name}' is not lower-case: the Go services accept it "
        "with a warning, the Python services would refuse it",
    )


def suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f"did you mean '{close[0]}'? " if close else ""


def check_services(
    file: str, services: dict[str, ServiceType], categories: dict[str, str]
) -> list[Problem]:
    problems: list[Problem] = []
    for svc in services.values():
        where = f"services.{svc.name}"
        for reason in name_problems(svc.name):
            problems.append(Problem(file, svc.line, where, f"service name '{svc.name}' {reason}"))
        if svc.category not in categories:
            problems.append(
                Problem(
                    file,
                    svc.line,
                    where,
                    f"unknown category '{svc.category}' ({suggest(svc.category, categories)}"
                    f"declared: {', '.join(categories) or 'none'}); add it under `categories:`",
                )
            )
        seen: set[str] = set()
        for metric in svc.metrics:
            if metric.name in seen:
                problems.append(
                    Problem(file, svc.line, where, f"metric '{metric.name}' is declared twice")
                )
            seen.add(metric.name)
            if metric.stall_alert and (metric.type != "counter" or metric.planned):
                problems.append(
                    Problem(
                        file,
                        svc.line,
                        where,
                        f"metric '{metric.name}': stall_alert needs an exposed counter "
                        f"(it is a {metric.state} {metric.type})",
                    )
                )
    return problems


def check_infrastructure(
    file: str, jobs: Iterable[InfraJob], services: dict[str, ServiceType]
) -> list[Problem]:
    problems: list[Problem] = []
    first: dict[str, InfraJob] = {}
    for i, job in enumerate(jobs):
        where = f"infrastructure[{i}] ({job.job})"
        if job.job in first:
            problems.append(
                Problem(
                    file,
                    job.line,
                    where,
                    f"job '{job.job}' is already declared (line {first[job.job].line})",
                )
            )
        else:
            first[job.job] = job
        if job.job in services:
            problems.append(
                Problem(
                    file,
                    job.line,
                    where,
                    f"job '{job.job}' is also a service type: their `up` series would mix; "
                    "rename the infrastructure job",
                )
            )
    return problems


def check_instances(
    file: str, instances: list[tuple[int, Instance]], services: dict[str, ServiceType]
) -> list[Problem]:
    """Names, identifier rules, singletons and every collision between instances."""
    checker = _InstanceChecks(file, services)
    for index, inst in instances:
        checker.check(index, inst)
    return [
        *checker.problems,
        *checker.extra_singletons(),
        *_prefix_overlaps(file, checker.by_namespace, instances),
    ]


class _InstanceChecks:
    """One pass over the instances; each aspect a method, the collisions kept in indexes."""

    def __init__(self, file: str, services: dict[str, ServiceType]) -> None:
        self.file = file
        self.services = services
        self.problems: list[Problem] = []
        self.by_name: dict[str, Instance] = {}
        self.by_folded: dict[str, Instance] = {}
        self.by_schema: dict[str, Instance] = {}
        self.by_namespace: dict[str, Instance] = {}
        self.per_singleton: dict[str, list[tuple[int, Instance]]] = {}

    def _add(self, inst: Instance, line: int, where: str, message: str) -> None:
        self.problems.append(Problem(_file(inst, self.file), line, where, message))

    def check(self, index: int, inst: Instance) -> None:
        where = _where(index, inst)
        # Each step returns False when the rest would only repeat its problem.
        if self._name(inst, where) and self._case(inst, where):
            self.problems.extend(_case_problems(self.file, inst, where, self.services))
            self._schema(inst, where)
            self._namespace(inst, where)
            self._singleton(index, inst, where)
            self._address(inst, where)

    def _name(self, inst: Instance, where: str) -> bool:
        reasons = name_problems(inst.instance_name)
        for reason in reasons:
            self._add(
                inst, inst.line_of("name"), where, f"instance name '{inst.instance_name}' {reason}"
            )
        other = self.by_name.get(inst.instance_name)
        if other is not None:
            self._add(
                inst,
                inst.line,
                where,
                f"duplicate instance name '{inst.instance_name}' "
                f"(first at {_at(other, inst, self.file)})",
            )
            return False  # its schema and namespace collide trivially; one message is enough
        self.by_name[inst.instance_name] = inst
        return not reasons  # derived names of an invalid name only repeat the same problem

    def _case(self, inst: Instance, where: str) -> bool:
        folded = self.by_folded.setdefault(inst.instance_name.lower(), inst)
        if folded is inst:
            return True
        self._add(
            inst,
            inst.line_of("name"),
            where,
            f"instance '{inst.instance_name}' and '{folded.instance_name}' "
            f"({_at(folded, inst, self.file)}) differ only in case: they are one instance "
            "named two ways; use the running stack's spelling in both places",
        )
        return False  # their schemas collide too; the case is the one thing to fix

    def _schema(self, inst: Instance, where: str) -> None:
        how = "set" if inst.schema_overridden else "derived"
        fix = "" if inst.schema_overridden else "; set `schema:` to override"
        for reason in schema_problems(inst.schema_name):
            self._add(inst, inst.line_of("schema"), where, f"schema ({how}) {reason}{fix}")
        other = self.by_schema.setdefault(inst.schema_name, inst)
        if other is not inst:
            self._add(
                inst,
                inst.line,
                where,
                f"schema '{inst.schema_name}' is already used by {other.instance_name} "
                f"({_at(other, inst, self.file)}); set `schema:` to override",
            )

    def _namespace(self, inst: Instance, where: str) -> None:
        namespace = inst.redis_namespace
        if inst.namespace_overridden:
            for reason in namespace_problems(namespace):
                self._add(
                    inst,
                    inst.line_of("redis_namespace"),
                    where,
                    f"redis_namespace '{namespace}' {reason}",
                )
        elif inst.instance_name != inst.service_name and not follows_namespace_pattern(namespace):
            self.problems.extend(
                _warning(
                    self.file,
                    inst,
                    where,
                    "namespace-pattern",
                    f"Redis namespace '{namespace}' (derivation {inst.derivation}) "
                    "does not follow {service-type}:{instance-id}; if the service's adapter "
                    "uses another value, set `redis_namespace:` to it",
                )
            )
        other = self.by_namespace.setdefault(namespace, inst)
        if other is not inst:
            self._add(
                inst,
                inst.line,
                where,
                f"Redis namespace '{namespace}' is already used by {other.instance_name} "
                f"({_at(other, inst, self.file)}); set `redis_namespace:` to override",
            )

    def _address(self, inst: Instance, where: str) -> None:
        reason = address_problem(inst.address) if inst.address else None
        if reason:
            self._add(inst, inst.line_of("address"), where, reason)

    def _singleton(self, index: int, inst: Instance, where: str) -> None:
        if not self.services[inst.service_name].singleton:
            return
        self.per_singleton.setdefault(inst.service_name, []).append((index, inst))
        if inst.instance_name != inst.service_name:
            self._add(
                inst,
                inst.line,
                where,
                f"'{inst.service_name}' is a singleton: its instance must be named "
                f"'{inst.service_name}', not '{inst.instance_name}'",
            )

    def extra_singletons(self) -> list[Problem]:
        problems = []
        for service, members in self.per_singleton.items():
            first = members[0][1]
            for index, extra in members[1:]:
                problems.append(
                    Problem(
                        _file(extra, self.file),
                        extra.line,
                        _where(index, extra),
                        f"'{service}' is a singleton but has {len(members)} instances "
                        f"(first at {_at(first, extra, self.file)}); "
                        "remove one or set `singleton: false`",
                    )
                )
        return problems


def _prefix_overlaps(
    file: str, by_namespace: dict[str, Instance], instances: list[tuple[int, Instance]]
) -> list[Problem]:
    """`exchange` and `exchange:OKX`: keys `exchange:OKX:x` belong to both key spaces."""
    problems: list[Problem] = []
    index_of = {id(inst): i for i, inst in instances}
    for namespace, inst in by_namespace.items():
        parts = namespace.split(":")
        for cut in range(1, len(parts)):
            prefix = ":".join(parts[:cut])
            owner = by_namespace.get(prefix)
            if owner is not None:
                problems.extend(
                    _warning(
                        file,
                        inst,
                        _where(index_of[id(inst)], inst),
                        "namespace-overlap",
                        f"Redis namespace '{namespace}' lies inside '{prefix}' of "
                        f"{owner.instance_name} ({_at(owner, inst, file)}): "
                        "their key spaces overlap",
                    )
                )
    return problems
