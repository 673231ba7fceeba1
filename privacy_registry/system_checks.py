"""Django system checks for a production deployment (`manage.py check --deploy`), beside Django's own security
checks: the settings that Django does not know about but that protect this product.

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
