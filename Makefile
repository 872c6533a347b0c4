# Every target bootstraps .venv from requirements.lock (pinned, resolved with uv) on first use.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PROJECT_ROOT := $(CURDIR)
export AIRFLOW_HOME := $(CURDIR)/var/airflow
export AIRFLOW__CORE__DAGS_FOLDER := $(CURDIR)/dags
export AIRFLOW__CORE__PLUGINS_FOLDER := $(CURDIR)/plugins
export AIRFLOW__CORE__LOAD_EXAMPLES := False
export AIRFLOW__CORE__DEFAULT_TIMEZONE := Asia/Shanghai
export PYTHONPATH := $(CURDIR)/include:$(CURDIR)

.PHONY: setup system-deps demo test chaos lint docs docs-serve bench airflow clean

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv==0.13.9
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $(STAMP)

setup: $(STAMP)

# Debian packages the browser test needs (headless Chromium + CJK fonts); installed when missing and root.
system-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi 'cjk\|wenquanyi'; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing chromium and CJK fonts (apt-get)"; \
	    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	  else echo "chromium/CJK fonts missing and not root: browser tests will skip locally (they fail under CI=true)"; fi; \
	fi

demo: $(STAMP)
	$(BIN)/python -m cc_warehouse.demo

test: $(STAMP) system-deps
	$(BIN)/python -m pytest

# Fault-injection campaign (not part of `make test`): kill -9 at each named point then rerun, compared with a
# clean run by content; stand-in faults at rates the demo never uses; a 10-day-late load through dbt.
chaos: $(STAMP)
	$(BIN)/python -m pytest -m chaos
	$(BIN)/python -m tests.chaos.campaign

lint: $(STAMP)
	$(BIN)/ruff check include dags plugins tests

docs: $(STAMP)
	@VAR=$${CCWH_VAR_DIR:-$(CURDIR)/var}; \
	CCWH_BUILD_DB=$$VAR/build/warehouse_build.duckdb CCWH_RAW_DB=$$VAR/restricted/raw.duckdb \
	  $(BIN)/dbt docs generate --project-dir dbt_project --profiles-dir dbt_project \
	    --target-path $$VAR/reports/dbt_docs --log-path $$VAR/dbt/logs && \
	echo "dbt docs site: $$VAR/reports/dbt_docs/index.html  (serve it: make docs-serve)"

docs-serve: $(STAMP)
	$(BIN)/python -m http.server 8081 --directory $${CCWH_VAR_DIR:-$(CURDIR)/var}/reports/dbt_docs

# Slow benchmark, not part of `make test`: the generator at ~1.4 million rows (300k customers × 30 days).
bench: $(STAMP)
	rm -rf $${CCWH_VAR_DIR:-$(CURDIR)/var}/bench
	time $(BIN)/python -m cc_warehouse.datagen --out $${CCWH_VAR_DIR:-$(CURDIR)/var}/bench --seed 7 --days 30 \
	  --end-date 2026-11-15 --customers 300000

airflow: $(STAMP)
	$(BIN)/python -m cc_warehouse.demo ui

clean:
	rm -rf var dbt_project/target dbt_project/logs
