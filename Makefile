# The two commands of the README do all set-up on a fresh machine:
#   make run   the product on SQLite with demo data, at http://127.0.0.1:8000
#   make test  the whole suite (DATABASE_URL=postgres://... to run it on PostgreSQL)
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export RECOUVRE_DATA_DIR ?= $(CURDIR)/var

.PHONY: run test lint check install system-deps assets messages clean bench

run: install
	$(BIN)/recouvre migrate
	$(BIN)/recouvre demo --if-empty
	@echo "Log in at http://127.0.0.1:8000 as demo@recouvre.fr / demo-recouvre-2026"
	$(BIN)/recouvre serve

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check src bench docs/screenshots
	$(BIN)/ruff format --check src bench docs/screenshots
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/recouvre manage makemigrations --check --dry-run

check: lint test

install: $(STAMP) assets messages

# Debian packages the product needs at run time: gettext compiles translations; Pango renders PDFs
# (WeasyPrint, with HarfBuzz subsetting for small, reproducible PDFs, and DejaVu fonts); Chromium drives the
# browser tests. Installed with apt only when missing.
system-deps:
	@missing=""; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	command -v node >/dev/null || missing="$$missing nodejs npm"; \
	ldconfig -p | grep -q libpangoft2-1.0 || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	ldconfig -p | grep -q libharfbuzz-subset || missing="$$missing libharfbuzz-subset0"; \
	fc-list | grep -qi dejavu || missing="$$missing fonts-dejavu-core"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:$$missing"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq $$missing; \
	fi

$(STAMP): pyproject.toml | system-deps
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

assets: node_modules/.package-lock.json

node_modules/.package-lock.json: package.json package-lock.json | system-deps
	npm ci --no-audit --no-fund --loglevel=error

# Compiled from the committed .po files; run from the package so that only its own catalogues are
# compiled (not those of the installed packages).
messages: $(STAMP)
	cd src/recouvre && ../../$(BIN)/recouvre manage compilemessages --verbosity 0

bench: install
	$(BIN)/python bench/import_invoices.py

clean:
	rm -rf $(VENV) node_modules var .pytest_cache .mypy_cache .ruff_cache
