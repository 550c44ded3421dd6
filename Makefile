# tsedash — see README.md. Every target installs what it needs on a fresh clone.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
REGISTRY ?= instances.yaml
OUT ?= provisioning
# Debian programs the tests need (command:package); installed with apt-get when missing.
DEBIAN_PROGRAMS ?= prometheus:prometheus promtool:prometheus redis-server:redis-server \
	prometheus-redis-exporter:prometheus-redis-exporter \
	prometheus-postgres-exporter:prometheus-postgres-exporter \
	/usr/lib/postgresql/15/bin/initdb:postgresql chromium:chromium \
	victoria-metrics:victoria-metrics vmalert:victoria-metrics prometheus-alertmanager:prometheus-alertmanager
COVERAGE_FLOOR ?= 96

.PHONY: dashboards build validate lint preview demo test bench check-registry debian-programs clean distclean help

help:
	@echo "make dashboards  build the dashboards from $(REGISTRY) into $(OUT)/"
	@echo "make validate    check the dashboards in $(OUT)/ against Grafana's rules"
	@echo "make test        install test tools and Debian programs, run lint, types and tests"
	@echo "make preview     HTML and PNG previews of the dashboards in preview/ (headless Chromium)"
	@echo "make demo        the simulator and a real Prometheus on 127.0.0.1 (Ctrl-C stops)"
	@echo "make bench       scale and speed measurements"
	@echo "make clean       remove caches and build leftovers (keeps $(VENV))"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Re-install when the project's metadata changes.
$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -c constraints.txt -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	@touch $@ $(VENV)/.installed

# One process: build validates, lints (strict) before writing, then writes deploy/ too; when
# nothing changed since the last run it recognises that and only reports (--rebuild forces).
dashboards: $(VENV)/.installed
	$(BIN)/tsedash build --registry $(REGISTRY) --out $(OUT) --lint --strict --deploy deploy

validate: $(VENV)/.installed
	$(BIN)/tsedash validate --out $(OUT)

lint: $(VENV)/.installed
	$(BIN)/tsedash lint --registry $(REGISTRY) --out $(OUT) --strict

build: dashboards

check-registry: $(VENV)/.installed
	$(BIN)/tsedash registry check --registry $(REGISTRY)

debian-programs:
	@scripts/ensure-debian-programs.sh $(DEBIAN_PROGRAMS)

test: $(VENV)/.installed-test debian-programs
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest --cov --cov-report=term-missing:skip-covered \
		--cov-fail-under=$(COVERAGE_FLOOR) $(PYTEST_ARGS)

$(VENV)/.installed-bench: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[bench]'
	@touch $@ $(VENV)/.installed

preview: dashboards debian-programs
	$(BIN)/tsedash preview --dashboards $(OUT) --out preview
	cp preview/devops-docker-view.png preview/simulation-entity-view.png docs/img/
	$(BIN)/tsedash preview --data tests/fixtures/preview/demo-data.json --out preview/data
	cp preview/data/devops-docker-view.png docs/img/devops-docker-view-data.png

demo: $(VENV)/.installed debian-programs
	$(BIN)/tsedash demo --registry $(REGISTRY)

bench: $(VENV)/.installed-bench
	$(BIN)/python benchmarks/startup.py
	$(BIN)/python benchmarks/scale.py
	$(BIN)/python benchmarks/push.py
	$(BIN)/python benchmarks/rules.py
	$(BIN)/python benchmarks/processes.py
	$(BIN)/python benchmarks/load.py
	$(BIN)/python benchmarks/shards.py
	$(BIN)/python benchmarks/migrate.py
	$(BIN)/python benchmarks/preview.py

clean:
	rm -rf .pytest_cache .mypy_cache .ruff_cache .coverage htmlcov build *.egg-info
	find . -name __pycache__ -type d -not -path './$(VENV)/*' -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
