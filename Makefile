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
run: export DJANGO_DEBUG ?= true
run: export ADMIN_REQUIRE_2FA ?= false
run: export HOST ?= 127.0.0.1
run: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	$(PY) manage.py ensure_admin
	$(VENV)/bin/honcho start -f Procfile --port $${PORT:-8000}

test: $(STAMP)
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# Full-size benchmarks, by hand, on PostgreSQL (DATABASE_URL must point at a server).
bench: $(STAMP)
	$(PY) bench/register.py
	$(PY) bench/admin_list.py
	$(PY) bench/public_form.py
	test ! -f bench/sweep.py || $(PY) bench/sweep.py

lint: $(STAMP)
	$(VENV)/bin/ruff check .
