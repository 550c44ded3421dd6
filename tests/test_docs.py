"""Every `sh` and `python` block of docs/*.md runs, in order, in a copy of this repository.

The copy sits next to a stand-in `orchestrator-docker` checkout; PostgreSQL (PGHOST, PGPORT,
PGUSER) and the Grafana API double (GRAFANA_URL, GRAFANA_TOKEN) are real servers on loopback.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tsedash.processes import ProcessGroup

from .conftest import ROOT
from .grafana_double import ADMIN_TOKEN, GrafanaDouble
from .services import start_postgres

DOCS = ROOT / "docs"
BLOCK = re.compile(r"^```(sh|python)\n(.*?)^```", re.MULTILINE | re.DOTALL)
IGNORE = shutil.ignore_patterns(
    ".git",
    ".venv",
    "preview",
    "__pycache__",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    "*.egg-info",
    "backups",
)


def blocks(doc: Path) -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in BLOCK.finditer(doc.read_text())]


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, str]]:
    workdir = Path(tempfile.mkdtemp(prefix="tsedash-docs-"))
    os.chmod(workdir, 0o755)
    group = ProcessGroup(workdir)
    try:
        host, port = start_postgres(group).split(":")
        with GrafanaDouble() as grafana:
            yield {
                "PGHOST": host,
                "PGPORT": port,
                "PGUSER": "postgres",
                "PGDATABASE": "postgres",
                "GRAFANA_URL": grafana.url,
                "GRAFANA_TOKEN": ADMIN_TOKEN,
            }
    finally:
        group.stop_all()
        shutil.rmtree(workdir, ignore_errors=True)


def test_every_guide_has_runnable_blocks() -> None:
    for doc in sorted(DOCS.glob("*.md")):
        if doc.name != "README.md":
            assert blocks(doc), f"{doc.name} has no sh/python block"


@pytest.mark.parametrize(
    "name",
    [
        "architecture.md",
        "cli.md",
        "dashboards.md",
        "multi-instance.md",
        "python-services.md",
        "registry.md",
        "runbooks.md",
        "scaling.md",
        "troubleshooting.md",
    ],
)
def test_guide_commands_run(name: str, servers: dict[str, str], tmp_path: Path) -> None:
    repo = tmp_path / "tsedash"
    shutil.copytree(ROOT, repo, ignore=IGNORE)
    (tmp_path / "orchestrator-docker").mkdir()
    # The orchestrator's compose file (our fixture of its structure): new instances copy its
    # services (docs/multi-instance.md).
    shutil.copy(
        ROOT / "tests" / "fixtures" / "orchestrator" / "docker-compose.yml",
        tmp_path / "orchestrator-docker" / "docker-compose.yml",
    )
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, **servers, "PATH": f"{bin_dir}:{os.environ.get('PATH', '')}"}
    env.pop("TSEDASH_REGISTRY", None)
    outputs = []
    for kind, code in blocks(DOCS / name):
        args = ["bash", "-eu", "-c", code] if kind == "sh" else [sys.executable, "-c", code]
        res = subprocess.run(
            args, cwd=repo, env=env, capture_output=True, text=True, timeout=120, check=False
        )
        assert res.returncode == 0, (
            f"{name} {kind} block failed:\n{code}\n--- stdout\n{res.stdout}\n--- stderr\n{res.stderr}"
        )
        outputs.append(res.stdout)
    text = "\n".join(outputs)
    if name == "multi-instance.md":
        assert "exchange-coinbase        exchange-simulator" in text  # registry show
        assert "exchange-coinbase exchange-coinbase:8080 yaml,compose:deploy/" in text
        assert "SCHEMA_NAME=exchange_coinbase" in text  # the service step 2 writes
        assert "trading-ecosystem-exchange-coinbase {'trading-ecosystem': {'ipv4_address'" in text
        assert re.search(
            r'"schema" ?: "exchange_coinbase", "instance" ?: "exchange-coinbase"', text
        )  # health_check()
        assert "would-create" in text and "2 created" in text and "tse-devops-docker: equal" in text
        assert (
            tmp_path / "orchestrator-docker" / "volumes" / "exchange-coinbase" / "data"
        ).is_dir()
    if name == "architecture.md":
        assert text.strip().endswith("[]")  # no SDK, no content, no redis loaded
    if name == "cli.md":
        assert "0 written, 4 unchanged" in text and "_tsedash_completion()" in text
    if name == "python-services.md":
        assert "refuse to start" in text  # the upper-case name, printed
        assert "('trading_engine_lh', 'trading-engine-py')" in text
