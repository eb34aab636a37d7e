# The two commands of the README: `make run` and `make test`. Everything else is set-up they need.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
PORT ?= 3000
export REFLEX_USE_NPM := 1
export PATH := $(BIN):$(PATH)

.PHONY: run test lint install browser axe migrate seed jobs cluster cluster-down cluster-status

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed

## make run: migrate, load the demo world on an empty database, start the scheduler and serve on $(PORT).
run: install
	PORT=$(PORT) bash scripts/run.sh

## make cluster: PostgreSQL + Redis of this machine, CLUSTER_WORKERS (2) web workers and one scheduler behind nginx
## on CLUSTER_PORT (8080); scripts/cluster.sh down|status (make cluster-down, cluster-status). README § 集群部署.
cluster: install
	bash scripts/cluster.sh up

cluster-down:
	bash scripts/cluster.sh down

cluster-status:
	bash scripts/cluster.sh status

## make test: everything the suite needs (venv, Debian chromium + CJK fonts, axe-core), then the whole suite.
test: install browser axe
	bash scripts/test.sh

## make lint: ruff (lint + format check) and the structure bounds of tests/test_structure.py; `make test` runs both too.
lint: install
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/python -m pytest -q tests/test_structure.py

browser:
	@bash scripts/ensure_browser.sh

axe: install
	@bash scripts/ensure_axe.sh

migrate: install
	$(BIN)/python -m portal.cli migrate

seed: install
	$(BIN)/python -m portal.cli seed-demo

jobs: install
	$(BIN)/python -m portal.jobs
