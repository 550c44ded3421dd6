"""Cost of the InstanceMissing alert design, measured on the real Prometheus (`make bench`).

One `absent(up{job, instance})` rule per expected instance (what we generate: the alert names
the missing instance) against one count rule per service type (constant size, but it cannot say
which instance is missing), and a third design that names the instance too: one `vector(1)`
recording rule per expected instance (`tsedash:expected_instance:info{job, instance}`) and a
single alert `… unless on (job, instance) up`. (An `or` of label_replace'd vectors in one
recording rule was tried as well: 29.6 s per evaluation at 10,000.) Prometheus reports each
group's last evaluation time in `/api/v1/rules` (`evaluationTime`); medians of 5+ polls, all
groups in the same Prometheus. None of the three is what we generate: the generated
InstanceMissing joins expected-instance series Prometheus *scrapes* (deploy/prometheus/expected/,
one rule whatever the number of instances); benchmarks/load.py measures it with the other
generated rules on live data.
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
    expected = [
        {
            "record": "tsedash:expected_instance:info",
            "expr": "vector(1)",
            "labels": {"job": "exchange-simulator", "instance": f"exchange-X{i:05d}"},
        }
        for i in range(n)
    ]
    join = [
        {
            "alert": "InstanceMissing",
            "expr": "tsedash:expected_instance:info unless on (job, instance) up",
            "for": "5m",
        }
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
            {"name": "expected", "interval": "1s", "rules": expected},
            {"name": "join", "interval": "1s", "rules": join},
        ]
    }


def measure(n: int) -> tuple[dict[str, float], float]:
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
            samples: dict[str, list[float]] = {
                "per-instance": [],
                "count": [],
                "expected": [],
                "join": [],
            }
            deadline = time.monotonic() + 60
            while min(len(v) for v in samples.values()) < 5 and time.monotonic() < deadline:
                time.sleep(1.0)
                for grp in api(url, "/api/v1/rules")["data"]["groups"]:
                    value = float(grp.get("evaluationTime", 0))
                    if grp["name"] in samples and value > 0:
                        samples[grp["name"]].append(value)
            return {name: statistics.median(v) for name, v in samples.items()}, load_s
        finally:
            group.stop_all()


def main() -> None:
    print("InstanceMissing designs, evaluation time per interval on a real Prometheus")
    print(
        f"{'instances':>9} {'absent/instance ms':>19} {'count ms':>9} "
        f"{'record/instance + join ms':>26} {'vs absent':>10} {'startup s':>10}"
    )
    for n in SIZES:
        ms, load = measure(n)
        per, count = ms["per-instance"] * 1000, ms["count"] * 1000
        joined = (ms["expected"] + ms["join"]) * 1000
        print(
            f"{n:>9} {per:>19.2f} {count:>9.3f} {joined:>26.2f} {per / joined:>9.1f}x {load:>10.2f}"
        )


if __name__ == "__main__":
    main()
