# yekuo: the two commands are `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test setup lint format bench clean

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "yekuo needs Python 3.11 or newer; set PYTHON=python3.11")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

# Set up, migrate, load the calendar and the regulations, and serve at http://127.0.0.1:$(PORT).
run: setup
	$(BIN)/yekuo migrate --noinput
	$(BIN)/yekuo calendar seed
	$(BIN)/yekuo regulations load-bundled
	$(BIN)/yekuo collectstatic --noinput -v0
	$(BIN)/yekuo serve --port $(PORT)

# The whole suite, on SQLite by default; set DATABASE_URL=postgresql://… to run it on PostgreSQL.
test: setup
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: setup
	$(BIN)/python bench/clock_engine.py

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .hypothesis
