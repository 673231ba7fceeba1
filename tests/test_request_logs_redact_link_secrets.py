"""The secret of an e-mailed link (confirm, download, withdraw) never reaches a log: gunicorn's access log (through
gunicorn.conf.py's logger class), runserver's ``django.server`` log, and what Django's ``django.request`` and
``django.security.csrf`` write of a 404, a 405, a 500 or a refused POST on a link all show ``[redacted]``.

Django's loggers are tested through real requests, reading what the handlers of settings.LOGGING write (their streams
swapped for a buffer), not what a capture handler of the test's own would have seen."""
from __future__ import annotations

import io
import logging
import sys
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from gunicorn.app.wsgiapp import WSGIApplication

from privacy_registry.log_redaction import RedactingFilter, redact_path
from rights import views as rights_views

BASE_DIR = Path(__file__).resolve().parent.parent
TOKEN = "s3cr3t-Token_value-0123456789abcdefghij"
PATHS = [
    f"/privacy/antara/request/confirm/{TOKEN}/",
    f"/privacy/antara/request/download/{TOKEN}/",
    f"/privacy/antara/consent/withdraw/{TOKEN}/",
]


def _gunicorn_logger(monkeypatch):
    monkeypatch.chdir(BASE_DIR)
    monkeypatch.setattr(sys, "argv", ["gunicorn", "--config", "gunicorn.conf.py", "privacy_registry.wsgi:application"])
    monkeypatch.delenv("GUNICORN_CMD_ARGS", raising=False)
    cfg = WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]", prog="gunicorn").cfg
    return cfg, cfg.logger_class(cfg)


def _gunicorn_line(path: str, monkeypatch) -> str:
    cfg, logger = _gunicorn_logger(monkeypatch)
    environ = {"REQUEST_METHOD": "POST", "RAW_URI": path, "PATH_INFO": path, "QUERY_STRING": "",
               "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1"}
    request = SimpleNamespace(headers=[])
    response = SimpleNamespace(status="200 OK", sent=10, headers=[])
    atoms = logger.atoms_wrapper_class(logger.atoms(response, request, environ, timedelta(milliseconds=3)))
    return cfg.access_log_format % atoms


def test_gunicorn_access_log_redacts_every_link_secret(monkeypatch):
    for path in PATHS:
        line = _gunicorn_line(path, monkeypatch)
        assert TOKEN not in line
        assert "[redacted]" in line
        assert path.rsplit(TOKEN, 1)[0] in line  # the rest of the path is still there to read


def test_gunicorn_error_log_redacts_the_uri_of_a_failed_request_and_drops_its_query(monkeypatch):
    _cfg, logger = _gunicorn_logger(monkeypatch)
    buffer = io.StringIO()
    for handler in logger.error_log.handlers:
        handler.setStream(buffer)
    try:
        raise RuntimeError(f"cannot serve {PATHS[1]}")
    except RuntimeError:  # as gunicorn's worker (workers/base.py) logs an exception the application raised
        logger.exception("Error handling request %s %s", "GET", PATHS[1] + "?from=mail")
    written = buffer.getvalue()
    assert "Error handling request GET /privacy/antara/request/download/[redacted]/" in written, written
    assert "RuntimeError: cannot serve" in written and TOKEN not in written
    assert "from=mail" not in written  # no query string, as in the access log


def test_other_paths_are_logged_as_they_are(monkeypatch):
    line = _gunicorn_line("/admin/subjects/datasubject/42/change/", monkeypatch)
    assert "/admin/subjects/datasubject/42/change/" in line


def test_runserver_request_log_redacts_link_secrets(caplog):
    logger = logging.getLogger("django.server")
    handler = next(h for h in logger.handlers if h.filters)
    records = []
    handler_emit = handler.emit
    handler.emit = records.append
    try:
        logger.info('"%s" %s %s', f"GET {PATHS[1]} HTTP/1.1", 200, 10)
    finally:
        handler.emit = handler_emit
    assert records, "django.server's handler did not log"
    message = records[0].getMessage()
    assert TOKEN not in message and "[redacted]" in message


def test_redact_path_keeps_the_kind_of_link():
    assert redact_path(f"GET {PATHS[0]} HTTP/1.1") == "GET /privacy/antara/request/confirm/[redacted]/ HTTP/1.1"


# --- every route that carries a secret, and every handler -----------------------------------------------------


