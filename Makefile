# The two commands of README.md: `make demo` runs the pipeline on the sample
# broadcast, `make test` runs every check. Both set up what they need first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# checkov pins an older boto3 than ours, so it gets a venv of its own (see requirements-validators.txt).
VALIDATORS := .cache/validators
VALIDATORS_STAMP := $(VALIDATORS)/.installed
CDK := node_modules/.bin/cdk
CDK_VERSION := 2.1148.1
# jsii (under aws-cdk-lib) prints a banner for Node 20, which Debian ships; it works regardless.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20

.PHONY: setup demo test lint bench mutation clean lambda-layer

setup: $(STAMP) $(CDK)

$(STAMP): requirements.txt requirements-dev.txt scripts/ensure-system-packages.sh
	HIGHLIGHT_BOT_BROWSER=1 bash scripts/ensure-system-packages.sh
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

$(VALIDATORS_STAMP): requirements-validators.txt
	test -x $(VALIDATORS)/bin/python || $(PYTHON) -m venv $(VALIDATORS)
	$(VALIDATORS)/bin/python -m pip install --quiet --upgrade pip
	$(VALIDATORS)/bin/python -m pip install --quiet -r requirements-validators.txt
	touch $(VALIDATORS_STAMP)

# The CDK CLI (`cdk synth`, `cdk deploy`), pinned, installed into the repo's node_modules/.
$(CDK): scripts/ensure-system-packages.sh
	bash scripts/ensure-system-packages.sh
	npm install --no-save --no-package-lock --no-audit --no-fund --loglevel=error aws-cdk@$(CDK_VERSION)
	touch $(CDK)

# The Lambda dependencies layer (pip, for Lambda's Python and platform), cached in .cache/lambda-layer/ as
# `cdk synth` caches it: an install from PyPI, done here so that no test needs any network but loopback.
lambda-layer: setup
	$(PY) -c 'from pathlib import Path; from infra.constructs.bundling import LAMBDA_REQUIREMENTS, ensure_dependencies_installed; ensure_dependencies_installed(LAMBDA_REQUIREMENTS, Path(".cache"))'

demo: setup
	$(PY) -m local_pipeline

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy contracts lambda_runtime capture_task sample_broadcast local_pipeline functions hooks infra bench

# pytest exits 5 when it collects no test; that is reported, not treated as a crash.
# Test files run in parallel (one worker per core, at most 4; a file's tests stay on one worker, so a
# module's one pipeline run or synth is shared): the end-to-end runs are served at real time and mostly
# wait, so two workers on CI's 2 cores take about half the serial time. tests/conftest.py keeps together the
# files that share an expensive fixture (the infra synth) or must not overlap (the real-time runs), and orders
# the long ones first; --no-loadscope-reorder keeps that order (xdist would start the files with most tests first).
test: lint $(VALIDATORS_STAMP) lambda-layer
	$(PY) -m pytest -q -p no:cacheprovider --numprocesses=auto --maxprocesses=4 --dist=loadfile --no-loadscope-reorder; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; rc=0; fi; exit $$rc

bench: setup
	$(PY) -m bench.capture

# Mutation testing (cosmic-ray) of contracts, functions, hooks and the capture's state machine,
# each against the fast tests that cover it; too slow for `make test` (see bench/README.md).
# `make mutation PKG=state_machine` runs one package (contracts, state_machine, functions, hooks).
mutation: setup
	nice -n 15 $(PY) -m bench.mutation $(if $(PKG),--package $(PKG))

clean:
	rm -rf $(VENV) .cache cdk.out
