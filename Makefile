# Two commands matter: `make run` (set up + serve) and `make test` (set up + pass the tests); `make test-fast`
# is the loop while working.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
HOST ?= 127.0.0.1
# pytest-xdist workers: two suit a two-core machine (TEST_WORKERS=0 runs in one process). Each worker has its
# own test database, cache and Redis database (tests/conftest.py: Redis databases 10, 11, …).
TEST_WORKERS ?= 2
PYTEST := $(PY) -m pytest -n $(TEST_WORKERS) --durations=10

# Finds a Python >= 3.12: the pyenv version named in .python-version, then python3.13/3.12/python3 on PATH.
define FIND_PYTHON
for c in "$${PYENV_ROOT:-$$HOME/.pyenv}/versions/$$(cat .python-version 2>/dev/null)/bin/python" \
         "$$(command -v python3.13)" "$$(command -v python3.12)" "$$(command -v python3)" \
         $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.1[2-9]*/bin/python; do \
  [ -n "$$c" ] && [ -x "$$c" ] && "$$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo "$$c"; exit 0; }; \
done; \
echo "No Python 3.12 or newer found. Install one (e.g. 'pyenv install 3.12' or 'apt-get install python3.12 python3.12-venv') and run make again." >&2; exit 1
endef

.PHONY: help venv run serve test test-fast system-deps lint typecheck format messages bench clean

help:
	@echo "make run    set up and serve the portal on http://$(HOST):$(PORT) (SQLite, knowledge base loaded)"
	@echo "make test   set up and run the whole test suite, browser tests included ($(TEST_WORKERS) workers; CI runs it)"
	@echo "make test-fast  the loop while working: all but the browser and PostgreSQL-only tests, in parallel,"
	@echo "            on a test database kept between runs (--reuse-db; --create-db in PYTEST_ARGS makes it anew)"
	@echo "make serve  production-like: gunicorn + the notification worker on http://$(HOST):$(PORT)"
	@echo "make typecheck  mypy with django-stubs over the files listed in pyproject.toml [tool.mypy]"
	@echo "make lint | format | messages | bench | clean"

$(VENV)/.installed: requirements.txt
	@py=$$($(FIND_PYTHON)) || exit 1; \
	if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
	  rm -rf $(VENV); echo "Creating $(VENV) with $$py"; "$$py" -m venv $(VENV) || exit 1; \
	fi
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

venv: $(VENV)/.installed

# libmagic identifies uploaded logs; Chromium drives the browser tests, with CJK fonts so screenshots show Chinese
# as merchants see it (and layouts are measured with real glyphs). Installed with apt when missing and root.
system-deps:
	@missing=""; \
	[ -e /usr/lib/x86_64-linux-gnu/libmagic.so.1 ] || ldconfig -p 2>/dev/null | grep -q libmagic.so.1 || missing="$$missing libmagic1"; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	[ -n "$(NEED_CHROMIUM)" ] && [ ! -x /usr/bin/chromium ] && missing="$$missing chromium"; \
	[ -n "$(NEED_CHROMIUM)" ] && [ ! -d /usr/share/fonts/opentype/noto ] && missing="$$missing fonts-noto-cjk"; \
	[ -n "$(NEED_WRK)" ] && ! command -v wrk >/dev/null && missing="$$missing wrk"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing system packages:$$missing"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) || \
	      { echo "apt-get could not install:$$missing" >&2; exit 1; }; \
	  else echo "Please install these Debian packages first:$$missing (e.g. sudo apt-get install$$missing)" >&2; exit 1; fi; \
	fi

run: venv system-deps
	$(PY) manage.py compilemessages --ignore=.venv --verbosity 0
	$(PY) manage.py migrate --noinput
	$(PY) manage.py kb_load
	$(PY) manage.py canned_load
	$(PY) manage.py kb_rerender --verbosity 0
	$(PY) manage.py collectstatic --noinput --verbosity 0
	@echo "Serving on http://$(HOST):$(PORT)/  (admin: make an account with '$(PY) manage.py createsuperuser')"
	@mkdir -p var; $(PY) -m ocr.server --socket var/ocr.sock & ocr=$$!; \
	trap 'kill $$ocr 2>/dev/null' EXIT INT TERM; \
	SITE_URL="$${SITE_URL:-http://$(HOST):$(PORT)}" $(PY) manage.py runserver $(HOST):$(PORT)

