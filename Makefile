# Two commands do everything: `make report` and `make test`. `make help` lists the targets.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
SEEDS  ?= seeds
OUT    ?=

.PHONY: help install report test lint format evaluate bench browser clean

help: ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'
	@echo "  make report SEEDS=/path/to/corpus OUT=/path/to/out   run the collection on your own corpus"

$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

install: $(STAMP) ## create .venv and install requirements.txt (only when needed)

report: $(STAMP) ## run every notebook top to bottom; write figures/ and reports/*.html
	$(PY) -m directives.report --seeds "$(SEEDS)" $(if $(OUT),--out "$(OUT)")

test: $(STAMP) ## run the whole test suite (it also executes every notebook)
	$(PY) -m pytest

lint: $(STAMP) ## ruff check and format check
	$(VENV)/bin/ruff check lib tests benchmarks notebooks
	$(VENV)/bin/ruff format --check lib tests benchmarks notebooks

format: $(STAMP) ## ruff format and fix
	$(VENV)/bin/ruff format lib tests benchmarks notebooks
	$(VENV)/bin/ruff check --fix lib tests benchmarks notebooks

evaluate: $(STAMP) ## accuracy of place, level and date read from the text, on the real corpora in ../shared/corpora
	$(PY) -m directives.evaluate

bench: $(STAMP) ## benchmark the pipeline and shared passages at growing corpus sizes (see benchmarks/README.md)
	$(PY) benchmarks/bench_pipeline.py
	$(PY) benchmarks/bench_passages.py
	$(PY) benchmarks/bench_real.py
	$(PY) benchmarks/bench_repair.py
	$(PY) benchmarks/bench_similarity.py
	$(PY) benchmarks/bench_echoes.py
	$(PY) benchmarks/bench_topics.py
	$(PY) benchmarks/bench_explore.py
	$(PY) benchmarks/bench_scale.py
	$(PY) benchmarks/bench_tables.py
	$(PY) benchmarks/bench_notebooks.py

browser: ## install Debian's chromium for the browser test, if missing (needs root and apt)
	command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

clean: ## remove generated reports and caches (not .venv)
	rm -rf reports .cache .pytest_cache
