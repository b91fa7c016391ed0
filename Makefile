# yekuo: the two commands are `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test setup assets lint format bench bench-lifecycle clean

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "yekuo needs Python 3.11 or newer; set PYTHON=python3.11")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP) assets

# Front-end assets come from npm at set-up and are served by yekuo itself (no CDN: intranets are
# air-gapped). node_modules/.package-lock.json is rewritten by every `npm ci`, so it tells whether
# node_modules matches package-lock.json; the vendor copies are generated and not committed.
VENDOR := yekuo/web/static/vendor
VENDOR_FILES := node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.min.css.map \
	node_modules/bootstrap/dist/js/bootstrap.bundle.min.js node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map \
	node_modules/echarts/dist/echarts.min.js

node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null || { echo "yekuo needs Node.js and npm to install its web assets" >&2; exit 1; }
	npm ci --no-audit --no-fund
	touch $@

# Noto Sans SC (OFL) for the PDFs yekuo renders itself (the commitment letter): the simplified-Chinese and Latin
# subsets of fontsource, regular and bold, so that no system font is assumed.
FONT_DIR := node_modules/@fontsource/noto-sans-sc/files
FONT_FILES := $(foreach w,400 700,$(FONT_DIR)/noto-sans-sc-chinese-simplified-$(w)-normal.woff2 \
	$(FONT_DIR)/noto-sans-sc-latin-$(w)-normal.woff2) node_modules/@fontsource/noto-sans-sc/LICENSE

$(VENDOR)/.copied: node_modules/.package-lock.json
	mkdir -p $(VENDOR) $(VENDOR)/fonts
	cp $(VENDOR_FILES) $(VENDOR)/
	cp $(FONT_FILES) $(VENDOR)/fonts/
	touch $@

assets: $(VENDOR)/.copied

# Set up, migrate, load the calendar, the regulations and the demo, and serve at http://127.0.0.1:$(PORT), with the
# partner services' simulators (docs/partners.md).
run: setup
	$(BIN)/yekuo migrate --noinput
	$(BIN)/yekuo calendar seed
	$(BIN)/yekuo regulations load-bundled
	$(BIN)/yekuo approvals load-bundled
	$(BIN)/yekuo assessment load-bundled
	$(BIN)/yekuo demo
	$(BIN)/yekuo outbox seed
	$(BIN)/yekuo collectstatic --noinput -v0
	YEKUO_SITE_URL="$${YEKUO_SITE_URL:-http://127.0.0.1:$(PORT)}" YEKUO_SIMULATORS=1 $(BIN)/yekuo serve --port $(PORT)

# The whole suite, slow tests included, on SQLite by default; set DATABASE_URL=postgresql://… to run it on
# PostgreSQL. For a quick run without the tests that start servers or subprocesses: .venv/bin/pytest -m "not slow".
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

bench-lifecycle: setup
	$(BIN)/python bench/lifecycle.py

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .hypothesis node_modules $(VENDOR)