# Production settings over plain HTTP on this machine: the database task queue with its worker beside
# gunicorn, so notifications are sent in the background as in production. Mail goes to the console unless
# EMAIL_BACKEND is set. bin/task-worker restarts the worker whenever it exits (the database went away) and
# queues again what it left unfinished; it stops with gunicorn (Ctrl-C).
SERVE_ENV = PORTAL_ENV=production TASKS_BACKEND=database \
	SECRET_KEY="$${SECRET_KEY:-$$(cat var/secret_key 2>/dev/null || $(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')}" \
	ALLOWED_HOSTS="$${ALLOWED_HOSTS:-127.0.0.1,localhost}" SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0 \
	SECURE_HSTS_SECONDS=0 SECURE_HSTS_PRELOAD=0 SITE_URL="$${SITE_URL:-http://$(HOST):$(PORT)}" \
	EMAIL_BACKEND="$${EMAIL_BACKEND:-django.core.mail.backends.console.EmailBackend}"

serve: venv system-deps
	$(PY) manage.py compilemessages --ignore=.venv --verbosity 0
	$(SERVE_ENV) $(PY) manage.py migrate --noinput
	$(SERVE_ENV) $(PY) manage.py kb_load
	$(SERVE_ENV) $(PY) manage.py canned_load
	$(SERVE_ENV) $(PY) manage.py collectstatic --noinput --verbosity 0
	@echo "Serving on http://$(HOST):$(PORT)/ with the task worker and the OCR server (Ctrl-C stops them all)"
	@export $(SERVE_ENV); \
	PYTHON=$(PY) bin/task-worker & worker=$$!; \
	mkdir -p var; $(PY) -m ocr.server --socket "$${OCR_SOCKET:-var/ocr.sock}" & ocr=$$!; \
	trap 'kill $$worker $$ocr 2>/dev/null' EXIT INT TERM; \
	$(VENV)/bin/gunicorn portal.wsgi --bind $(HOST):$(PORT) --workers 2

# Both print the ten slowest tests. PYTEST_ARGS adds pytest options (a path, -k, -x …).
# make test runs the browser tests in a pytest session of their own (BROWSER=0 leaves them out): Playwright's
# sync API keeps an event loop running in its process's main thread, where Django cannot then run an async
# view (the readiness check) for another test. Exit 5 is pytest's "nothing selected" (a path with no browser
# tests, say).
BROWSER ?= 1
test: venv
	@$(MAKE) --no-print-directory system-deps NEED_CHROMIUM=1
	$(PY) manage.py compilemessages --ignore=.venv --verbosity 0
	$(PYTEST) -m "not browser" $(PYTEST_ARGS) || [ $$? = 5 ]
	@if [ "$(BROWSER)" = 1 ]; then echo "$(PYTEST) -m browser $(PYTEST_ARGS)"; \
	  $(PYTEST) -m browser $(PYTEST_ARGS) || [ $$? = 5 ]; fi

test-fast: venv
	@$(MAKE) --no-print-directory system-deps
	$(PY) manage.py compilemessages --ignore=.venv --verbosity 0
	$(PYTEST) --reuse-db -m "not browser and not postgres" $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m mypy

# The files checked are listed in pyproject.toml ([tool.mypy] files); the modules they import are read, not checked.
typecheck: venv
	$(PY) -m mypy

format:
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

messages: venv
	$(PY) manage.py makemessages -l zh_Hans --ignore=.venv --ignore=var --no-obsolete
	$(PY) manage.py compilemessages --ignore=.venv

# Every page as a ratio to a bare Django view, SQLite then PostgreSQL + Redis (bench/pages.py; BENCH_ARGS=--quick).
bench: venv
	@$(MAKE) --no-print-directory system-deps NEED_WRK=1
	$(PY) bench/pages.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var/static .pytest_cache
