# release-mock: `make serve` and `make test` work from a clean clone with Python 3.11 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8080

.PHONY: install serve test contract bench lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

serve: $(STAMP)
	HOST=$(HOST) PORT=$(PORT) $(BIN)/release-mock serve

test: $(STAMP)
	$(BIN)/python -m pytest -q

contract: $(STAMP)
	$(BIN)/release-mock contract all

bench: $(STAMP)
	$(BIN)/python bench/run.py

lint: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	$(BIN)/ruff check mockserver contracts tests bench
	$(BIN)/mypy mockserver contracts

clean:
	rm -rf $(VENV) build *.egg-info .hypothesis
