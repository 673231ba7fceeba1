"""Each vendor's webhook may be signed with its own secret: the channel stores only the secret's name, the value
comes from PROCESSOR_ERASURE_WEBHOOK_SECRETS (environment or ``_FILE``), and a name that is not configured is
refused when the channel is saved and fails the follow-up, saying which name, when it is sent. No secret value
is ever in the database, a log line or ``last_error``."""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from retention import engine, followups, notifiers
from retention.models import ErasureChannel, ErasureRecord, ProcessorErasure, SystemErasureChannel
from subjects.models import SystemRecord
from tests import factories as f
from tests.retention_support import database_text, person_with_copies

pytestmark = pytest.mark.django_db
Status = ProcessorErasure.Status
SHARED = "shared-secret-value-0001"
ACME = "acme-secret-value-7f3a9c"
GLOBEX = "globex-secret-value-51be02"
BASE_DIR = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.PROCESSOR_ERASURE_WEBHOOK_SECRET = SHARED
    settings.PROCESSOR_ERASURE_WEBHOOK_SECRETS = {"acme": ACME, "globex": GLOBEX}


class _Verifier(BaseHTTPRequestHandler):
    """A vendor's endpoint: 204 when the body's signature verifies under the vendor's secret, 401 otherwise."""

    def do_POST(self):  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        expected = "sha256=" + hmac.new(self.server.secret.encode(), body, hashlib.sha256).hexdigest()
        ok = hmac.compare_digest(self.headers.get(notifiers.SIGNATURE_HEADER, ""), expected)
        self.server.received.append((ok, json.loads(body)))
        self.send_response(204 if ok else 401)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def vendor_endpoint():
    servers = []

    def start(secret: str) -> HTTPServer:
        httpd = HTTPServer(("127.0.0.1", 0), _Verifier)
        httpd.secret, httpd.received = secret, []
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}/erasures"
        servers.append(httpd)
        return httpd

    yield start
    for httpd in servers:
        httpd.shutdown()
        httpd.server_close()


def _erased_in(system, tag: str) -> int:
    person = person_with_copies(tag=tag)
    SystemRecord.objects.filter(subject=person.subject).update(system=system)
    engine.subject_erase(subject=person.subject, reason=ErasureRecord.Reason.RIGHTS_REQUEST)
    [pk] = ProcessorErasure.objects.filter(subject_id=person.subject.pk).values_list("pk", flat=True)
    return pk


def _webhook_system(url: str, secret_name: str = ""):
    system = f.SystemFactory()
    SystemErasureChannel.objects.create(system=system, channel=ErasureChannel.WEBHOOK, webhook_url=url,
                                        secret_name=secret_name)
    return system


def test_each_vendor_webhook_is_signed_with_its_own_secret(vendor_endpoint, enqueued, caplog):
    acme, globex, shared = vendor_endpoint(ACME), vendor_endpoint(GLOBEX), vendor_endpoint(SHARED)
    ids = {
        "acme": _erased_in(_webhook_system(acme.url, "acme"), "ac"),
        "globex": _erased_in(_webhook_system(globex.url, "globex"), "gx"),
        "shared": _erased_in(_webhook_system(shared.url), "sh"),
    }

    with caplog.at_level(logging.DEBUG):
        outcomes = {name: followups.followup_send(followup_id=pk) for name, pk in ids.items()}

    assert outcomes == {"acme": Status.SENT, "globex": Status.SENT, "shared": Status.SENT}
    assert [ok for ok, _payload in acme.received + globex.received + shared.received] == [True, True, True]
    assert acme.received[0][1]["external_id"] == "hubspot-ac-4242"
    everything = caplog.text + database_text()
    assert not [s for s in (ACME, GLOBEX, SHARED) if s.lower() in everything.lower()]


def test_a_vendor_checking_its_own_secret_rejects_the_shared_one(vendor_endpoint, enqueued):
    # The channel forgot its name: signed with the shared secret, the vendor's check fails (and it is not retried).
    acme = vendor_endpoint(ACME)
    pk = _erased_in(_webhook_system(acme.url), "nm")

    assert followups.followup_send(followup_id=pk) == Status.FAILED

    assert [ok for ok, _payload in acme.received] == [False]
    assert ProcessorErasure.objects.get(pk=pk).last_error == "HTTP 401"


def test_a_channel_naming_an_unconfigured_secret_fails_the_follow_up_saying_which(
    vendor_endpoint, enqueued, settings, caplog,
):
    endpoint = vendor_endpoint(ACME)
    system = _webhook_system(endpoint.url, "acme")
    pk = _erased_in(system, "uc")
    settings.PROCESSOR_ERASURE_WEBHOOK_SECRETS = {"globex": GLOBEX}  # acme's secret was removed since

    with caplog.at_level(logging.DEBUG):
        assert followups.followup_send(followup_id=pk) == Status.FAILED

    row = ProcessorErasure.objects.get(pk=pk)
    assert row.last_error == "webhook secret 'acme' is not configured in PROCESSOR_ERASURE_WEBHOOK_SECRETS"
    assert row.attempts == 1 and row.next_attempt_at is None and row.external_id_sealed
    assert endpoint.received == []  # nothing unsigned or wrongly signed went out
    assert GLOBEX not in caplog.text and ACME not in caplog.text and "hubspot-uc-4242" not in caplog.text


