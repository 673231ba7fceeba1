"""What the product's request logs may not keep: the secret in an e-mailed link's path.

A data subject's single-use links carry their token in the path (``…/request/confirm/<token>/``,
``…/request/download/<token>/``, ``…/consent/withdraw/<token>/``). A download link works for days: anyone who
reads an access log could fetch the person's export before they do. Both request logs the product configures
(gunicorn's access log in production, ``django.server`` under ``make run``) pass the path through
``redact_path``, and the query string is never logged at all (see gunicorn.conf.py).
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
    """gunicorn's logger, whose access-log atoms carry no link secret (in the path or the request line)."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("U", "r"):
            if atoms.get(key):
                atoms[key] = redact_path(atoms[key])
        return atoms


class RedactingFilter(logging.Filter):
    """For ``django.server`` (runserver's request log): the request line is the record's first argument."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args and isinstance(record.args, tuple):
            record.args = tuple(redact_path(a) if isinstance(a, str) else a for a in record.args)
        record.msg = redact_path(record.msg) if isinstance(record.msg, str) else record.msg
        return True
