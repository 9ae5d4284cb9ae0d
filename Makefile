# The commands a developer and CI run. A fresh machine needs only Python 3.11.
PYTHON ?= python3.11
PYTEST_ARGS ?= -n 2 --dist loadgroup
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint format bench mutation messages clean install

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## make demo: install, migrate, load demo data, print demo accounts, serve on :8000
demo: $(STAMP)
	$(BIN)/jiuzhu demo

## make test: lint, then the whole suite (SQLite unless DATABASE_URL says otherwise)
test: $(STAMP) lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

## make mutation: mutation testing of the rule modules (bench/mutation.py; MODULES="dues scoping")
mutation: $(STAMP)
	$(BIN)/python bench/mutation.py $(MODULES)

## make messages: extract strings and compile the translations (needs GNU gettext)
messages: $(STAMP)
	cd src/jiuzhu && ../../$(BIN)/django-admin makemessages -l zh_Hans --no-obsolete \
		--ignore 'static/*' --ignore 'assessment/engine/*' --ignore 'dispatch/engine/*' --settings=jiuzhu.settings_test
	cd src/jiuzhu && ../../$(BIN)/django-admin compilemessages --settings=jiuzhu.settings_test

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
