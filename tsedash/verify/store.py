"""`verify` on a global store (VictoriaMetrics, a federating Prometheus): where target health
comes from, and the comparison of its values with a reference Prometheus (docs/scaling.md)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tsedash.errors import InputError

if TYPE_CHECKING:
    from tsedash.registry import Registry
    from tsedash.verify import ScrapeResult
    from tsedash.verify.api import PrometheusAPI
    from tsedash.verify.compare import CompareReport


@dataclass(frozen=True)
class StoreChecks:
    """--health, --shard-targets, --max-age, --reference, --scrape-interval."""

    health: str = "targets"  # the server's /api/v1/targets; "up": the `up` series it holds
    shard_targets: tuple[str, ...] = ()  # the shards' own target APIs, merged
    max_age: float = 120.0  # seconds: an older `up` sample is a shard that stopped writing
    reference: str | None = None  # a Prometheus scraping the same targets
    scrape_interval: float = 15.0  # seconds: the raw-rate tolerance grows with it

    def health_source(
        self, timeout: float
    ) -> Callable[[PrometheusAPI, Registry], list[ScrapeResult]] | None:
        """None: the queried server's own target API (one Prometheus)."""
        if self.shard_targets and self.health == "up":
            raise InputError("--shard-targets and --health up exclude each other")
        if self.shard_targets:
            from tsedash.verify.health import from_shards

            return from_shards(self.shard_targets, timeout)
        if self.health not in ("targets", "up"):
            raise InputError(f"--health {self.health}: expected targets or up")
        if self.health == "up":
            from tsedash.verify.health import from_up

            return lambda api, registry: from_up(api, registry, self.max_age)
        return None

    def compare(self, store: str, registry: Registry, timeout: float) -> CompareReport | None:
        """The store's values against the reference's (None: no reference given)."""
        if self.reference is None:
            return None
        from tsedash.verify.compare import compare, default_comparisons

        wanted = default_comparisons(registry, self.scrape_interval)
        return compare(store, self.reference, registry, wanted, timeout=timeout)
