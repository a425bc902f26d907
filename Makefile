# 常熟市专精特新企业培育服务平台 — the two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SRDI := $(BIN)/srdi
HOST ?= 127.0.0.1
PORT ?= 8000
DEB_PACKAGES := chromium fonts-noto-cjk gettext libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 shared-mime-info openssl openjdk-17-jre-headless
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install install-system install-python run serve test test-sqlite test-postgres bench bench-spark lint format demo clean

## install: everything the project needs (Debian packages, Python packages in .venv, database, static files)
install: install-system install-python
	@mkdir -p var
	$(SRDI) migrate --noinput -v0
	$(SRDI) loadref
	$(SRDI) collectstatic --noinput -v0
	-$(SRDI) report --prepare-fonts  # PDF font subset, once per machine (without it PDFs use the system font)

install-system:
	@missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "安装 Debian 软件包:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

install-python: $(BIN)/srdi
$(BIN)/srdi: pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.lock
	$(BIN)/python -m pip install -q --no-deps -e .
	@touch $(BIN)/srdi

# `make run` serves the local demo as in production (DEBUG off: the platform's Chinese error pages,
# static files served by the app through whitenoise) but over plain HTTP on this machine.
RUN_ENV := SRDI_DEBUG=0 SRDI_HTTPS=0

## run: install, load the demo data on first start, serve on http://$(HOST):$(PORT)
run: install
	$(SRDI) demo --if-empty
	$(SRDI) policycatalogue --publish
	$(SRDI) alerts --refresh-pool
	$(SRDI) demo_users
	@echo "平台地址: http://$(HOST):$(PORT)/  (停止: Ctrl-C)"
	@trap 'kill $$(jobs -p) 2>/dev/null' EXIT; $(RUN_ENV) $(SRDI) run_huey -q >var/huey.log 2>&1 & \
	$(RUN_ENV) $(SRDI) runserver $(HOST):$(PORT) --noreload

## serve: production-style server (waitress) — set SRDI_SECRET_KEY, SRDI_ALLOWED_HOSTS, DATABASE_URL
serve: install
	$(SRDI) serve --host $(HOST) --port $(PORT)

## test: the whole suite (SQLite by default; DATABASE_URL=postgres://... for PostgreSQL)
test: install-system install-python
	$(BIN)/python -m pytest -n $${PYTEST_WORKERS:-2} $(PYTEST_ARGS)

test-sqlite: test

test-postgres:
	DATABASE_URL=$${PG_URL:-postgres://postgres@127.0.0.1:5432/test} $(MAKE) test

bench: install
	@for f in bench/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

## bench-spark: the Spark backend vs Polars on generated frames (SIZES=1000000,…; figures in bench/RESULTS-spark.md)
bench-spark: install
	$(BIN)/python bench/bench_spark.py --sizes $${SIZES:-1000000,2000000,5000000,10000000} --write

lint: install-python
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-python
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf var/static .pytest_cache .ruff_cache
