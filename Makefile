# The two commands a new user needs: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export DJANGO_DEBUG ?= 1

.PHONY: run test test-postgres test-browser install lint format messages compilemessages migrations-check check clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt || { \
	  echo 'Installing failed. python-ldap is built from source: it needs a C compiler and the OpenLDAP and SASL' >&2; \
	  echo 'headers (Debian/Ubuntu: apt-get install build-essential python3.11-dev libldap2-dev libsasl2-dev).' >&2; \
	  echo 'See README.md, "Getting started".' >&2; exit 1; }
	touch $@

install: $(VENV)/.installed

# A checkout without catalogues yet (git keeps no empty locale folders) has nothing to compile.
compilemessages: install
	@if ls locale/*/LC_MESSAGES/*.po >/dev/null 2>&1; then \
	  $(PY) manage.py compilemessages --ignore=.venv --verbosity 0; fi

run: install compilemessages
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --if-empty
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install compilemessages
	$(PY) -m pytest

test-postgres: install compilemessages
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres} $(PY) -m pytest

test-browser: install compilemessages
	$(PY) -m pytest -m browser

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Extract new strings into both catalogues; translate them, then `make compilemessages`.
messages: install
	$(PY) manage.py makemessages --locale zh_Hans --locale en --ignore=.venv --ignore=bench --ignore=tests --ignore=dist --no-obsolete
	$(PY) scripts/fill_english_catalogue.py

migrations-check: install
	$(PY) manage.py makemigrations --check --dry-run

check: lint migrations-check
	DJANGO_DEBUG=0 DJANGO_SECRET_KEY=check-only-$$(date +%s)-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGH \
	  DJANGO_ALLOWED_HOSTS=example.org $(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache

# The offline installation bundle (README, "Offline installation"), and its proof: installed with no index.
.PHONY: bundle bundle-check
bundle: install
	PY=$(PY) bash scripts/build_bundle.sh

bundle-check:
	bash scripts/check_bundle.sh
