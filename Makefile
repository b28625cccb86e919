# Two commands on a fresh machine with Python 3.11 and make: `make demo`, `make test`.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
OUT ?= out
CHILDREN ?=
SYNTH_ARGS := $(if $(CHILDREN),--children $(CHILDREN),)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help install demo pipeline test test-fast lint typecheck unit bench clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(STAMP): pyproject.toml constraints.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[dev,spark]'
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install the pinned dependencies

demo: pipeline  ## the pipeline, then serve the pages and API until stopped (Ctrl-C)
	@echo
	@echo "Serving on http://$(HOST):$(PORT)/ui/ (API docs: http://$(HOST):$(PORT)/docs)"
	EARLYHELP_DATA_DIR=$(OUT) $(BIN)/earlyhelp users demo
	EARLYHELP_DATA_DIR=$(OUT) $(BIN)/earlyhelp serve --host $(HOST) --port $(PORT)

pipeline: install  ## the whole pipeline on the embedded default world (synth ... promote, audit, score the latest month)
	$(BIN)/earlyhelp synth --out $(OUT)/world $(SYNTH_ARGS)
	$(BIN)/earlyhelp ingest $(OUT)/world/raw --data-dir $(OUT)
	$(BIN)/earlyhelp link --data-dir $(OUT) --truth $(OUT)/world/truth
	$(BIN)/earlyhelp features --data-dir $(OUT)
	$(BIN)/earlyhelp train --data-dir $(OUT) --truth $(OUT)/world/truth
	$(BIN)/earlyhelp promote --data-dir $(OUT) --approved-by "make demo" || \
		echo "The gate refused the challenger (its reasons are above and in the MLflow run)."
	$(BIN)/earlyhelp audit --scores $(OUT)/reports/test_children.parquet --label custody_12m \
		--score model_flagged --threshold 1 --group sex --group ethnicity_group \
		--group disability --group age_band --outcome "a custodial sentence within 12 months" \
		--out $(OUT)/audit
	EARLYHELP_DATA_DIR=$(OUT) $(BIN)/earlyhelp score --warehouse $(OUT)/warehouse.duckdb
	@echo
	@echo "Outputs:"
	@echo "  raw extracts       $(OUT)/world/raw"
	@echo "  truth (tests only) $(OUT)/world/truth"
	@echo "  warehouse          $(OUT)/warehouse.duckdb"
	@echo "  step reports       $(OUT)/world/reports, $(OUT)/reports"
	@echo "  fairness audit     $(OUT)/audit/audit.html (children the model flagged in the test year)"
	@echo "  MLflow             $(BIN)/mlflow ui --backend-store-uri sqlite:///$(OUT)/mlflow.db"
	@echo "  alerts store       $(OUT)/serving.db (earlyhelp serve, or make demo, shows them)"

lint: install  ## ruff
	$(BIN)/ruff check .

typecheck: install  ## mypy on the packages
	$(BIN)/mypy

unit: install  ## pytest
	$(BIN)/pytest

test-fast: install  ## lint and the tests that build no whole world (under a minute): for the edit-test loop
	$(BIN)/ruff check .
	$(BIN)/pytest -m "not slow and not spark"

test: lint typecheck unit  ## lint, types and tests (what CI runs)

bench: install  ## speed and memory benchmarks, JSON results in bench/results/
	$(BIN)/python -m bench.run

clean:  ## remove generated outputs (keeps .venv)
	rm -rf $(OUT) .pytest_cache .mypy_cache .ruff_cache
