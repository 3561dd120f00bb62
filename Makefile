# Everything a fresh machine needs: `make demo` runs the demo, `make test` the tests.
# Both create the virtual environment in .venv and install lutlearn into it first.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=
.DEFAULT_GOAL := install

# The Debian tools for the circuit tests (gcc, iverilog, berkeley-abc, yosys, nextpnr-ice40), when missing.
tools:
	@scripts/install-debian-tools.sh

.PHONY: demo test install clean tools bench bench-quick

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/lutlearn demo

# The import contract (layers, no cycles) and the linter, then the tests.
test: $(STAMP) tools
	$(VENV)/bin/lint-imports
	$(VENV)/bin/ruff check
	$(PY) -m pytest -n 2 $(PYTEST_ARGS)

bench: $(STAMP)
	$(PY) benchmarks/bench_fit_predict.py $(BENCH_ARGS)

bench-quick: $(STAMP)
	$(PY) benchmarks/bench_fit_predict.py --quick $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
