"""Push at scale against the Grafana API double (`make bench`): 200 dashboards, one changed.

Prints the requests and writes a push makes (writes must be exactly 1) and its wall time next
to the floor: the same 200 dashboard GETs alone, sequential, on the same double.
"""

from __future__ import annotations

import copy
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.grafana_double import ADMIN_TOKEN, GrafanaDouble  # noqa: E402
from tsedash.grafana.client import GrafanaClient, GrafanaSettings  # noqa: E402
from tsedash.grafana.sync import push  # noqa: E402
from tsedash.registry import load_registry  # noqa: E402
from tsedash_dashboards import build_all  # noqa: E402

N = 200
FOLDER = ("bench", "Bench")


def dashboards() -> list[tuple[str, dict]]:
    _, model = build_all(load_registry(ROOT / "instances.yaml"))[1]
    out = []
    for i in range(N):
        m = copy.deepcopy(model)
        m["uid"] = f"bench-{i:04d}"
        m["title"] = f"Bench {i:04d}"
        out.append((m["uid"], m))
    return out


def main() -> None:
    items = dashboards()
    with GrafanaDouble() as grafana:
        settings = GrafanaSettings(url=grafana.url, token=ADMIN_TOKEN)
        push(GrafanaClient(settings), items, *FOLDER)  # populate
        items[N // 2][1]["description"] = "changed"
        writes_before = len(grafana.state.writes())

        client = GrafanaClient(settings)
        start = time.perf_counter()
        report = push(client, items, *FOLDER)
        push_s = time.perf_counter() - start
        writes = len(grafana.state.writes()) - writes_before

        floor_client = GrafanaClient(settings)
        start = time.perf_counter()
        for uid, _ in items:
            floor_client.get_dashboard(uid)
        floor_s = time.perf_counter() - start

    updated = [o.uid for o in report.outcomes if o.action == "updated"]
    print(f"Push of {N} dashboards, one changed, to the Grafana API double")
    print(f"  requests made        {report.requests:>8}")
    print(f"  writes made          {writes:>8}   (updated: {', '.join(updated)})")
    print(f"  push wall time       {push_s * 1000:8.1f} ms")
    print(f"  {N} GETs alone        {floor_s * 1000:8.1f} ms   (floor, sequential)")
    print(f"  ratio                {push_s / floor_s:8.2f}x")
    if writes != 1:
        raise SystemExit(f"expected exactly 1 write, got {writes}")


if __name__ == "__main__":
    main()
