# ablation_sql: `make demo` and `make test` are all a fresh machine needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO := demo

.PHONY: help install test demo bench lint clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

install: $(STAMP) ## create .venv and install the package (editable) with dev extras

$(STAMP): pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

test: $(STAMP) ## run the test suite
	$(BIN)/python -m pytest -q

demo: $(STAMP) ## generate a synthetic experiment, ingest it, show the summary and best trials
	rm -rf $(DEMO)
	$(BIN)/python -m ablation_sql.synthetic $(DEMO)/experiment --trials 200 --epochs 15 \
		--algo random --seed 7 --running 3 --failed 4 --broken 3
	$(BIN)/ablation-sql ingest $(DEMO)/experiment --db $(DEMO)/demo.duckdb
	$(BIN)/ablation-sql query top_trials --db $(DEMO)/demo.duckdb --param metric=val_accuracy --param k=10

bench: $(STAMP) ## run the benchmarks (ingest, views, Results API; see benchmarks/)
	$(BIN)/python benchmarks/bench_ingest.py
	$(BIN)/python benchmarks/bench_results_api.py
	$(BIN)/python benchmarks/bench_views.py

lint: $(STAMP) ## ruff
	$(BIN)/ruff check ablation_sql tests benchmarks

clean: ## remove the virtual environment and generated files
	rm -rf $(VENV) $(DEMO) .pytest_cache .ruff_cache *.egg-info
