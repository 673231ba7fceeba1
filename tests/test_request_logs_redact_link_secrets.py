"""The secret of an e-mailed link (confirm, download, withdraw) never reaches a request log: gunicorn's access log
(through gunicorn.conf.py's logger class) and runserver's ``django.server`` log both show ``[redacted]``."""
from __future__ import annotations

import logging
import sys
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

from gunicorn.app.wsgiapp import WSGIApplication

from privacy_registry.log_redaction import redact_path

BASE_DIR = Path(__file__).resolve().parent.parent
TOKEN = "s3cr3t-Token_value-0123456789abcdefghij"
PATHS = [
    f"/privacy/antara/request/confirm/{TOKEN}/",
    f"/privacy/antara/request/download/{TOKEN}/",
    f"/privacy/antara/consent/withdraw/{TOKEN}/",
]


def _gunicorn_line(path: str, monkeypatch) -> str:
    monkeypatch.chdir(BASE_DIR)
    monkeypatch.setattr(sys, "argv", ["gunicorn", "--config", "gunicorn.conf.py", "privacy_registry.wsgi:application"])
    monkeypatch.delenv("GUNICORN_CMD_ARGS", raising=False)
    cfg = WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]", prog="gunicorn").cfg
    logger = cfg.logger_class(cfg)
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
