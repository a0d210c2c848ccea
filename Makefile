# stepgrad: `make demo` sets up and works the classic example; `make test` sets up and runs every test.
# Both create .venv and install what they need from scratch (Debian packages too, when run as root).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Two stamps: `make demo` needs only the package and its runtime dependencies; `make test` adds
# the optional extras, torch and the test tools. Either order works, and neither redoes the other.
CORE_STAMP := $(VENV)/.stepgrad-core
STAMP := $(VENV)/.stepgrad-installed
# torch is pinned: 2.13.0 (CPU) is the build this machine has on disk; any other downloads gigabytes.
TORCH := torch==2.13.0
PYTEST_WORKERS ?= 2

.PHONY: demo test bench bench-quick bench-web lint typecheck system-deps clean docs docs-serve

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(CORE_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet $(TORCH)
	$(BIN)/python -m pip install --quiet -e '.[all,test]'
	touch $@

demo: $(CORE_STAMP)
	$(BIN)/stepgrad classic

# Chromium drives the browser tests; pdflatex (Debian's texlive-latex-base, nothing more) compiles
# the LaTeX derivation and the printable sheets; mutool (mupdf-tools) reads the PDFs back. Tests that
# need them fail when they are missing (tests/support/system.py).
system-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v pdflatex >/dev/null 2>&1 || ! command -v mutool >/dev/null 2>&1; then \
		if [ "$$(id -u)" = "0" ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium texlive-latex-base mupdf-tools >/dev/null; \
		else \
			echo "make test: chromium, pdflatex or mutool is missing; install them with: sudo apt-get install chromium texlive-latex-base mupdf-tools"; \
		fi; \
	fi

test: $(STAMP) system-deps
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) -q

# Benchmarks against PyTorch, scikit-learn, micrograd and pure Python; a full run writes its tables into
# docs/researcher/benchmarks.md (between the BENCH markers). bench-quick checks every task with small sizes; bench-web
# measures the live page (headless Chromium) and a soak of many sessions against one server.
bench: $(STAMP)
	$(BIN)/python -m benchmarks

bench-quick: $(STAMP)
	$(BIN)/python -m benchmarks --quick

bench-web: $(STAMP) system-deps
	$(BIN)/python -m benchmarks.web_updates
	$(BIN)/python -m benchmarks.web_soak

# The documentation site (docs/, mkdocs.yml): built strictly into site/ (a warning fails it); the reference,
# the classic example and its notebook (executed on a real kernel) are generated from the code at build time.
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

docs-serve: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve --strict --dev-addr 127.0.0.1:8000

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks docs
	$(BIN)/mypy

clean:
	rm -rf $(VENV) build dist site .pytest_cache .mypy_cache .ruff_cache test-artifacts
