"""What the simulator serves: every instance's metric contract, with known rates.

Values are functions of the time since start, so a counter with rate r is exactly r * t: the
end-to-end test can compare Prometheus' `rate()` with `expected_rate()`.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from tsedash.registry import Instance, Metric, Registry
from tsedash.simulate.exposition import Family

LABEL_VALUES = {"symbol": ("BTC-USD", "ETH-USD", "SOL-USD"), "side": ("bid", "ask")}
DEFAULT_LABEL_VALUES = ("a", "b")
FLOW_RATE = 1.0  # requests/s from each instance to each target service
FLOW_TARGETS = 2  # target services per instance
CADVISOR_JOB = "cadvisor"


def label_values(label: str) -> tuple[str, ...]:
    return LABEL_VALUES.get(label, DEFAULT_LABEL_VALUES)


@dataclass(frozen=True)
class SimulationPlan:
    registry: Registry
    base_rate: float = 2.0

    def instance_rate(self, inst: Instance) -> float:
        """Per-series rate of an instance's counters: the base rate, varied per instance."""
        index = self.registry.instances.index(inst)
        return self.base_rate * (1 + (index % 4) * 0.5)

    def label_sets(self, metric: Metric) -> list[dict[str, str]]:
        combos = itertools.product(*(label_values(label) for label in metric.by))
        return [dict(zip(metric.by, combo, strict=True)) for combo in combos]

    def expected_rate(self, inst: Instance, metric: Metric) -> float:
        """Rate of `sum by (instance)` of a counter: every label combination at the same rate."""
        return self.instance_rate(inst) * len(self.label_sets(metric))

    def flow_targets(self, inst: Instance) -> list[str]:
        others = [s for s in self.registry.services if s != inst.service_name]
        return others[:FLOW_TARGETS]

    def cpu_rate(self, inst: Instance) -> float:
        return 0.05 * (1 + self.registry.instances.index(inst) % 4)

    def instance_families(self, inst: Instance, elapsed: float) -> list[Family]:
        svc = self.registry.services[inst.service_name]
        families = []
        rate = self.instance_rate(inst)
        for metric in svc.metrics:
            fam = Family(metric.name, metric.type, metric.description or metric.title)
            for labels in self.label_sets(metric):
                if metric.type == "counter":
                    value = rate * elapsed
                else:
                    value = 50 + 10 * math.sin(elapsed / 60 + len(fam.samples))
                fam.samples.append((labels, value))
            families.append(fam)
        flow = Family("http_requests_total", "counter", "HTTP requests to other entities")
        for target in self.flow_targets(inst):
            flow.samples.append(({"target_service": target}, FLOW_RATE * elapsed))
        families.append(flow)
        return families

    def cadvisor_families(self, elapsed: float) -> list[Family]:
        mem = Family("container_memory_usage_bytes", "gauge", "Current memory usage in bytes")
        cpu = Family("container_cpu_usage_seconds_total", "counter", "Cumulative CPU time")
        for i, inst in enumerate(self.registry.instances):
            name = {"name": inst.container_name}
            mem.samples.append((name, float(64 * 2**20 * (1 + i % 4))))
            cpu.samples.append((name, self.cpu_rate(inst) * elapsed))
        return [mem, cpu]

    def cadvisor_address(self) -> str | None:
        return next(
            (j.address for j in self.registry.infrastructure if j.job == CADVISOR_JOB), None
        )
