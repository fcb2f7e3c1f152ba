# The README's two commands: `make run` and `make test`. Both are safe to run again.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501

.PHONY: run test install install-dev kernels db demo lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Re-install only when pyproject.toml changed (the stamp files record the last install).
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Compile the numba matching kernels before the server starts (about a minute after a
# fresh clone, a few seconds once numba's cache holds them): compiling holds Python's
# lock, so inside the app it stalled the first sign-in page of a new clone.
kernels: install
	$(BIN)/python -m mobility.matching.warm

## Compile the kernels, build the embedded database from data/ (only when it does not exist
## yet) and start the app.
run: kernels
	$(BIN)/mobility init-db --if-missing
	$(BIN)/streamlit run app.py --server.port $(PORT) --server.headless true --browser.gatherUsageStats false

## Install the dev extras, lint, and run the whole test suite.
test: install-dev kernels
	$(BIN)/ruff check src tests benchmarks tools app.py
	$(BIN)/python -m pytest -n 2 --dist loadgroup

lint: install-dev
	$(BIN)/ruff check src tests benchmarks tools app.py

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info src/*.egg-info
