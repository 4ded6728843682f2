# kcjs: `make demo` sets up and runs the main job on the bundled samples; `make test` runs the tests.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: setup demo test bench clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# The main job on the bundled samples (corpus/samples: made by `python -m corpus.samples`).
# Some samples break the notice on purpose, so kcjs exits 1 there; the demo itself succeeds.
demo: setup
	$(BIN)/kcjs rules 产业院士协同创新中心
	$(BIN)/kcjs check corpus/samples/*; test $$? -le 1

test: setup
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
