# release-mock: `make serve` and `make test` work from a clean clone with Python 3.11 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8080

CHROMIUM := /usr/bin/chromium

.PHONY: install serve test browser node contract bench fuzz lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

serve: $(STAMP)
	HOST=$(HOST) PORT=$(PORT) $(BIN)/release-mock serve

# The browser tests drive Debian's Chromium. Installed here only where it is missing and we are root;
# otherwise those tests say what is missing and skip (or fail, when CI=true).
browser:
	@if [ ! -x $(CHROMIUM) ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing chromium for the browser tests"; \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >/dev/null 2>&1 \
			|| echo "could not install chromium (apt-get failed); the browser tests will not run"; \
	fi

# The release-it tests run npm's release-it on Debian's node; the test installs release-it itself (into
# ~/.cache/release-mock/clients/). node and npm are installed here only where missing and we are root;
# otherwise those tests say what is missing and skip (or fail, when CI=true).
node:
	@if ! command -v npm >/dev/null && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing node and npm for the release-it tests"; \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm git; } >/dev/null 2>&1 \
			|| echo "could not install node and npm (apt-get failed); the release-it tests will not run"; \
	fi

# One test process per core, a file to a process; `make test PYTEST_ARGS=-n0` runs in one process.
PYTEST_ARGS ?= -n auto --dist loadfile
test: $(STAMP) browser node
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

contract: $(STAMP)
	$(BIN)/release-mock contract all

# Each server alone under wrk, a few rounds: a few minutes. Leave Prism or WireMock out with
# `make bench BENCH_ARGS="--skip prism --skip wiremock"`; `--help` lists the rest.
BENCH_ARGS ?=
bench: $(STAMP)
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# Not part of `make test`: over 100,000 requests, about an hour on a busy two-core machine.
FUZZ_EXAMPLES ?= 2500
fuzz: $(STAMP)
	nice -n 10 $(BIN)/python bench/fuzz.py --max-examples $(FUZZ_EXAMPLES)

lint: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	$(BIN)/ruff check mockserver contracts tests bench
	$(BIN)/mypy mockserver contracts

clean:
	rm -rf $(VENV) build *.egg-info .hypothesis
