# The two commands of README.md: `make demo` runs the pipeline on the sample
# broadcast, `make test` runs every check. Both set up what they need first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup demo test lint bench clean

setup: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt scripts/ensure-system-packages.sh
	bash scripts/ensure-system-packages.sh
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

demo: setup
	$(PY) -m capture_task demo

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy contracts capture_task sample_broadcast hooks

# pytest exits 5 when it collects no test; that is reported, not treated as a crash.
test: lint
	$(PY) -m pytest -q -p no:cacheprovider; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; rc=0; fi; exit $$rc

bench: setup
	$(PY) -m bench.capture

clean:
	rm -rf $(VENV) .cache cdk.out
