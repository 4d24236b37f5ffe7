# Quick start: `make run` (the bot, web and worker) and `make test` (lint, types, tests, eval).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
CORPUS ?= ../shared/corpus/public.jsonl

.PHONY: run test lint install clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

run: $(STAMP)
	$(BIN)/scamline run

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	$(BIN)/pytest
	SCAMLINE_TEST_DB=sqlite $(BIN)/pytest -m storage -q
	if [ -f "$(CORPUS)" ]; then $(BIN)/scamline eval "$(CORPUS)"; else echo "no corpus at $(CORPUS): eval skipped"; fi

clean:
	rm -rf $(VENV) var/*.db var/redis