def test_a_channel_naming_an_unconfigured_secret_is_refused_when_saved(superuser_client):
    system = f.SystemFactory()
    channel = SystemErasureChannel(system=system, channel=ErasureChannel.WEBHOOK, webhook_url="https://v.example/h",
                                   secret_name="initech")
    with pytest.raises(ValidationError) as refused:
        channel.full_clean()
    assert "initech" in str(refused.value.message_dict["secret_name"])

    page = superuser_client.post(reverse("admin:retention_systemerasurechannel_add"), {
        "system": system.pk, "channel": ErasureChannel.WEBHOOK, "webhook_url": "https://v.example/h",
        "secret_name": "initech",
    })

    assert page.status_code == 200 and not SystemErasureChannel.objects.exists()
    assert "No webhook secret named initech is configured" in page.content.decode()

    superuser_client.post(reverse("admin:retention_systemerasurechannel_add"), {
        "system": system.pk, "channel": ErasureChannel.WEBHOOK, "webhook_url": "https://v.example/h",
        "secret_name": "acme",
    })
    assert SystemErasureChannel.objects.get(system=system).secret_name == "acme"


def test_a_secret_name_is_only_for_a_webhook_and_a_webhook_needs_some_secret(settings):
    system = f.SystemFactory()
    with pytest.raises(ValidationError) as refused:
        SystemErasureChannel(system=system, channel=ErasureChannel.EMAIL, secret_name="acme").full_clean()
    assert set(refused.value.message_dict) == {"secret_name"}

    settings.PROCESSOR_ERASURE_WEBHOOK_SECRET = ""
    unsigned = SystemErasureChannel(system=system, channel=ErasureChannel.WEBHOOK, webhook_url="https://v.example/h")
    with pytest.raises(ValidationError) as refused:
        unsigned.full_clean()
    assert "PROCESSOR_ERASURE_WEBHOOK_SECRET is not set" in str(refused.value.message_dict["secret_name"])
    unsigned.secret_name = "acme"
    unsigned.full_clean()


# --- settings: from the environment or a file, bad values stop start-up ---------------------------------------------


def _read_settings(tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    code = ("import json, privacy_registry.settings as s\n"
            "print(json.dumps(s.PROCESSOR_ERASURE_WEBHOOK_SECRETS))")
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "privacy_registry.settings", "DJANGO_VAR_DIR": str(tmp_path / "var"),
            "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([sys.executable, "-c", code], env=base | env, cwd=BASE_DIR, capture_output=True,
                          text=True, timeout=120)


def test_vendor_secrets_are_read_from_the_environment_or_a_secret_file(tmp_path):
    from_env = _read_settings(tmp_path, {"PROCESSOR_ERASURE_WEBHOOK_SECRETS": json.dumps({"acme": ACME})})
    assert from_env.returncode == 0, from_env.stderr
    assert json.loads(from_env.stdout.strip().splitlines()[-1]) == {"acme": ACME}

    secret_file = tmp_path / "webhook_secrets"
    secret_file.write_text(json.dumps({"acme": ACME, "globex": GLOBEX}) + "\n")
    from_file = _read_settings(tmp_path, {"PROCESSOR_ERASURE_WEBHOOK_SECRETS_FILE": str(secret_file)})
    assert from_file.returncode == 0, from_file.stderr
    assert json.loads(from_file.stdout.strip().splitlines()[-1]) == {"acme": ACME, "globex": GLOBEX}

    unset = _read_settings(tmp_path, {})
    assert unset.returncode == 0 and json.loads(unset.stdout.strip().splitlines()[-1]) == {}


@pytest.mark.parametrize(("value", "says"), [
    ('{"acme": "' + ACME + '"', "must be a JSON object"),
    ('["' + ACME + '"]', "must be a JSON object"),
    ('{"Acme Corp": "' + ACME + '"}', "'Acme Corp' is not a secret name"),
    ('{"acme": ""}', "the secret 'acme' must be a non-empty string"),
    ('{"acme": 12345}', "the secret 'acme' must be a non-empty string"),
])
def test_a_bad_secrets_value_stops_start_up_without_showing_it(tmp_path, value, says):
    done = _read_settings(tmp_path, {"PROCESSOR_ERASURE_WEBHOOK_SECRETS": value})
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr and says in done.stderr
    assert ACME not in done.stderr
