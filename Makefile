# The two commands a new user needs: `make run` and `make test`. Everything else is set up by them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501

.PHONY: run test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall when the project's dependencies change.
$(VENV)/.installed-app: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed-app

## make run: migrate the SQLite default under data/, seed the demo wijk on first start, serve on :8501
run: $(VENV)/.installed-app
	$(BIN)/kinderwijkraad run --port $(PORT)

## make test: lint, architecture contracts, and the whole test suite (PostgreSQL and browser tests included)
test: $(VENV)/.installed-test
	@scripts/ensure-test-tools.sh
	$(BIN)/ruff check kinderwijkraad tests bench streamlit_app.py
	$(BIN)/lint-imports
	$(BIN)/pytest

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts
