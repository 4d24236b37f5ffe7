# Quick start: `make run` (the bot, web and worker) and `make test` (lint, types, tests, eval).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)
CORPUS ?= ../shared/corpus/public.jsonl
# `make run PORT=8123` serves the bot on that port.
PORT ?= 8000

.PHONY: run test lint install lock clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

# A fresh resolve of pyproject.toml's ranges, in a throwaway virtualenv, written to constraints.txt.
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet -e ".[dev]"
	{ sed -n '1,2p' constraints.txt; .venv-lock/bin/python -m pip freeze --exclude-editable; } > constraints.new
	mv constraints.new constraints.txt && rm -rf .venv-lock

run: $(STAMP)
	$(BIN)/scamline run --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	$(BIN)/pytest
	SCAMLINE_TEST_DB=sqlite $(BIN)/pytest -m storage -q
	$(BIN)/scamline eval --no-cv
	if [ -f "$(CORPUS)" ]; then $(BIN)/scamline eval "$(CORPUS)"; fi

clean:
	rm -rf $(VENV) var/*.db var/redis
