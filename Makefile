# Everything runs inside .venv, created and filled on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: generate test check lint clean report bench fuzz doc-check

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test,bench]'
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e generated
	touch $(STAMP)

# Also installs generated/ into .venv in editable mode, so `import imagerelay` works there.
generate: $(STAMP)
	$(PY) -m generator
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e generated

check: $(STAMP)
	$(PY) -m generator --check

test: $(STAMP)
	$(PY) -m pytest

lint: $(STAMP)
	$(PY) -m ruff check --no-cache generator tests bench templates/runtime templates/docs/mkdocs_hooks.py generated
	$(PY) -m mypy generator templates/runtime
	cd generated && ../$(PY) -m mypy --strict --cache-dir=/dev/null imagerelay

# What the spec edits change for SDK users: `make report`, `make report SINCE=git:v1.2.0 MARKDOWN=1`.
report: $(STAMP)
	$(PY) -m generator report $(or $(SINCE),git:HEAD) $(if $(MARKDOWN),--markdown)

# Every spec against its vendor doc (provider.source_doc in specs/docs/): exit 1 on drift.
doc-check: $(STAMP)
	$(PY) -m generator doc-check --all

# Every benchmark, figures written to bench/RESULTS.md; `make bench QUICK=1` is the smoke run.
bench: $(STAMP)
	$(PY) -m bench $(if $(QUICK),--quick --output $(or $(OUTPUT),/tmp/relaygen-bench-smoke.md))

# Hostile specs (issue 12): COUNT mutants of the shipped specs from SEED through checker, generator,
# compile, import and calls; failing specs are kept under /tmp/relaygen-hostile with their evidence;
# then hostile specs and hostile vendor docs (doc-check) as property tests, EXAMPLES each.
# `make test` runs a fixed-seed slice of the same property tests.
fuzz: $(STAMP)
	$(PY) -m tests.hostile.run --count $(or $(COUNT),3000) --seed $(or $(SEED),1) --jobs 2
	RELAYGEN_HOSTILE_EXAMPLES=$(or $(EXAMPLES),400) $(PY) -m pytest -q tests/hostile/test_hostile_property.py tests/doccheck/test_hostile_docs.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
