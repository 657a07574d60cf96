# Canlian: `make demo` sets up and starts the system with synthetic data; `make test` runs the tests.
SHELL := /bin/bash
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_PERSONS ?= 96118

.PHONY: setup demo test lint check-all serve assets messages clean debian lock

# Python packages come from the lock, each checked against its hashes; the project itself is
# installed without fetching anything (its build backend is in the lock too). `make lock`
# writes the lock again from pyproject.toml (docs/decisions/0023-locked-dependencies.md).
$(BIN)/canlian: pyproject.toml requirements/lock.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes --no-deps -r requirements/lock.txt
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $(BIN)/canlian

UV_VERSION := 0.13.10
lock:
	$(PYTHON) -m venv $(VENV)-lock
	$(VENV)-lock/bin/pip install --quiet uv==$(UV_VERSION)
	$(VENV)-lock/bin/uv pip compile pyproject.toml --extra dev --generate-hashes --universal \
	  --python-version 3.11 --quiet -o requirements/lock.txt

# Debian packages (gettext, Node.js, Chromium, CJK fonts): installed as root, or the one
# command to run is printed and setup stops.
debian:
	bash scripts/debian-packages.sh

assets: debian
	bash scripts/build-assets.sh --with-axe

# DEBUG=True only so that the settings load without a secret key: nothing is served.
messages: debian $(BIN)/canlian
	cd canlian && DEBUG=True ../$(BIN)/canlian compilemessages --verbosity 0

setup: debian $(BIN)/canlian assets messages

# The demo runs as production does (DEBUG off, static files served by WhiteNoise from what
# collectstatic gathered), with a secret key made for this run unless SECRET_KEY is set:
# after a restart everyone signs in again.
demo: export SECRET_KEY := $(or $(SECRET_KEY),$(shell $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))'))
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
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) $(VENV)-lock node_modules canlian/static/build canlian/static/govuk staticfiles
