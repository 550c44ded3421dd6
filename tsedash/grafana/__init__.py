"""Push, diff and pull against a running Grafana (its HTTP API)."""
