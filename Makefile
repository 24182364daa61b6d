# ablation_sql: `make demo` and `make test` are all a fresh machine needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO := demo

.PHONY: help install test test-slow test-all test-browser browser-deps demo report bench lint clean \
	fixtures

# make report EXP=path [OUT=reports/<name>]: files under EXP (folders too, so added and removed
# trials count) are the database's prerequisites, the database is the page's.
EXP ?=
OUT ?= reports/$(notdir $(abspath $(EXP)))
ifneq ($(filter report,$(MAKECMDGOALS)),)
ifeq ($(EXP),)
$(error usage: make report EXP=path/to/experiment [OUT=reports/<name>])
endif
endif

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

install: $(STAMP) ## create .venv and install the package (editable) with dev extras

$(STAMP): pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

test: $(STAMP) ## run the tests but the slow and browser ones (pytest's default selection)
	$(BIN)/python -m pytest -q

# pytest exits 5 when it selects no test: a failure for `make test`, but only news for a
# marker's target (no test carries that marker now).
test-slow: $(STAMP) ## run the slow tests (subprocess suites, cluster, many-seed statistics)
	$(BIN)/python -m pytest -q -m slow || [ $$? -eq 5 ]

test-all: browser-deps $(STAMP) ## run every test in one go (slow and browser ones too)
	$(BIN)/python -m pytest -q -m ''

demo: $(STAMP) ## generate a synthetic experiment, ingest it, report it (HTML), show the best trials
	rm -rf $(DEMO)
	$(BIN)/python -m ablation_sql.synthetic $(DEMO)/experiment --trials 200 --epochs 15 \
		--algo random --seed 7 --running 3 --failed 4 --broken 3
	$(MAKE) --no-print-directory report EXP=$(DEMO)/experiment OUT=$(DEMO)/report
	$(BIN)/ablation-sql query top_trials --db $(DEMO)/report/ablation.duckdb \
		--param metric=val_accuracy --param k=10
	$(BIN)/ablation-sql effects --db $(DEMO)/report/ablation.duckdb --metric val_accuracy \
		--format markdown
	@echo "Report: file://$(abspath $(DEMO))/report/index.html"

report: $(OUT)/index.html ## EXP=path [OUT=...]: HTML report; re-ingests/redraws only what changed

$(OUT)/ablation.duckdb: $(if $(EXP),$(shell find $(EXP))) | $(STAMP)
	@mkdir -p $(OUT)
	$(BIN)/ablation-sql ingest $(EXP) --db $@
	@touch $@

$(OUT)/index.html: $(OUT)/ablation.duckdb
	$(BIN)/ablation-sql report $< --out $(OUT) --quiet
	@echo "Report: $(abspath $@)"

bench: $(STAMP) ## run the benchmarks (ingest, views, Results API; see benchmarks/)
	$(BIN)/python benchmarks/bench_ingest.py
	$(BIN)/python benchmarks/bench_results_api.py
	$(BIN)/python benchmarks/bench_views.py
	$(BIN)/python benchmarks/bench_plots.py

fixtures: $(STAMP) ## rewrite tests/fixtures/sources with Optuna, MLflow and Ray Tune (.[sources])
	$(BIN)/pip install --quiet -e '.[sources]'
	$(BIN)/python tests/fixtures/sources/make_optuna.py
	$(BIN)/python tests/fixtures/sources/make_mlflow.py
	$(BIN)/python tests/fixtures/sources/make_ray.py

test-browser: browser-deps $(STAMP) ## install Chromium (see browser-deps), run the browser tests
	$(BIN)/python -m pytest -q -m browser || [ $$? -eq 5 ]

browser-deps: ## install Debian's chromium and chromium-driver unless present (apt, as root)
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
		{ apt-get update -q && apt-get install -y -q chromium chromium-driver; }

lint: $(STAMP) ## ruff, the import contract (layers: arrows point down only) and mypy (pyproject.toml)
	$(BIN)/ruff check ablation_sql tests benchmarks
	$(BIN)/lint-imports
	$(BIN)/mypy

clean: ## remove the virtual environment and generated files
	rm -rf $(VENV) $(DEMO) reports .pytest_cache .ruff_cache .mypy_cache *.egg-info
