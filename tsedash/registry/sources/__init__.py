"""Where instances come from besides instances.yaml: docker-compose files and live Redis."""

from tsedash.registry.sources.discovered import Discovered

__all__ = ["Discovered"]
