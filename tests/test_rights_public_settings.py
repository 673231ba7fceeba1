"""Settings of the public pages: the cache follows REDIS_URL, rates are checked at start, and django-ratelimit's
"not a shared cache" error is silenced only where no shared cache is configured."""
from __future__ import annotations

import pytest

from tests.test_settings_and_deploy import _run, _settings


def test_cache_is_redis_with_redis_url_and_local_memory_without(tmp_path):
    with_redis = _settings(tmp_path, {"REDIS_URL": "redis://127.0.0.1:6379/9"}, "CACHES", "SILENCED_SYSTEM_CHECKS")
    assert with_redis["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert with_redis["CACHES"]["default"]["LOCATION"] == "redis://127.0.0.1:6379/9"
    assert "django_ratelimit.E003" not in with_redis["SILENCED_SYSTEM_CHECKS"]
    without = _settings(tmp_path, {}, "CACHES", "SILENCED_SYSTEM_CHECKS")
    assert without["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert "django_ratelimit.E003" in without["SILENCED_SYSTEM_CHECKS"]


def test_rates_come_from_the_environment(tmp_path):
    got = _settings(tmp_path, {"RIGHTS_RATELIMIT_IP": "7/10m", "RIGHTS_RATELIMIT_EMAIL": "2/d"},
                    "RIGHTS_RATELIMIT_IP", "RIGHTS_RATELIMIT_EMAIL", "RATELIMIT_ENABLE")
    assert got == {"RIGHTS_RATELIMIT_IP": "7/10m", "RIGHTS_RATELIMIT_EMAIL": "2/d", "RATELIMIT_ENABLE": True}


@pytest.mark.parametrize(("name", "value"), [
    ("RIGHTS_RATELIMIT_IP", "20 per hour"), ("RIGHTS_RATELIMIT_EMAIL", "0/h"), ("RIGHTS_RATELIMIT_IP", "5/w"),
    ("RIGHTS_FORM_MIN_SECONDS", "-1"), ("RIGHTS_FORM_MAX_AGE_HOURS", "0"),
])
def test_a_bad_value_stops_start_up_naming_the_variable(tmp_path, name, value):
    done = _run(["-c", "import privacy_registry.settings"], {name: value}, tmp_path)
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr and name in done.stderr
