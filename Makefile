# The README's two commands: `make demo` and `make test`. Each installs what it needs.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install demo test lint typecheck pytest format clean

$(STAMP): pyproject.toml
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

install: $(STAMP)

demo: install
	cd example && ../$(BIN)/python manage.py migrate --noinput
	@echo "typedws demo: ws://$(HOST):$(PORT)/ws/  (HTTP API at http://$(HOST):$(PORT)/api/)"
	cd example && ../$(BIN)/uvicorn demo.asgi:application --host $(HOST) --port $(PORT)

test: install lint typecheck pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy typedws example tests

pytest: install
	$(BIN)/pytest $(PYTEST_ARGS)

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) example/db.sqlite3 .mypy_cache .ruff_cache .pytest_cache
