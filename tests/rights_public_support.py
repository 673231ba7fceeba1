"""Helpers of the public request pages' tests (tests/test_rights_public_*.py)."""
from __future__ import annotations

import re
import uuid

import pytest
from django.core import mail

from privacy_registry.celery import app as celery_app
from rights.forms import issue_stamp

CONFIRM_LINK = re.compile(r"https?://[^/\s]+(/privacy/[^/\s]+/request/confirm/[^/\s]+/)")
DOWNLOAD_LINK = re.compile(r"https?://[^/\s]+(/privacy/[^/\s]+/request/download/[^/\s]+/)")
CSRF_INPUT = re.compile(rb'<input type="hidden" name="csrfmiddlewaretoken" value="[^"]*">')


# Imported by the test modules under their function names; pytest knows them by ``name``.
@pytest.fixture(name="public_pages")
def public_pages_fixture(settings):
    """No minimum fill time, and rate-limit counters of this test's own (a fresh cache-key prefix)."""
    settings.RIGHTS_FORM_MIN_SECONDS = 0
    settings.RATELIMIT_CACHE_PREFIX = f"rl-test-{uuid.uuid4().hex}:"
    return settings


@pytest.fixture(name="eager_tasks")
def eager_tasks_fixture():
    """Celery tasks run in the test's process when enqueued (after commit), as a worker would run them."""
    # Set as changes and then taken out again, rather than assigned back: an assigned value would hide, for the
    # rest of the session, whatever the configuration (or another test's settings) says.
    keys = ("task_always_eager", "task_eager_propagates")
    changes = celery_app.conf.changes
    saved = {key: changes[key] for key in keys if key in changes}
    for key in keys:
        changes[key] = True
    yield
    for key in keys:
        changes.pop(key, None)
    changes.update(saved)


def form_data(**overrides) -> dict:
    data = {"type": "erasure", "email": "someone@example.com", "details": "", "website": "", "started": issue_stamp()}
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def submit(client, organisation, capture, **overrides):
    """POST the request form the way a browser would, running what the views schedule after commit."""
    with capture(execute=True):
        return client.post(f"/privacy/{organisation.slug}/request/", form_data(**overrides))


def link_in(message, pattern=CONFIRM_LINK) -> str:
    """The path of the link in an e-mail (text part)."""
    found = pattern.search(message.body)
    assert found, message.body
    return found.group(1)


def last_mail_to(address: str):
    sent = [m for m in mail.outbox if address in m.to]
    assert sent, f"no e-mail to {address}"
    return sent[-1]


def without_csrf(body: bytes) -> bytes:
    return CSRF_INPUT.sub(b"", body)
