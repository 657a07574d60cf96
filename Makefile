# Canlian: `make demo` sets up and starts the system with synthetic data; `make test` runs the tests.
SHELL := /bin/bash
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_PERSONS ?= 96118

.PHONY: setup demo test lint check-all serve assets messages clean

$(BIN)/canlian: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/canlian

assets:
	bash scripts/build-assets.sh --with-axe

messages: $(BIN)/canlian
	cd canlian && ../$(BIN)/canlian compilemessages --verbosity 0

setup: $(BIN)/canlian assets messages

demo: setup
	mkdir -p var
	$(BIN)/canlian create-keys
	$(BIN)/canlian migrate --verbosity 0
	$(BIN)/canlian demo --persons $(DEMO_PERSONS) --if-empty
	$(BIN)/canlian collectstatic --noinput --verbosity 0
	@echo "Canlian: http://$(HOST):$(PORT)/"
	$(BIN)/canlian worker --no-reload & trap "kill $$! 2>/dev/null" EXIT; $(BIN)/canlian runserver $(HOST):$(PORT)

test: setup
	$(BIN)/pytest

lint: $(BIN)/canlian
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy canlian config

clean:
	rm -rf $(VENV) node_modules canlian/static/build canlian/static/govuk staticfiles
