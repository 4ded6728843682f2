# kcjs: `make demo` sets up and runs the main job on the bundled samples; `make test` runs the tests.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: setup demo test bench lock wheel-smoke clean

setup: $(VENV)/.installed

# Installs from the ranges in pyproject.toml, pinned by requirements.lock (made by `make lock`), so a
# fresh machine next year reads documents with the same PyMuPDF and python-docx as today.
$(VENV)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[test]'
	touch $@

# Refresh the lock from pyproject.toml's ranges (needs the package index; commit the result).
lock: setup
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/python -m uv pip compile pyproject.toml --extra test --python-version 3.11 --quiet -o requirements.lock

# Build the wheel, install it in a clean venv and check a bundled sample with the installed kcjs.
WHEEL_VENV := build/wheel-venv
wheel-smoke: setup
	rm -rf dist $(WHEEL_VENV)
	mkdir -p build
	$(BIN)/python -m pip install --quiet build
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m build --wheel --outdir dist . > build/wheel.log 2>&1 || (cat build/wheel.log; exit 1)
	! grep -i "warning" build/wheel.log | grep -v "is neither a file nor a directory"
	$(PYTHON) -m venv $(WHEEL_VENV)
	$(WHEEL_VENV)/bin/python -m pip install --quiet -c requirements.lock dist/kcjs-*.whl
	ls $(WHEEL_VENV)/lib/python3*/site-packages | grep -v -e '\.dist-info$$' -e '^_' > build/site-packages.txt
	cd /tmp && $(CURDIR)/$(WHEEL_VENV)/bin/python -c "import kcjs.pipeline, pathlib, sys; print(pathlib.Path(kcjs.__file__).parent)" > $(CURDIR)/build/kcjs-path.txt
	cd /tmp && $(CURDIR)/$(WHEEL_VENV)/bin/kcjs check "$$(cat $(CURDIR)/build/kcjs-path.txt)/corpus/samples/01-学会联合体-申报书.docx"; test $$? -le 1

# The main job on the bundled samples (kcjs/corpus/samples: made by `python -m kcjs.corpus.samples`): a batch
# audit writing kcjs-report/kcjs-report.{xlsx,html,json}. Some samples break the notice on purpose,
# so kcjs exits 1 there; the demo itself succeeds (exit 2, a command that could not run, fails it).
demo: setup
	$(BIN)/kcjs check kcjs/corpus/samples/02-产业院士协同创新中心-申报书-目标不足.docx; test $$? -le 1
	$(BIN)/kcjs audit kcjs/corpus/samples -o kcjs-report; test $$? -le 1

test: setup
	$(BIN)/python -m pytest

bench: setup  # `make bench BENCH=--quick`: reading, checking and start-up only, in ~3 min
	$(BIN)/python bench/run.py $(BENCH)

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