def _routes(resolver: URLResolver, prefix: str = "") -> list[str]:
    routes = []
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            routes += _routes(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            routes.append(prefix + str(pattern.pattern))
    return routes


def test_every_route_with_a_token_is_one_the_rule_redacts():
    """A new e-mailed link (a route with a ``<…:token>``) whose kind the rule does not know fails here."""
    with_token = [route for route in _routes(get_resolver()) if ":token>" in route]
    assert len(with_token) >= 4  # rights confirm and download, consent withdraw and confirm
    for route in with_token:
        path = "/" + route.replace("<slug:organisation>", "antara").replace("<str:token>", TOKEN)
        assert TOKEN not in redact_path(path), route


def _chain(name: str) -> list[logging.Handler]:
    """The handlers a record of logger ``name`` reaches, less pytest's own capture and those that write nothing."""
    handlers, logger = [], logging.getLogger(name)
    while logger:
        handlers += [h for h in logger.handlers
                     if not type(h).__module__.startswith("_pytest") and not isinstance(h, logging.NullHandler)]
        logger = logger.parent if logger.propagate else None
    return handlers


LOGGERS = ["django.request", "django.security.csrf", "django.server", "rights.views", "celery"]


def test_every_handler_the_settings_configure_redacts():
    from privacy_registry.celery import app

    # Celery's worker and beat would replace the root's handlers with their own, which do not redact.
    assert app.conf.worker_hijack_root_logger is False
    for name, handler in settings.LOGGING["handlers"].items():
        assert "redact_links" in handler.get("filters", []), name
    for name in LOGGERS:
        handlers = _chain(name)
        assert handlers, name
        for handler in handlers:
            assert any(isinstance(f, RedactingFilter) for f in handler.filters), (name, handler)


@pytest.fixture
def written():
    """Everything the project's log handlers write during the test."""
    buffer = io.StringIO()
    handlers = {h for name in LOGGERS for h in _chain(name) if isinstance(h, logging.StreamHandler)}
    # The stream is swapped, not set with setStream(), which flushes the old one: an earlier test may have left a
    # handler on a capture stream pytest has closed since.
    before = [(handler, handler.stream) for handler in handlers]
    for handler in handlers:
        handler.stream = buffer
    yield buffer
    for handler, stream in before:
        handler.stream = stream


def _assert_redacted(text: str, path: str) -> None:
    assert path.rsplit(TOKEN, 1)[0] + "[redacted]" in text, text  # the line is there, the kind of link too
    assert TOKEN not in text, text


@pytest.mark.django_db
@pytest.mark.parametrize("path", PATHS, ids=["confirm", "download", "withdraw"])
def test_a_404_or_400_on_a_link_is_logged_without_its_secret(client, written, path):
    response = client.get(path.replace("antara", "another-organisation"))
    assert response.status_code in (400, 404)  # consent's invalid link is a 400
    _assert_redacted(written.getvalue(), path.replace("antara", "another-organisation"))
    assert ("Not Found" if response.status_code == 404 else "Bad Request") in written.getvalue()


@pytest.mark.django_db
def test_a_mail_scanners_HEAD_405_is_logged_without_the_secret(client, written):
    response = client.head(PATHS[0])
    assert response.status_code == 405
    _assert_redacted(written.getvalue(), PATHS[0])
    assert "Method Not Allowed (HEAD)" in written.getvalue()


@pytest.mark.django_db
def test_a_500_on_a_link_is_logged_without_the_secret_in_message_or_traceback(written, monkeypatch):
    def failing_peek(*, raw, purpose):
        raise RuntimeError(f"cannot serve {PATHS[1]}")  # an exception that repeats the path it was serving

    monkeypatch.setattr(rights_views.services, "token_peek", failing_peek)
    response = Client(raise_request_exception=False).get(PATHS[1])
    assert response.status_code == 500
    text = written.getvalue()
    _assert_redacted(text, PATHS[1])
    assert "Internal Server Error" in text and "Traceback" in text and "RuntimeError: cannot serve" in text


@pytest.mark.django_db
def test_a_csrf_failure_on_a_link_is_logged_without_the_secret(written):
    response = Client(enforce_csrf_checks=True).post(PATHS[0])
    assert response.status_code == 403
    _assert_redacted(written.getvalue(), PATHS[0])
    assert "Forbidden (CSRF cookie not set.)" in written.getvalue()


def test_a_message_without_a_secret_keeps_its_template():
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Not Found: %s", ("/admin/",), None)
    RedactingFilter().filter(record)
    assert (record.msg, record.args, record.getMessage()) == ("Not Found: %s", ("/admin/",), "Not Found: /admin/")
