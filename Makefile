# The two commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
LEADS ?= 15000
# make bench SIZE=quick (CI-sized) or SIZE=full (the sizes of benchmarks/README.md)
SIZE ?= quick

.PHONY: demo test lint typecheck pytest bench clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/revloop demo --port $(PORT) --leads $(LEADS)

test: lint typecheck pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

# pytest exits 5 when it collects nothing; that is a failure of the suite here too.
pytest: $(VENV)/.installed-dev
	$(BIN)/pytest $(PYTEST_ARGS)

bench: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/run.py --size $(SIZE) $(if $(DATABASE_URL),--database-url $(DATABASE_URL))

clean:
	rm -rf $(VENV) .revloop .pytest_cache .mypy_cache .ruff_cache
