# Developer and CI entry points. `make test` is the whole gate (see tests/tools/gate.py).
PYTHON ?= python3
VENV := .venv
VENV_PYTHON := $(VENV)/bin/python
VENV_STAMP := $(VENV)/.requirements.stamp
GATE := $(VENV_PYTHON) tests/tools/gate.py

.PHONY: help venv browser install demo test sanity units lint fuzz mutation coverage-floor clean distclean

help:
	@echo "make venv      create .venv from requirements-dev.txt (again when the requirements change)"
	@echo "make install   build and install the collection into build/collections"
	@echo "make demo      audit the example snapshot hosts (playbooks/audit.yml); report in build/audit-report/"
	@echo "make test      the whole CI gate"
	@echo "make sanity    ansible-test sanity, validate-modules included"
	@echo "make units     unit tests and the checkers' self-tests"
	@echo "make lint      PowerShell static checks, ansible-lint, docs and changelog lint"
	@echo "make fuzz      the hypothesis property tests, random, FUZZ_SCALE (default 10) times their examples"
	@echo "make mutation  mutation testing of plugins/module_utils and plugins/plugin_utils; score per file"
	@echo "make coverage-floor  raise tests/coverage_floor.json to the last measured coverage (never lowers it)"
	@echo "make clean     remove build/ and test output; make distclean also removes .venv"

venv: $(VENV_STAMP)

$(VENV_STAMP): requirements.txt requirements-dev.txt
	@test -x $(VENV_PYTHON) || $(PYTHON) -m venv $(VENV)
	$(VENV_PYTHON) -m pip install --disable-pip-version-check --quiet -r requirements-dev.txt
	@touch $@

# The audit report's browser test needs Chromium: installed from the Debian package when it is
# missing and we are root (as in CI); otherwise that test is skipped outside CI.
browser:
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing chromium (Debian package) for the report's browser test"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi

install: venv
	$(GATE) install

demo: venv
	$(GATE) demo

test: venv browser
	$(GATE) test

sanity: venv
	$(GATE) sanity

units: venv browser
	$(GATE) units

lint: venv
	$(GATE) lint

fuzz: venv
	$(GATE) fuzz

mutation: venv
	$(VENV_PYTHON) tests/tools/mutation.py

coverage-floor: venv
	$(GATE) coverage-floor

clean:
	rm -rf build tests/output .pytest_cache .hypothesis

distclean: clean
	rm -rf $(VENV)
