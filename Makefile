# The two commands a new user needs: `make run` and `make test`. Everything else is set up by them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501

.PHONY: run test lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall when the project's dependencies change. Versions come from requirements.lock, the
# set the tests ran with and pip-audit checks.
$(VENV)/.installed-app: pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet -c requirements.lock -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet -c requirements.lock -e '.[test]'
	touch $@ $(VENV)/.installed-app

## make run: migrate the SQLite default under data/, seed the demo wijk on first start, serve on :8501
run: $(VENV)/.installed-app
	$(BIN)/kinderwijkraad run --port $(PORT)

## make test: lint, architecture contracts, known vulnerabilities, and the whole test suite (PostgreSQL and browser tests included)
test: $(VENV)/.installed-test
	@scripts/ensure-test-tools.sh
	$(BIN)/ruff check kinderwijkraad tests bench scripts streamlit_app.py
	$(BIN)/lint-imports
	$(BIN)/python scripts/audit_dependencies.py
	$(BIN)/pytest

## make lock: pin what the test environment holds now (after changing pyproject.toml)
lock: $(VENV)/.installed-test
	{ echo "# Exact versions make run / make test install (pip -c) and pip-audit checks. Refresh: make lock"; \
	  $(BIN)/pip freeze --exclude-editable; } > requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts
