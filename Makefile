# Wuye: two commands on a fresh machine — `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PORT ?= 8000
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
PYTEST_ARGS ?= -n auto

.PHONY: run test test-pg lint format install install-test migrate demo messages clean help

help:
	@echo "make run      install, migrate, load demo data into an empty database, serve on 127.0.0.1:$(PORT)"
	@echo "make test     install test dependencies and run the whole suite on SQLite"
	@echo "make test-pg  the same suite on PostgreSQL (a throwaway cluster unless DATABASE_URL is set)"
	@echo "make lint     ruff check and format check"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	@touch $@ $(STAMP)

install: $(STAMP)
install-test: $(TEST_STAMP)

migrate: install
	DEBUG=$${DEBUG:-1} $(BIN)/wuye migrate --noinput -v 1

run: migrate
	@DEBUG=$${DEBUG:-1} $(BIN)/wuye demo --if-empty
	@echo ""
	@echo "  Wuye is starting at http://127.0.0.1:$(PORT)/"
	@echo "  Demo logins (only created in an empty database): admin / wuye-demo (operations centre),"
	@echo "  pm1, pm2 (project managers), kefu1, gongcheng1, anbao1, baojie1, shouyin1, caiwu1, auditor — all wuye-demo."
	@echo "  API docs: http://127.0.0.1:$(PORT)/api/docs/   Health: http://127.0.0.1:$(PORT)/healthz"
	@echo ""
	DEBUG=$${DEBUG:-1} $(BIN)/wuye serve --host 127.0.0.1 --port $(PORT)

test: install-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-pg: install-test
	$(BIN)/python scripts/pg_throwaway.py -- $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Extract translatable strings into wuye/locale/zh_Hans (then translate the new msgstr) and compile.
messages: install
	cd wuye && ../$(BIN)/django-admin makemessages -l zh_Hans --no-obsolete \
		--ignore "static/*" --ignore "*/tests/*" --ignore "core/testing/*"
	cd wuye && ../$(BIN)/django-admin compilemessages -l zh_Hans

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
