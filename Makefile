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

# The main job on the bundled samples (corpus/samples: made by `python -m corpus.samples`): a batch
# audit writing kcjs-report/kcjs-report.{xlsx,html,json}. Some samples break the notice on purpose,
# so kcjs exits 1 there; the demo itself succeeds (exit 2, a command that could not run, fails it).
demo: setup
	$(BIN)/kcjs check corpus/samples/02-产业院士协同创新中心-申报书-目标不足.docx; test $$? -le 1
	$(BIN)/kcjs audit corpus/samples -o kcjs-report; test $$? -le 1

test: setup
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
