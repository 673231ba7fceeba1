"""A requester's confirmation e-mail reaches a real SMTP relay configured the production way: EMAIL_URL
(smtp+tls://user@host:port, STARTTLS) with the password in EMAIL_PASSWORD_FILE.

The relay is aiosmtpd on the loopback, refusing anything before STARTTLS and any sign-in outside TLS, with a
certificate for "localhost" from a certificate authority made in the test; the client trusts that authority only
through SSL_CERT_FILE, so the relay's certificate is verified, as a real relay's would be. The mail settings are read
by settings.py in a fresh interpreter from the environment (as in production), then applied to the test's process.
"""
from __future__ import annotations

import datetime
import ipaddress
import socket
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.factories import OrganisationFactory
from tests.rights_public_support import (  # noqa: F401  (fixtures)
    CONFIRM_LINK,
    eager_tasks_fixture,
    public_pages_fixture,
    submit,
)
from tests.test_settings_and_deploy import _settings

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("public_pages", "eager_tasks")]

USER = "registry@example.org"
PASSWORD = "relay-pass$word with spaces"
ADDRESS = "maja.nilsson@example.com"
MAIL_SETTINGS = ("EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD",
                 "EMAIL_USE_TLS", "EMAIL_USE_SSL", "EMAIL_TIMEOUT")


def _certificates(folder: Path) -> tuple[Path, Path, Path]:
    """A certificate authority, and a server certificate it signed for localhost and 127.0.0.1."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test relay CA")])
    ca = (
        x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                     crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    server = (
        x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                    x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                       critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    paths = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(server.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return paths


class Relay:
    """aiosmtpd's handler: keeps each message with how its session was secured and who signed in."""

    def __init__(self):
        self.received: list[dict] = []

    def authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            USER.encode(), PASSWORD.encode())
        return AuthResult(success=ok, auth_data=auth_data)

    async def handle_DATA(self, server, session, envelope):
        self.received.append({"tls": session.ssl is not None, "user": session.auth_data.login.decode(),
                              "to": envelope.rcpt_tos, "from": envelope.mail_from,
                              "body": envelope.content.decode("utf-8", "replace")})
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def relay(tmp_path, monkeypatch):
    import ssl

    ca, certificate, key = _certificates(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificate, key)
    handler = Relay()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port(), tls_context=context,
                            require_starttls=True, auth_require_tls=True, auth_required=True,
                            authenticator=handler.authenticate)
    controller.start()
    # The client's default trust store is this authority alone: the relay's certificate is really verified.
    monkeypatch.setenv("SSL_CERT_FILE", str(ca))
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    handler.port = controller.port
    yield handler
    controller.stop()


def _production_mail_settings(tmp_path: Path, url: str, settings) -> None:
    password_file = tmp_path / "email_password"
    password_file.write_text(PASSWORD + "\n")
    got = _settings(tmp_path, {"EMAIL_URL": url, "EMAIL_PASSWORD_FILE": str(password_file),
                               "DJANGO_DEFAULT_FROM_EMAIL": "Privacy <privacy@example.org>"},
                    *MAIL_SETTINGS, "DEFAULT_FROM_EMAIL")
    for name, value in got.items():
        setattr(settings, name, value)


def test_the_confirmation_mail_arrives_over_starttls_signed_in(client, relay, tmp_path, settings,
                                                                django_capture_on_commit_callbacks):
    _production_mail_settings(tmp_path, f"smtp+tls://registry%40example.org@localhost:{relay.port}/?timeout=10",
                              settings)
    assert settings.EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend" and settings.EMAIL_USE_TLS
    organisation = OrganisationFactory()
    response = submit(client, organisation, django_capture_on_commit_callbacks, email=ADDRESS)
    assert response.status_code == 302

    (message,) = relay.received
    assert message["tls"] and message["user"] == USER
    assert message["to"] == [ADDRESS] and message["from"] == "privacy@example.org"
    assert f"/privacy/{organisation.slug}/request/confirm/" in message["body"]
    assert CONFIRM_LINK.search(message["body"].replace("=\r\n", "").replace("=\n", ""))


def test_the_same_relay_gets_nothing_over_plain_smtp(client, relay, tmp_path, settings,
                                                     django_capture_on_commit_callbacks):
    """Without STARTTLS the relay takes no mail: the test above could not pass had it not been used."""
    _production_mail_settings(tmp_path, f"smtp://registry%40example.org@localhost:{relay.port}/?timeout=10",
                              settings)
    assert not settings.EMAIL_USE_TLS
    response = submit(client, OrganisationFactory(), django_capture_on_commit_callbacks, email=ADDRESS)
    assert response.status_code == 302  # the request is kept; its e-mail is retried later
    assert relay.received == []
