# The README's two commands: `make demo` and `make test`. Each installs what it needs.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
PYPROJECT_SUM := $(shell cat pyproject.toml clients/python/pyproject.toml | cksum | cut -d' ' -f1)
# `make demo` installs the runtime and an ASGI server; `make test` adds the dev tools.
DEMO_STAMP := $(VENV)/.demo-$(PYPROJECT_SUM)
STAMP := $(VENV)/.installed-$(PYPROJECT_SUM)
HOST ?= 127.0.0.1
PORT ?= 8000

# CI also runs the database tests on PostgreSQL and the suite on Python 3.12 with Django 6.
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/test
PYTHON_DJANGO6 ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3.12) python3.12)
VENV_DJANGO6 ?= .venv-django6

.PHONY: install install-demo demo test lint typecheck pytest format clean test-postgres test-django6 snapshots \
	explorer-screenshot test-ts protocol fuzz soak

$(BIN)/python:
	@echo "==> creating $(VENV) with $(PYTHON)"
	$(PYTHON) -m venv $(VENV)

$(DEMO_STAMP): pyproject.toml | $(BIN)/python
	@echo "==> installing typedws, Django, DRF, Channels and uvicorn into $(VENV)"
	@echo "    (the first run takes 13-40 s with a warm pip cache, a few minutes without)"
	$(BIN)/python -m pip install --disable-pip-version-check --progress-bar off \
		-e ".[server,filters]"
	touch $@

# typedws-client (clients/python) is not published: installed from the checkout first, it is
# what the `codegen` extra's `typedws-client>=0.1` resolves to.
$(STAMP): pyproject.toml clients/python/pyproject.toml | $(BIN)/python
	@echo "==> installing typedws with every dev tool (mypy, ruff, pytest, playwright, ...)"
	$(BIN)/python -m pip install --disable-pip-version-check --progress-bar off \
		-e ./clients/python -e ".[dev]"
	touch $(DEMO_STAMP) $@

install-demo: $(DEMO_STAMP)

install: $(STAMP)

demo: install-demo
	@echo "==> migrating the demo's SQLite database"
	cd example && ../$(BIN)/python manage.py migrate --noinput
	@echo "typedws demo: ws://$(HOST):$(PORT)/ws/  (HTTP API at http://$(HOST):$(PORT)/api/)"
	@echo "explorer: http://$(HOST):$(PORT)/typedws/explorer/"
	cd example && ../$(BIN)/uvicorn demo.asgi:application --host $(HOST) --port $(PORT) \
		--ws-ping-interval 20 --ws-ping-timeout 20

test: install lint typecheck test-ts pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

typecheck: install
	$(BIN)/mypy typedws codegen/typedws_codegen clients/python/typedws_client example tests

NODE_TEST_DEPS := tests/dcrf_client/node_modules/.package-lock.json \
	tests/asyncapi/node_modules/.package-lock.json

tests/%/node_modules/.package-lock.json: tests/%/package-lock.json
	npm ci --prefix tests/$* --no-audit --no-fund
	touch $@

# The TypeScript runtime client: its own devDependencies (typescript 5, ws), type check, tests.
TS_CLIENT_DEPS := clients/ts/node_modules/.package-lock.json

clients/ts/node_modules/.package-lock.json: clients/ts/package-lock.json
	npm ci --prefix clients/ts --no-audit --no-fund
	touch $@

test-ts: $(TS_CLIENT_DEPS)
	cd clients/ts && node_modules/.bin/prettier --check src test
	cd clients/ts && node_modules/.bin/tsc --noEmit -p tsconfig.json
	cd clients/ts && npm test

# pytest-xdist: one worker per core, each test file whole on one worker (so a module's server
# fixture starts once); `make pytest PYTEST_WORKERS=0` runs in this process.
PYTEST_WORKERS ?= auto
XDIST := -n $(PYTEST_WORKERS) --dist loadfile

pytest: install $(NODE_TEST_DEPS) $(TS_CLIENT_DEPS)
	$(BIN)/pytest $(XDIST) $(PYTEST_ARGS)

test-postgres: install $(NODE_TEST_DEPS) $(TS_CLIENT_DEPS)
	DATABASE_URL=$(POSTGRES_URL) $(BIN)/pytest $(XDIST) -m "not e2e" $(PYTEST_ARGS)

test-django6:
	$(MAKE) pytest PYTHON=$(PYTHON_DJANGO6) VENV=$(VENV_DJANGO6)

# The fuzz test's soak (docs/robustness.md): 100,000 frames drawn from the served AsyncAPI
# document, valid and mutated, over one socket (about 35 minutes here); `make test` sends 1,000.
FUZZ_FRAMES ?= 100000

fuzz: install
	TYPEDWS_FUZZ_FRAMES=$(FUZZ_FRAMES) $(BIN)/pytest tests/e2e/test_fuzz.py -q $(PYTEST_ARGS)

# The long version of the idle-socket test: a subscribed socket idle for 10 minutes on a
# RedisChannelLayer (its own redis-server) still gets the next event (docs/subscriptions.md).
soak: install
	TYPEDWS_IDLE_SECONDS=600 $(BIN)/pytest tests/e2e/test_quiet_and_slow.py -k idle -q

# Rewrite the committed AsyncAPI snapshots, then the clients generated from them, after a
# deliberate change; review the diff.
snapshots: install
	TYPEDWS_UPDATE_SNAPSHOTS=1 $(BIN)/pytest tests/test_contract.py -k snapshot -q
	TYPEDWS_UPDATE_SNAPSHOTS=1 $(BIN)/pytest tests/codegen/test_python.py \
		tests/codegen/test_typescript.py -k snapshot -q

# Rewrite the clients' mirrors of typedws/protocol.py (clients/ts/src/protocol.ts and
# clients/python/typedws_client/protocol.py) after changing it; tests/test_protocol_mirrors.py
# fails until they are current.
protocol: install
	$(BIN)/python -m typedws_codegen.protocol_mirror

# Retake docs/explorer.png in the headless Chromium after a change to the explorer's look.
explorer-screenshot: install
	TYPEDWS_UPDATE_SCREENSHOT=1 $(BIN)/pytest tests/explorer/test_browser.py -k laptop -q

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) $(VENV_DJANGO6) example/db.sqlite3 .mypy_cache .ruff_cache .pytest_cache
