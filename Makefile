# Two commands do everything on a fresh machine with Python 3.10+:
#   make lab    install into .venv, register the kernel, open JupyterLab on notebooks/
#   make test   same install, then every test (unit, notebooks, browser)
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
KERNEL_NAME := optimization-course
PYTEST_WORKERS ?= 2

.PHONY: lab test install kernel lint benchmark clean help html

help:
	@echo "make lab        install (if needed) and open JupyterLab on the course"
	@echo "make test       install (if needed) and run the whole test-suite"
	@echo "make benchmark  print the speed figures of benchmarks/"
	@echo "make html       build the offline HTML edition (pages and slides) into site/"
	@echo "make clean      remove the virtual environment"

# The install is skipped when pyproject.toml has not changed since the last one.
$(STAMP): pyproject.toml lab-settings/overrides.json
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 10), "Python 3.10 or newer is needed, found " + sys.version.split()[0]' \
	  || { echo "error: $(PYTHON) is older than 3.10; run: make PYTHON=python3.11 ..."; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[lab,test]"
	@# the course's JupyterLab defaults (e.g. what jupyterlab-deck needs) for this environment
	@mkdir -p $(VENV)/share/jupyter/lab/settings
	@cp lab-settings/overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	@touch $(STAMP)

install: $(STAMP)

kernel: install
	$(PY) -m ipykernel install --user --name $(KERNEL_NAME) --display-name "Python (optimization course)" >/dev/null
	@echo "registered the Jupyter kernel '$(KERNEL_NAME)'"

# `make lab` options: LAB_PORT=8890 (default 8888, or a free port if that one is taken),
# LAB_IP=0.0.0.0 (listen on every interface, e.g. in a container), LAB_BROWSER=yes|no|auto
# (auto: only where there is a desktop), LAB_ARGS="--LabApp.foo=..." (more JupyterLab options).
# tools/lab_server.py builds the command line (--allow-root only for root), prints the URL to
# open and stops the server, kernels included, on Ctrl-C.
LAB_PORT ?= $(PORT)
LAB_IP ?= 127.0.0.1
LAB_BROWSER ?= auto
LAB_ARGS ?=

LAB_SERVER_ARGS = --ip $(LAB_IP) --browser $(LAB_BROWSER) $(if $(LAB_PORT),--port $(LAB_PORT)) \
  $(if $(LAB_ARGS),-- $(LAB_ARGS))

lab: kernel
	$(PY) tools/lab_server.py notebooks $(strip $(LAB_SERVER_ARGS))

lint: install
	$(VENV)/bin/ruff check course_utils tests benchmarks notebooks tools

# --dist loadfile keeps each notebook's cells in one worker, in order.
test: install lint
	COURSE_FAST=1 MPLBACKEND=Agg $(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile \
	  --nbval-lax --nbval-current-env tests notebooks
	@test -x "$${CHROMIUM:-/usr/bin/chromium}" || echo "NOTE: the browser tests (tests/browser)\
	 were SKIPPED: no Chromium at $${CHROMIUM:-/usr/bin/chromium} (apt-get install chromium)."

# The offline edition: executed notebooks and reveal.js slides with local JavaScript (npm ci).
html: install
	$(PY) tools/build_html.py --out site

benchmark: install
	@for script in benchmarks/*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

clean:
	rm -rf $(VENV)
