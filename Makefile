# The two commands of the README: `make serve` and `make test`. Both install what they need.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
STAMP := $(VENV)/.installed

# Redocly CLI, pinned: a new release may add rules. From the npm registry through npx (node and
# npm needed); it reads redocly.yaml.
REDOCLY ?= npx --yes @redocly/cli@2.77.0

.PHONY: install serve test test-browser chromium lint lint-openapi openapi bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Serve the API on SQLite (./icat.db), migrated and seeded with the real ICAT data.
serve: $(STAMP)
	$(BIN)/icat-api serve --host $(HOST) --port $(PORT)

## The whole test suite (SQLite; set ICAT_TEST_DATABASE_URL for PostgreSQL).
test: $(STAMP)
	$(BIN)/pytest -n 2

## The pages read in headless Chromium (tests/test_browser.py, marked `browser`; `make test`
## leaves them out, .ci/run runs them once).
test-browser: $(STAMP) chromium
	$(BIN)/pytest -m browser

## Debian's chromium and its chromedriver, installed when missing (root, as CI runs).
chromium:
	command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; }

## ruff, mypy (strict) and the committed OpenAPI document.
lint: $(STAMP)
	$(BIN)/ruff check src tests migrations examples bench
	$(BIN)/ruff format --check src tests migrations examples bench
	$(BIN)/mypy
	$(BIN)/icat-api openapi export --check

## The benchmark: the service against a bare FastAPI app, and at 100x the data; needs wrk and
## hey (Debian: apt-get install wrk hey). BENCH_ARGS="--scale 0 --seconds 5" for a short run.
bench: $(STAMP)
	command -v wrk >/dev/null && command -v hey >/dev/null || \
	  { apt-get update -qq && apt-get install -y -qq wrk hey; }
	$(BIN)/python -m bench.run $(BENCH_ARGS)

openapi: $(STAMP)
	$(BIN)/icat-api openapi export

## The committed OpenAPI document against Redocly's recommended rules (redocly.yaml).
lint-openapi:
	$(REDOCLY) lint openapi/openapi.json

clean:
	rm -rf $(VENV) icat.db icat.db-wal icat.db-shm
