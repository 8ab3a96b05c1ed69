# Two commands for a newcomer: `make run` (the whole stack with demo data) and `make test` (every test).
# Both install what they need: the virtual environment, the Keycloak distribution (cached in
# ~/.cache/woundwo-b2b), and for tests Debian's Chromium and Firefox ESR (with geckodriver, built once into
# that cache), PostgreSQL server and Redis server.

PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed

MO := $(patsubst %.po,%.mo,$(wildcard bridge/translations/*/LC_MESSAGES/messages.po))

.PHONY: run cluster test test-fast test-stack activations-now venv system-packages compose-plugin geckodriver translations clean

run: $(STAMP) $(MO)
	$(VENV)/bin/python -m devstack.stack

# The production topology on this machine: PostgreSQL, Redis, two Keycloak nodes (production mode, one
# cluster), nginx in front, two bridges, two workers (docs/cluster.md). `make run` stays the single-node default.
cluster: $(STAMP) $(MO)
	$(VENV)/bin/python -m devstack.cluster

test: $(STAMP) $(MO) system-packages compose-plugin geckodriver
	$(VENV)/bin/python -m pytest $(PYTEST_ARGS)

# The unit tests and the twin's half of the contract tests: no server, no browser, seconds (both cores).
test-fast: $(STAMP) $(MO)
	$(VENV)/bin/python -m pytest -n 2 tests/unit tests/contract -m "not integration" $(PYTEST_ARGS)

# Keycloak and the mail catcher on the test ports, left running; then
# `WOUNDWO_TEST_REUSE=1 make test` skips their start-up (destructive tests are refused).
test-stack: $(STAMP) $(MO)
	$(VENV)/bin/python -m devstack.stack --test-ports

# While `make run` is up: send the activation e-mails approved today as if it were tomorrow 04:00.
activations-now: $(STAMP) $(MO)
	$(VENV)/bin/python -m devstack.activations_now

# After changing user-facing strings: refresh the catalogs, then translate the new entries.
translations: $(STAMP)
	$(VENV)/bin/pybabel extract --no-wrap -F babel.cfg -k _l -o bridge/translations/messages.pot .
	$(VENV)/bin/pybabel update --no-wrap --ignore-obsolete -i bridge/translations/messages.pot -d bridge/translations

%.mo: %.po $(STAMP)
	$(VENV)/bin/pybabel compile -i $< -o $@

venv: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is needed (found: $$($(PYTHON) --version))"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test]'
	touch $(STAMP)

# Debian packages the tests use: Chromium and Firefox ESR (browser tests), PostgreSQL's server (outbox concurrency)
# and Redis (rate-limit counters shared by processes). nginx is fetched by the tests themselves
# (tests/support/nginx.py), without installing its service.
system-packages:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v firefox-esr >/dev/null || missing="$$missing firefox-esr"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
		else \
			echo "The tests need these Debian packages:$$missing — run 'sudo apt-get install$$missing' and retry."; exit 1; \
		fi; \
	fi

compose-plugin:
	@devstack/install-docker-compose.sh >/dev/null

# Firefox is driven through geckodriver, built once from crates.io into ~/.cache/woundwo-b2b.
geckodriver:
	@devstack/install-geckodriver.sh >/dev/null

clean:
	rm -rf .devstack
