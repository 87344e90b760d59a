# The two commands a new user needs: `make run` and `make test`. Everything else is set up by them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501

.PHONY: run test test-fast explore lock clean

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
	@scripts/ensure-speech.sh
	$(BIN)/kinderwijkraad run --port $(PORT)

## make test: lint, architecture contracts, types, known vulnerabilities, and the whole test suite (PostgreSQL and browser tests included)
test: $(VENV)/.installed-test
	@scripts/ensure-test-tools.sh
	$(BIN)/ruff check kinderwijkraad tests bench scripts streamlit_app.py
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/python scripts/audit_dependencies.py
	$(BIN)/pytest -n auto -m "not browser" --durations=10
	@# One browser test at a time: two at once on 2 cores starve each other's Streamlit runs and
	@# turn timing races into failures.
	$(BIN)/pytest -m browser --durations=15

## make test-fast: the inner loop, everything but the slow suites (browser, load, PostgreSQL); about 2 minutes on 2 cores
test-fast: $(VENV)/.installed-test
	$(BIN)/ruff check kinderwijkraad tests bench scripts streamlit_app.py
	KWR_TEST_FAST=1 $(BIN)/pytest -q -n auto -m "not slow and not browser and not postgres"

## make explore MINUTES=30: soak the random browser explorer over new seeds (tests/test_explorer.py)
MINUTES ?= 30
explore: $(VENV)/.installed-test
	@scripts/ensure-test-tools.sh
	KWR_EXPLORER_MINUTES=$(MINUTES) $(BIN)/pytest -s tests/test_explorer.py -k soak

## make lock: pin what the test environment holds now (after changing pyproject.toml)
lock: $(VENV)/.installed-test
	{ echo "# Exact versions make run / make test install (pip -c) and pip-audit checks. Refresh: make lock"; \
	  $(BIN)/pip freeze --exclude-editable; } > requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts
