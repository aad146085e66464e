# Everything runs inside .venv, created and filled on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: generate test check lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

generate: $(STAMP)
	$(PY) -m generator

check: $(STAMP)
	$(PY) -m generator --check

test: $(STAMP)
	$(PY) -m pytest

lint: $(STAMP)
	$(PY) -m ruff check generator tests templates/runtime
	$(PY) -m mypy generator templates/runtime

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
