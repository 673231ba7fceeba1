"""`manage.py check --deploy` refuses the committed development suppression key or a short one, and warns when
the admin's second factor is off or the sign-in lockout is lax (privacy_registry/system_checks.py)."""
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
    for check_id in ("privacy_registry.E001", "privacy_registry.W001", "privacy_registry.W002"):
        assert check_id in done.stderr, check_id


def test_check_deploy_fails_on_a_short_key_in_the_production_environment(tmp_path):
    env = _production_env(tmp_path)
    (tmp_path / "short_key").write_text("too-short\n")
    env["SUPPRESSION_HMAC_KEY_FILE"] = str(tmp_path / "short_key")
    done = _run(["manage.py", "check", "--deploy"], env, tmp_path)
    assert done.returncode != 0
    assert "privacy_registry.E002" in done.stderr
    assert "too-short" not in done.stdout + done.stderr, "the key itself is never echoed"
