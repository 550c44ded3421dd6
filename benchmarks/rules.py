"""Cost of the InstanceMissing alert design, measured on the real Prometheus (`make bench`).

One `absent(up{job, instance})` rule per expected instance (what we generate: the alert names
the missing instance) against one count rule per service type (constant size, but it cannot
say which instance is missing). Prometheus reports each group's last evaluation time in
`/api/v1/rules` (`evaluationTime`); medians of 5+ polls, both groups in the same Prometheus.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from tsedash.processes import ProcessGroup, find_program, free_port, http_ok  # noqa: E402
from tsedash.stack import api  # noqa: E402

SIZES = (100, 1_000, 10_000)


def rules(n: int) -> dict[str, object]:
    per_instance = [
        {
            "alert": "InstanceMissing",
            "expr": f'absent(up{{job="exchange-simulator", instance="exchange-X{i:05d}"}})',
            "for": "5m",
        }
        for i in range(n)
    ]
    count = [
        {
            "alert": "InstancesMissing",
            "expr": f'(count(up{{job="exchange-simulator"}}) or vector(0)) < {n}',
            "for": "5m",
        }
    ]
    return {
        "groups": [
            {"name": "per-instance", "interval": "1s", "rules": per_instance},
            {"name": "count", "interval": "1s", "rules": count},
        ]
    }


def measure(n: int) -> tuple[float, float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "rules.yml").write_text(yaml.safe_dump(rules(n)))
        (work / "prometheus.yml").write_text(
            yaml.safe_dump({"global": {"evaluation_interval": "1s"}, "rule_files": ["rules.yml"]})
        )
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        group = ProcessGroup(work)
        try:
            started = time.perf_counter()
            group.start(
                "prometheus",
                [
                    find_program("prometheus"),
                    f"--config.file={work / 'prometheus.yml'}",
                    f"--storage.tsdb.path={work / 'data'}",
                    f"--web.listen-address=127.0.0.1:{port}",
                ],
                ready=lambda: http_ok(f"{url}/-/ready"),
                timeout=120,
            )
            load_s = time.perf_counter() - started
            samples: dict[str, list[float]] = {"per-instance": [], "count": []}
            deadline = time.monotonic() + 60
            while min(len(v) for v in samples.values()) < 5 and time.monotonic() < deadline:
                time.sleep(1.0)
                for grp in api(url, "/api/v1/rules")["data"]["groups"]:
                    value = float(grp.get("evaluationTime", 0))
                    if grp["name"] in samples and value > 0:
                        samples[grp["name"]].append(value)
            return (
                statistics.median(samples["per-instance"]),
                statistics.median(samples["count"]),
                load_s,
            )
        finally:
            group.stop_all()


def main() -> None:
    print("InstanceMissing: one absent() rule per instance vs one count rule (real Prometheus)")
    print(
        f"{'instances':>9} {'per-instance ms':>16} {'count ms':>9} {'ratio':>8} {'startup s':>10}"
    )
    for n in SIZES:
        per, count, load = measure(n)
        print(f"{n:>9} {per * 1000:>16.2f} {count * 1000:>9.3f} {per / count:>7.0f}x {load:>10.2f}")


if __name__ == "__main__":
    main()
