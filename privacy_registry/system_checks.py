"""Django system checks for a production deployment (`manage.py check --deploy`), beside Django's own security
checks: the settings that Django does not know about but that protect this product, or without which its e-mails
(the requesters' confirmation and download links) would reach nobody or point nowhere.

Not to be confused with privacy_registry.checks, the register checks (gaps in the record of processing).
Registered from PrivacyRegistryConfig.ready(), tagged deploy: a development checkout runs with the development
key and without the second factor, and only `check --deploy` should complain about it.
"""
from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.utils.translation import gettext_lazy as _

# The key settings.py falls back to when SUPPRESSION_HMAC_KEY is unset: it is in the public repository, so
# anyone could compute the suppression list's hashes with it. tests/test_deploy_system_checks.py pins it to
# the settings default.
DEVELOPMENT_SUPPRESSION_HMAC_KEY = "development-only-suppression-key-change-me-4b8e1d27c95a"
SUPPRESSION_HMAC_KEY_MIN_LENGTH = 32
AXES_FAILURE_LIMIT_MAX = 20


@register(Tags.security, deploy=True)
def check_suppression_hmac_key(app_configs=None, **kwargs) -> list[Error]:
    key = getattr(settings, "SUPPRESSION_HMAC_KEY", "") or ""
    if key == DEVELOPMENT_SUPPRESSION_HMAC_KEY:
        return [Error(
            _("SUPPRESSION_HMAC_KEY is the development key committed to the repository."),
            hint=_("Set SUPPRESSION_HMAC_KEY_FILE to a file holding a random key of at least %(length)d characters, "
                   "before the first erasure: changing it later un-suppresses everyone.")
            % {"length": SUPPRESSION_HMAC_KEY_MIN_LENGTH},
            id="privacy_registry.E001",
        )]
    if len(key) < SUPPRESSION_HMAC_KEY_MIN_LENGTH:
        return [Error(
            _("SUPPRESSION_HMAC_KEY has %(actual)d characters; it needs at least %(length)d.")
            % {"actual": len(key), "length": SUPPRESSION_HMAC_KEY_MIN_LENGTH},
            hint=_("A short key lets anyone who reads the suppression list guess the identities it hides. "
                   "Generate one with: python3 -c \"import secrets; print(secrets.token_urlsafe(64))\""),
            id="privacy_registry.E002",
        )]
    return []


@register(Tags.security, deploy=True)
def check_admin_second_factor(app_configs=None, **kwargs) -> list[Warning]:
    if getattr(settings, "ADMIN_REQUIRE_2FA", True):
        return []
    return [Warning(
        _("ADMIN_REQUIRE_2FA is off: the admin, which holds personal data, is protected by a password alone."),
        hint=_("Leave ADMIN_REQUIRE_2FA unset (or true) outside the local demo."),
        id="privacy_registry.W001",
    )]


@register(Tags.security, deploy=True)
def check_lockout_limit(app_configs=None, **kwargs) -> list[Warning]:
    limit = getattr(settings, "AXES_FAILURE_LIMIT", 0)
    if limit <= AXES_FAILURE_LIMIT_MAX:
        return []
    return [Warning(
        _("AXES_FAILURE_LIMIT is %(limit)d: a sign-in is locked only after that many wrong passwords.")
        % {"limit": limit},
        hint=_("Set AXES_FAILURE_LIMIT to %(max)d or less (the default is 5).") % {"max": AXES_FAILURE_LIMIT_MAX},
        id="privacy_registry.W002",
    )]


# --- where e-mail goes, and where its links point ---------------------------------------------------------------
# Both matter only with DEBUG off: `make run` sends mail to a file outbox and links to this machine on purpose.

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
# Backends that deliver nothing to anyone: every confirmation link, export and notice would be lost.
UNDELIVERED_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}


def is_loopback(host: str) -> bool:
    """Whether ``host`` is this machine (in a container: the container itself), or no machine at all."""
    import ipaddress

    host = (host or "").strip("[]").rstrip(".").lower()
    if not host or host == "localhost" or host.endswith(".localhost") or host == "localhost.localdomain":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


@register(Tags.security, deploy=True)
def check_mail_relay(app_configs=None, **kwargs) -> list[Error | Warning]:
    if settings.DEBUG:
        return []
    messages = []
    backend = settings.EMAIL_BACKEND
    if backend in UNDELIVERED_BACKENDS or (backend == SMTP_BACKEND and is_loopback(settings.EMAIL_HOST)):
        messages.append(Error(
            _("E-mail is not sent to a mail relay: requesters would never get their confirmation or download links."),
            hint=_("Set EMAIL_URL to the relay, e.g. smtp+tls://user@relay.example.org:587, with the password in "
                   "EMAIL_PASSWORD_FILE. Unset, mail goes to localhost:25, where nothing listens in a container."),
            id="privacy_registry.E003",
        ))
    elif (backend == SMTP_BACKEND and settings.EMAIL_HOST_PASSWORD
          and not (settings.EMAIL_USE_TLS or settings.EMAIL_USE_SSL)):
        messages.append(Warning(
            _("EMAIL_URL signs in to the mail relay without TLS: the password would cross the network readable."),
            hint=_("Use smtp+tls:// (STARTTLS, usually port 587) or smtp+ssl:// (port 465)."),
            id="privacy_registry.W003",
        ))
    domain = settings.DEFAULT_FROM_EMAIL.rstrip(">").rpartition("@")[2]
    if "." not in domain or is_loopback(domain):
        messages.append(Error(
            _("DJANGO_DEFAULT_FROM_EMAIL is not an address of a public domain (%(domain)s): relays refuse such mail "
              "or mark it as spam.") % {"domain": domain},
            hint=_("Set DJANGO_DEFAULT_FROM_EMAIL to an address of the organisation's own domain."),
            id="privacy_registry.E004",
        ))
    return messages


@register(Tags.security, deploy=True)
def check_public_base_url(app_configs=None, **kwargs) -> list[Error | Warning]:
    from urllib.parse import urlsplit

    from django.http.request import split_domain_port, validate_host

    if settings.DEBUG:
        return []
    url = settings.PUBLIC_BASE_URL
    parts = urlsplit(url)
    if parts.scheme != "https" or is_loopback(parts.hostname or ""):
        return [Error(
            _("PUBLIC_BASE_URL is %(url)s: every link in an e-mail (confirm, download, withdraw) and in the privacy "
              "notice would point there.") % {"url": url},
            hint=_("Set PUBLIC_BASE_URL to the public pages' https:// address, e.g. https://privacy.example.org."),
            id="privacy_registry.E005",
        )]
    host, _port = split_domain_port(parts.netloc.rpartition("@")[2])
    if not validate_host(host, settings.ALLOWED_HOSTS):
        return [Warning(
            _("PUBLIC_BASE_URL's host %(host)s is not in DJANGO_ALLOWED_HOSTS: its links would be refused (400).")
            % {"host": host},
            hint=_("Add it to DJANGO_ALLOWED_HOSTS, or correct PUBLIC_BASE_URL."),
            id="privacy_registry.W004",
        )]
    return []
