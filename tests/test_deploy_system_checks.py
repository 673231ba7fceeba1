"""`manage.py check --deploy` refuses the committed development suppression key or a short one, and warns when
the admin's second factor is off or the sign-in lockout is lax (privacy_registry/system_checks.py). With DEBUG off it
refuses mail that reaches no relay (localhost:25, the console, a file) or leaves from no domain, and a PUBLIC_BASE_URL
on the loopback or plain http (every e-mailed link is built on it)."""
from __future__ import annotations

import secrets

import pytest
from django.core.checks import run_checks

from privacy_registry import system_checks
from tests.test_settings_and_deploy import _production_env, _run, _settings

GOOD_KEY = secrets.token_urlsafe(48)


def _ids() -> set[str]:
    return {message.id for message in run_checks(include_deployment_checks=True)
            if message.id and message.id.startswith("privacy_registry.")}


@pytest.fixture
def good(settings):
    settings.SUPPRESSION_HMAC_KEY = GOOD_KEY
    settings.ADMIN_REQUIRE_2FA = True
    settings.AXES_FAILURE_LIMIT = 5
    settings.DEBUG = False
    settings.EMAIL_BACKEND = system_checks.SMTP_BACKEND
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "smtp.example.org", 587, True
    settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = "registry", "relay-password"
    settings.DEFAULT_FROM_EMAIL = "Privacy <privacy@example.org>"
    settings.PUBLIC_BASE_URL = "https://registry.example.org"
    settings.ALLOWED_HOSTS = ["registry.example.org"]
    return settings


def test_good_settings_raise_nothing(good):
    assert _ids() == set()


def test_the_development_suppression_key_is_an_error(good):
    good.SUPPRESSION_HMAC_KEY = system_checks.DEVELOPMENT_SUPPRESSION_HMAC_KEY
    (message,) = [m for m in run_checks(include_deployment_checks=True) if m.id == "privacy_registry.E001"]
    assert message.is_serious()


@pytest.mark.parametrize("key", ["", "short", "x" * 31])
def test_a_suppression_key_shorter_than_32_characters_is_an_error(good, key):
    good.SUPPRESSION_HMAC_KEY = key
    assert _ids() == {"privacy_registry.E002"}


def test_a_32_character_key_is_enough(good):
    good.SUPPRESSION_HMAC_KEY = secrets.token_hex(16)
    assert len(good.SUPPRESSION_HMAC_KEY) == 32
    assert _ids() == set()


def test_admin_without_second_factor_is_a_warning(good):
    good.ADMIN_REQUIRE_2FA = False
    (message,) = [m for m in run_checks(include_deployment_checks=True) if m.id == "privacy_registry.W001"]
    assert not message.is_serious()


@pytest.mark.parametrize(("limit", "expected"), [(20, set()), (21, {"privacy_registry.W002"}),
                                                 (1000, {"privacy_registry.W002"})])
def test_a_lockout_limit_above_20_is_a_warning(good, limit, expected):
    good.AXES_FAILURE_LIMIT = limit
    assert _ids() == expected


@pytest.mark.parametrize("backend", sorted(system_checks.UNDELIVERED_BACKENDS))
def test_a_backend_that_delivers_to_nobody_is_an_error(good, backend):
    good.EMAIL_BACKEND = backend
    assert _ids() == {"privacy_registry.E003"}


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "::1", "127.0.1.1", "", "mail.localhost"])
def test_smtp_to_this_machine_is_an_error(good, host):
    good.EMAIL_HOST = host
    (message,) = [m for m in run_checks(include_deployment_checks=True) if m.id == "privacy_registry.E003"]
    assert message.is_serious() and "EMAIL_URL" in message.hint


def test_a_relay_password_without_tls_is_a_warning(good):
    good.EMAIL_USE_TLS = False
    assert _ids() == {"privacy_registry.W003"}
    good.EMAIL_USE_SSL = True
    assert _ids() == set()


@pytest.mark.parametrize("sender", ["privacy@localhost", "Privacy <privacy@localhost>", "root@127.0.0.1"])
def test_a_sender_of_no_domain_is_an_error(good, sender):
    good.DEFAULT_FROM_EMAIL = sender
    assert _ids() == {"privacy_registry.E004"}


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000", "https://127.0.0.1:8000", "https://localhost",
                                 "http://registry.example.org", "https://[::1]:8443", "http://0.0.0.0:8000"])
def test_a_public_base_url_on_the_loopback_or_plain_http_is_an_error(good, url):
    good.PUBLIC_BASE_URL = url
    assert _ids() == {"privacy_registry.E005"}


def test_a_public_base_url_the_allowed_hosts_refuse_is_a_warning(good):
    good.PUBLIC_BASE_URL = "https://privacy.example.org"
    assert _ids() == {"privacy_registry.W004"}
    good.ALLOWED_HOSTS = [".example.org"]
    assert _ids() == set()


def test_with_debug_on_mail_and_links_may_stay_on_this_machine(good):
    good.DEBUG = True
    good.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    good.DEFAULT_FROM_EMAIL = "privacy@localhost"
    good.PUBLIC_BASE_URL = "http://127.0.0.1:8101"
    assert _ids() == set()


def test_the_checks_run_only_for_deploy(settings):
    settings.SUPPRESSION_HMAC_KEY = system_checks.DEVELOPMENT_SUPPRESSION_HMAC_KEY
    settings.ADMIN_REQUIRE_2FA = False
    settings.AXES_FAILURE_LIMIT = 1000
    assert not [m for m in run_checks() if m.id and m.id.startswith("privacy_registry.")]


# --- through manage.py, in fresh interpreters (settings are read at import) ----------------------------------


def test_the_pinned_development_key_is_the_settings_default(tmp_path):
    default = _settings(tmp_path, {}, "SUPPRESSION_HMAC_KEY")["SUPPRESSION_HMAC_KEY"]
    assert default == system_checks.DEVELOPMENT_SUPPRESSION_HMAC_KEY


def test_check_deploy_fails_on_the_development_defaults_and_a_lax_lockout(tmp_path):
    done = _run(["manage.py", "check", "--deploy"], {"ADMIN_REQUIRE_2FA": "false", "AXES_FAILURE_LIMIT": "1000"},
                tmp_path)
    assert done.returncode != 0
    for check_id in ("privacy_registry.E001", "privacy_registry.W001", "privacy_registry.W002",
                     "privacy_registry.E003", "privacy_registry.E004", "privacy_registry.E005"):
        assert check_id in done.stderr, check_id


def test_check_deploy_fails_on_the_compose_environment_with_a_loopback_url_or_no_relay(tmp_path):
    env = _production_env(tmp_path)
    env["PUBLIC_BASE_URL"] = "http://127.0.0.1:8000"
    del env["EMAIL_URL"], env["EMAIL_PASSWORD_FILE"]
    done = _run(["manage.py", "check", "--deploy"], env, tmp_path)
    assert done.returncode != 0
    assert "privacy_registry.E003" in done.stderr and "privacy_registry.E005" in done.stderr


def test_check_deploy_fails_on_a_short_key_in_the_production_environment(tmp_path):
    env = _production_env(tmp_path)
    (tmp_path / "short_key").write_text("too-short\n")
    env["SUPPRESSION_HMAC_KEY_FILE"] = str(tmp_path / "short_key")
    done = _run(["manage.py", "check", "--deploy"], env, tmp_path)
    assert done.returncode != 0
    assert "privacy_registry.E002" in done.stderr
    assert "too-short" not in done.stdout + done.stderr, "the key itself is never echoed"
