from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.utils import translation
from django_otp.plugins.otp_totp.models import TOTPDevice

from privacy_registry.roles import AUDITOR, COMPLIANCE, DPO


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # The production hasher costs ~0.2 s a user; tests create hundreds. Sign-in behaviour is the same.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _site_language():
    # LocaleMiddleware leaves the language of the last request active in the thread (the test client runs in the
    # test's own): a test after one that fetched a Danish page would otherwise start in Danish.
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _erasure_journal_in_tmp(settings, tmp_path):
    # Every erasure appends to the journal outside the database: in tests, a file of the test's own.
    settings.ERASURE_JOURNAL_PATH = tmp_path / "erasure-journal.jsonl"


def _staff_client(client, django_user_model, *, group: str | None, superuser: bool = False):
    user = django_user_model.objects.create_user(
        username=f"{(group or 'super').lower()}-user", password="a-long-test-password-1", is_staff=True,
        is_superuser=superuser,
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id  # as django_otp.login() would after a valid token
    session.save()
    client.user = user
    return client


@pytest.fixture
def dpo_client(client, django_user_model, db):
    return _staff_client(client, django_user_model, group=DPO)


@pytest.fixture
def compliance_client(client, django_user_model, db):
    return _staff_client(client, django_user_model, group=COMPLIANCE)


@pytest.fixture
def auditor_client(client, django_user_model, db):
    return _staff_client(client, django_user_model, group=AUDITOR)


@pytest.fixture
def superuser_client(client, django_user_model, db):
    return _staff_client(client, django_user_model, group=None, superuser=True)


@pytest.fixture
def enqueued(monkeypatch):
    """The vendor follow-up sends an erasure would enqueue, collected here instead of going to the broker."""
    from retention import followups

    sent: list[int] = []
    monkeypatch.setattr(followups, "enqueue", lambda ids: sent.extend(ids))
    return sent


# `.ci/run` runs the whole suite on PostgreSQL, then these again on SQLite (the README's default, `make test` with
# no DATABASE_URL): every test module that reaches below the ORM (raw SQL, introspection, the database's own locks,
# constraints and errors, migrations, a dump of every table) and every module of the code that branches on the
# database (the sweep and retention events, erasure, the deadline schedules, the cookie endpoint's upsert, the
# bounded subject list, the health check). Marked here by what a module says, so a new test is covered by itself.
_BELOW_THE_ORM = re.compile(
    r"connection\.(cursor|vendor|introspection)|RawSQL|\.raw\(|transactional_db|IntegrityError|migrat|"
    r"select_for_update|on_postgresql|ci_uses_postgresql|database_text|table_texts|pg_dump"
)
_BRANCHING_CODE = ("test_sweep", "test_retention", "test_erasure", "test_rights_schedules", "test_consent_cookie",
                   "test_subject_admin_list", "test_healthz", "test_rights_execution",
                   "test_rights_stuck_execution")


def pytest_configure(config):
    config.addinivalue_line("markers", "both_databases: also run on SQLite by .ci/run (set in conftest.py)")


def pytest_collection_modifyitems(config, items):
    verdicts: dict[Path, bool] = {}
    for item in items:
        path = Path(item.fspath)
        if path not in verdicts:
            verdicts[path] = path.name.startswith(_BRANCHING_CODE) or bool(_BELOW_THE_ORM.search(path.read_text()))
        if verdicts[path]:
            item.add_marker(pytest.mark.both_databases)
