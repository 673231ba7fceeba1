"""What the product's logs may not keep: the secret in an e-mailed link's path.

A data subject's links carry their token in the path (``…/request/confirm/<token>/``, ``…/request/download/<token>/``,
``…/consent/withdraw/<token>/``, ``…/consent/confirm/<token>/``). A download link works for days and a withdraw link
for ever: anyone who reads a log could act on them before the person does. Every log the product writes passes through
``redact_path``, the one rule (tests/test_request_logs_redact_link_secrets.py checks it covers every route with a
token): gunicorn's access and error logs through ``RedactingGunicornLogger`` (gunicorn.conf.py, whose access log never
names the query string either), and every handler of settings.LOGGING through ``RedactingFilter``: Django's
``django.request`` and ``django.security.csrf`` write the path of a 404, 405, 500 or refused POST, and
``django.server`` is runserver's request log under ``make run``.
"""
from __future__ import annotations

import logging
import re

from gunicorn.glogging import Logger

# The path segment after one of these names is a secret; a new e-mailed link names its kind here.
SECRET_SEGMENT_AFTER = ("confirm", "download", "withdraw")
REDACTED = "[redacted]"
_SECRET = re.compile(r"(/(?:" + "|".join(SECRET_SEGMENT_AFTER) + r")/)[^/?#\s\"]+")


def redact_path(text: str) -> str:
    """``text`` with every link secret replaced by ``[redacted]`` (a path, or a whole request line)."""
    return _SECRET.sub(lambda m: m.group(1) + REDACTED, text)


class RedactingGunicornLogger(Logger):
    """gunicorn's logger, whose access-log atoms carry no link secret (in the path or the request line), and whose
    handlers redact what else they write: the error log names a request's URI when the application fails on it."""

    def exception(self, msg, *args, **kwargs):
        # "Error handling request %s %s" (method, URI; gunicorn/workers/base.py): the URI without its query string,
        # which the access log leaves out too (an admin search's terms).
        if isinstance(msg, str) and msg.startswith("Error handling request"):
            args = tuple(a.split("?", 1)[0] if isinstance(a, str) else a for a in args)
        super().exception(msg, *args, **kwargs)

    def setup(self, cfg):
        super().setup(cfg)  # run again on a configuration reload, with new handlers
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                if not any(isinstance(f, RedactingFilter) for f in handler.filters):
                    handler.addFilter(RedactingFilter())

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("U", "r"):
            if atoms.get(key):
                atoms[key] = redact_path(atoms[key])
        return atoms


class RedactingFilter(logging.Filter):
    """On every handler settings.LOGGING configures. Django's own loggers write a request's path too:
    ``django.request`` for a 404 (a used link, another organisation's), a 405 (a mail scanner's HEAD) or a 500,
    ``django.security.csrf`` for a refused POST, and ``django.server`` for runserver's request line. The message is
    redacted as it will be written (its arguments merged in), and so are a traceback and a stack."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: the handler reports it, with its parts, so redact those
            record.msg = redact_path(str(record.msg))
            if isinstance(record.args, tuple):
                record.args = tuple(redact_path(a) if isinstance(a, str) else a for a in record.args)
        else:
            redacted = redact_path(message)
            if redacted != message:  # otherwise the record keeps its template (log tools group by it)
                record.msg, record.args = redacted, ()
        if record.exc_info and not record.exc_text:
            # What the formatter would write, made now so that it can be redacted (formatters reuse exc_text).
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_path(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_path(record.stack_info)
        return True
