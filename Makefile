# Two commands: `make run` (the product, with demo data) and `make test` (the whole suite).
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test bench lint venv demo-user

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP)

# Web + Celery worker + Celery beat on SQLite and the filesystem broker (unless DATABASE_URL /
# REDIS_URL are set). The demo relaxes the second factor; production never does. With DEBUG on and a
# published demo password it listens on this machine only: HOST=0.0.0.0 make run opens it to the network.
# E-mails are files in var/outbox/, one per message (the newest: ls -t var/outbox | head -1), not lines
# among the log's; their links and the notice's point at HOST:PORT (PORT=8101 make run moves both).
run: export DJANGO_DEBUG ?= true
run: export ADMIN_REQUIRE_2FA ?= false
run: export HOST ?= 127.0.0.1
run: export PORT ?= 8000
run: export EMAIL_URL ?= filemail://var/outbox
run: export PUBLIC_BASE_URL ?= http://$(RUN_LINK_HOST):$(PORT)
run: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	$(PY) manage.py ensure_admin
	$(VENV)/bin/honcho start -f Procfile --port $$PORT

# The host the demo's links name: HOST, bracketed when it is an IPv6 address; this machine when HOST is
# every interface (0.0.0.0 is no address to browse to).
RUN_HOST_BARE = $(subst [,,$(subst ],,$(HOST)))
RUN_LINK_HOST = $(if $(filter 0.0.0.0 ::,$(RUN_HOST_BARE)),127.0.0.1,$(if $(findstring :,$(RUN_HOST_BARE)),[$(RUN_HOST_BARE)],$(HOST)))

test: $(STAMP)
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# Full-size benchmarks, by hand, on PostgreSQL (DATABASE_URL must point at a server).
bench: $(STAMP)
	$(PY) bench/register.py
	$(PY) bench/admin_list.py
	$(PY) bench/public_form.py
	test ! -f bench/sweep.py || $(PY) bench/sweep.py
	$(PY) bench/fresh_start.py

lint: $(STAMP)
	$(VENV)/bin/ruff check .
