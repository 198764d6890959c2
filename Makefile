# pm-oauth: `make run` serves a demo workspace on SQLite, `make test` runs the suite.
# Debian's CPython 3.11 when the machine has it: it is built with profile-guided optimisation and LTO,
# as production's (docker/Dockerfile: python:3.11-slim) is, and runs this code ~10% faster than a
# plain source build such as pyenv's (bench/results/ has the figures). Any python3 otherwise.
PYTHON ?= $(firstword $(wildcard /usr/bin/python3.11) python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8080
DEMO_WORKSPACE ?= workflow

.PHONY: run test test-slow test-all fuzz bench bench-ab bench-servers bench-scale bench-purge bench-memory bench-import bench-churn lint configuration-docs install-run install-test clean admin

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# What running needs (make run, make admin), and on top of it what the tests, lint and benchmarks need.
$(VENV)/.installed-run: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed-run

install-run:
	@scripts/system-packages.sh run

install-test:
	@scripts/system-packages.sh test

var/secret_key:
	@mkdir -p var && chmod 700 var
	@umask 077 && $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@

var/encryption_key:
	@mkdir -p var && chmod 700 var
	@umask 077 && $(PYTHON) -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())' > $@

var/admin_password:
	@mkdir -p var && chmod 700 var
	@umask 077 && $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(12))' > $@

# The demo: scripts/run-demo prints the URLs and the login before the migration log and again once
# the server answers; one Ctrl-C stops all of it.
run: install-run $(VENV)/.installed-run var/secret_key var/encryption_key var/admin_password
	@PATH="$(CURDIR)/$(BIN):$$PATH" HOST=$(HOST) PORT=$(PORT) DEMO_WORKSPACE=$(DEMO_WORKSPACE) scripts/run-demo

# A site operator for the Django admin (/admin/), on the same database as `make run`.
admin: $(VENV)/.installed-run var/secret_key
	$(BIN)/python manage.py createsuperuser

# `make test`: the fast set, spread over one worker per CPU (under two minutes on two cores);
# `make test-slow`: live servers, browsers, faults and several nodes; `make test-all`: both, as CI
# runs them. scripts/run-tests says which tests each holds and how they run. Each worker's test
# database is kept between runs (--reuse-db: new migrations are applied to it);
# PYTEST_DB=--create-db builds them afresh. TEST_SCOPE=--shared-database-only leaves out the tests that
# bring their own database (CI's MariaDB pass). PYTEST_ARGS reach pytest.
PYTEST_DB ?= --reuse-db
TEST_SCOPE ?=

test: install-test $(VENV)/.installed var/secret_key
	scripts/run-tests fast $(TEST_SCOPE) $(PYTEST_DB) $(PYTEST_ARGS)

test-slow: install-test $(VENV)/.installed var/secret_key tests/rp/node_modules/.installed
	scripts/run-tests slow $(TEST_SCOPE) $(PYTEST_DB) $(PYTEST_ARGS)

test-all: test test-slow

# openid-client, the Node relying party tests/test_relying_parties.py drives (pinned by its lock file).
tests/rp/node_modules/.installed: tests/rp/package.json tests/rp/package-lock.json
	@command -v npm >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
	cd tests/rp && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The property and schema fuzzers with many more examples than `make test` gives them (a few minutes).
fuzz: install-test $(VENV)/.installed var/secret_key
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-500} $(BIN)/pytest -p no:xdist tests/test_oauth_fuzz.py tests/test_api_fuzz.py tests/test_token_paths_agree.py $(PYTEST_ARGS)

# pm-oauth against ProcessMaker's PHP engine and stock django-oauth-toolkit (../shared/anchors), on
# MariaDB, 3 interleaved rounds; prints the table and writes bench/results/<date>.md. Needs wrk.
bench: $(VENV)/.installed var/secret_key
	@command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null
	DATABASE_URL=$${DATABASE_URL:-mysql://root@127.0.0.1:3306/pm_bench} $(BIN)/python bench/compare.py

# The longer runs, each on its own MariaDB database, each writing bench/results/<name>-<date>.md:
# which server and worker count suit us; 10 million rows (minutes: the rows are bulk-inserted, with
# progress); purgetokens on a million expired rows while tokens are issued; worker memory over
# 100,000 requests.
bench-servers bench-scale bench-purge bench-memory: $(VENV)/.installed var/secret_key
	@command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null
	DATABASE_URL=$${DATABASE_URL:-mysql://root@127.0.0.1:3306/pm_$(subst -,_,$@)} $(BIN)/python bench/$(subst bench-,,$@).py

# Before and after a change: the commit REF (HEAD by default) against the working tree, interleaved,
# with each request's CPU cost (ROWS: cc basic refresh bearer health password; cc refresh bearer).
bench-ab: $(VENV)/.installed var/secret_key
	@command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null
	DATABASE_URL=$${DATABASE_URL:-mysql://root@127.0.0.1:3306/pm_ab} $(BIN)/python bench/ab.py $(or $(REF),HEAD) $(ROWS)

# Bearer GETs over many tokens while the lookups' shared version is renewed N times a second.
bench-churn: $(VENV)/.installed var/secret_key
	@command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null
	DATABASE_URL=$${DATABASE_URL:-mysql://root@127.0.0.1:3306/pm_churn} $(BIN)/python bench/version_churn.py

# import_processmaker on a large ProcessMaker database (PM_USERS, PM_CLIENTS, PM_TOKENS).
bench-import: $(VENV)/.installed var/secret_key
	DATABASE_URL=$${DATABASE_URL:-mysql://root@127.0.0.1:3306/pm_bench_import} $(BIN)/python bench/import_scale.py

# docs/configuration.md's tables, from the declarations in pmsite/config.py.
configuration-docs: $(VENV)/.installed-run
	$(BIN)/python -m pmsite.config --write

lint: $(VENV)/.installed var/secret_key
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .mypy_cache .ruff_cache
