"""The instances the registry expects, as series Prometheus scrapes: what InstanceMissing joins.

`absent()` cannot name what is missing in one expression, and one `absent()` rule per instance
costs a second per evaluation at 10,000 instances. Instead `tsedash prometheus` writes the
expected instances as a static exposition (`expected/metrics`, one
`tsedash_expected_instance{job, instance} 1` per instance), a tiny static web server serves it
(the `tsedash-expected` service of the compose overlay; `tsedash demo` and the tests serve it
themselves) and the job `tsedash-expected` scrapes it with `honor_labels`, so each series keeps
the job and instance it names. One alert rule then finds them all:
`tsedash_expected_instance unless on (job, instance) up`.
"""

from __future__ import annotations

from tsedash.registry import Registry

JOB = "tsedash-expected"
METRIC = "tsedash_expected_instance"
FILE = "expected/metrics"  # under deploy/prometheus/, served as /metrics
PORT = 9099
ADDRESS = f"{JOB}:{PORT}"  # the overlay's service on the orchestrator's network
SERVER_IMAGE = "busybox:1.36.1"


def exposition(registry: Registry) -> bytes:
    """Prometheus' text format, one line per instance in registry order (names are validated
    to `[a-z0-9-]`-like characters: nothing to escape)."""
    lines = [
        f"# HELP {METRIC} An instance the tsedash registry expects Prometheus to scrape.",
        f"# TYPE {METRIC} gauge",
    ]
    lines += [
        f'{METRIC}{{job="{inst.service_name}",instance="{inst.instance_name}"}} 1'
        for inst in registry.instances
    ]
    return ("\n".join(lines) + "\n").encode()


def scrape_job(address: str) -> dict[str, object]:
    return {
        "job_name": JOB,
        "honor_labels": True,  # keep the job and instance each series names
        "metrics_path": "/metrics",
        "static_configs": [{"targets": [address]}],
    }
