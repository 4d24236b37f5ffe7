# Quick start: `make run` (the bot, web and worker) and `make test` (lint, types, tests, eval).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)
CORPUS ?= ../shared/corpus/public.jsonl
# `make run PORT=8123` serves the bot on that port.
PORT ?= 8000

.PHONY: run test lint install lock clean messages

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

# The console's catalogues: extract its texts (babel.cfg), merge them into each language's .po
# (then translate the new entries there), and compile the .mo files the package ships.
messages: $(STAMP)
	mkdir -p var
	$(BIN)/pybabel -q extract -F babel.cfg -o var/messages.pot --add-location=file \
		--sort-by-file --project=Scamline --no-wrap .
	$(BIN)/pybabel -q update -i var/messages.pot -d bot/web/translations -D messages \
		--no-fuzzy-matching --ignore-obsolete -w 100
	$(BIN)/pybabel -q compile -d bot/web/translations -D messages

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
