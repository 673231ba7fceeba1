"""Settings from the environment, and the production shape (Dockerfile, docker-compose.yml).

Settings are read at import, so each case runs in a fresh interpreter with an environment built from
nothing: the suite's own DATABASE_URL / REDIS_URL (CI sets them) must not leak into what is tested.
The production environment is read from docker-compose.yml itself, so the file and the test cannot drift.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.test import RequestFactory

BASE_DIR = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())
DOCKERFILE = (BASE_DIR / "Dockerfile").read_text()
PUBLIC_HOST = "registry.example.org"
# What the operator puts in .env (the header of docker-compose.yml).
OPERATOR_ENV = {
    "DJANGO_ALLOWED_HOSTS": PUBLIC_HOST,
    "PUBLIC_BASE_URL": f"https://{PUBLIC_HOST}",
    "EMAIL_URL": "smtp+tls://registry@smtp.example.org:587",
    "DJANGO_DEFAULT_FROM_EMAIL": "privacy@example.org",
}


def _run(args: list[str], env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    base = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "privacy_registry.settings",
        # Where settings may create the broker folders: never the checkout's var/.
        "DJANGO_VAR_DIR": str(tmp_path / "var"),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    return subprocess.run(
        [sys.executable, *args], env=base | env, cwd=BASE_DIR, capture_output=True, text=True, timeout=120
    )


def _settings(tmp_path: Path, env: dict[str, str], *names: str) -> dict:
    code = (
        "import json, privacy_registry.settings as s\n"
        f"print(json.dumps({{n: getattr(s, n) for n in {list(names)!r}}}, default=str))"
    )
    done = _run(["-c", code], env, tmp_path)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _interpolate(value: str, supplied: dict[str, str]) -> str:
    """Compose's ${NAME}, ${NAME:-default} and ${NAME:?error}: the test supplies what the operator would."""

    def one(match: re.Match) -> str:
        name, op, rest = match.group(1), match.group(2), match.group(3)
        if name in supplied:
            return supplied[name]
        if op == ":-":
            return rest
        raise AssertionError(f"docker-compose.yml needs {name}, which the test does not supply")

    return re.sub(r"\$\{(\w+)(?:(:[-?])([^}]*))?\}", one, str(value)).replace("$$", "$")


def _production_env(tmp_path: Path) -> dict[str, str]:
    """The web service's environment from docker-compose.yml. Container paths are replaced by local ones:
    each ``*_FILE`` secret by a file holding a fresh random value (with the newline ``print`` leaves),
    DJANGO_VAR_DIR by a temporary folder. Everything else is exactly as the compose file says."""
    env = {}
    for key, value in COMPOSE["services"]["web"]["environment"].items():
        env[key] = _interpolate(value, OPERATOR_ENV)
        if key.endswith("_FILE"):
            secret_file = tmp_path / key.lower()
            secret_file.write_text(secrets.token_urlsafe(64) + "\n")
            env[key] = str(secret_file)
    env["DJANGO_VAR_DIR"] = str(tmp_path / "var")
    return env


# --- docker-compose.yml and Dockerfile -------------------------------------------------------------------


def test_compose_runs_the_production_services_with_healthchecks():
    services = COMPOSE["services"]
    assert {"postgres", "redis", "migrate", "web", "worker", "beat"} <= set(services)
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert "redis-cli ping" in " ".join(services["redis"]["healthcheck"]["test"])
    # The web probe is the image's /healthz client.
    assert services["web"]["healthcheck"]["test"] == ["CMD", "registry-healthcheck"]
    assert "/usr/local/bin/registry-healthcheck" in DOCKERFILE and "/healthz" in DOCKERFILE
    # Containers that serve no HTTP must not inherit the image's HTTP healthcheck.
    assert services["beat"]["healthcheck"] == {"disable": True}
    assert services["migrate"]["healthcheck"] == {"disable": True}
    assert "inspect ping" in " ".join(services["worker"]["healthcheck"]["test"])


def test_compose_starts_the_app_only_on_healthy_services_and_after_migrate():
    services = COMPOSE["services"]
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert services["migrate"]["restart"] == "no"
    for name in ("migrate", "web", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["postgres"] == {"condition": "service_healthy"}, name
        assert depends["redis"] == {"condition": "service_healthy"}, name
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}, name


def test_compose_commands_gunicorn_worker_and_beat_with_its_schedule_in_a_volume():
    services = COMPOSE["services"]
    assert services["web"]["command"][:2] == ["gunicorn", "privacy_registry.wsgi:application"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "privacy_registry", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "privacy_registry", "beat"]
    # The schedule file lives in DJANGO_VAR_DIR (CELERY_BEAT_SCHEDULE_FILENAME): that folder is a named volume.
    var_dir = services["beat"]["environment"]["DJANGO_VAR_DIR"]
    volume, target = services["beat"]["volumes"][0].split(":", 1)
    assert target == var_dir and volume in COMPOSE["volumes"]
    # Only the host's proxy reaches gunicorn, since X-Forwarded-Proto is trusted.
    assert services["web"]["ports"] == ["127.0.0.1:8000:8000"]


def test_compose_keeps_the_erasure_journal_in_a_volume_shared_by_every_service_that_erases():
    services = COMPOSE["services"]
    journal_dir = str(Path(services["web"]["environment"]["ERASURE_JOURNAL_PATH"]).parent)
    for name in ("web", "worker"):  # the admin's "erase now", and the sweep
        mounts = dict(volume.split(":", 1)[::-1] for volume in services[name]["volumes"])
        assert journal_dir in mounts, name
        assert mounts[journal_dir] in COMPOSE["volumes"]
    # The app user owns the folder in the image, so a fresh named volume starts writable.
    assert journal_dir in (BASE_DIR / "Dockerfile").read_text()


def test_compose_production_environment_turns_every_switch_on():
    env = COMPOSE["services"]["web"]["environment"]
    assert env["DJANGO_DEBUG"] == "false"
    assert env["ADMIN_REQUIRE_2FA"] == "true"
    for key in ("DJANGO_SECURE_SSL_REDIRECT", "DJANGO_BEHIND_PROXY", "DJANGO_SESSION_COOKIE_SECURE",
                "DJANGO_CSRF_COOKIE_SECURE"):
        assert env[key] == "true", key
    assert env["DJANGO_SECURE_HSTS_SECONDS"] == "31536000"
    assert env["DATABASE_URL"].startswith("postgres://")
    assert env["REDIS_URL"] == "redis://redis:6379/0"
    assert "DJANGO_ALLOWED_HOSTS" in env
    # Secrets come as files, never as values in this file.
    assert "DJANGO_SECRET_KEY" not in env and env["DJANGO_SECRET_KEY_FILE"].startswith("/run/secrets/")
    assert ":" not in env["DATABASE_URL"].split("//", 1)[1].split("@", 1)[0], "no password in DATABASE_URL"
    assert env["DATABASE_PASSWORD_FILE"] == COMPOSE["services"]["postgres"]["environment"]["POSTGRES_PASSWORD_FILE"]
    # Worker, beat and migrate run with the same settings as web.
    for name in ("migrate", "worker", "beat"):
        assert COMPOSE["services"][name]["environment"] == env, name
        assert set(COMPOSE["services"][name]["secrets"]) == set(COMPOSE["services"]["web"]["secrets"]), name


def test_dockerfile_builds_a_non_root_gunicorn_image_with_collected_static_files():
    assert re.search(r"^FROM python:3\.11-slim$", DOCKERFILE, re.M)
    assert "pip install -r requirements.txt" in DOCKERFILE
    assert "DJANGO_STATICFILES_STORAGE=whitenoise.storage.CompressedManifestStaticFilesStorage" in DOCKERFILE
    assert re.search(r"^RUN .*manage\.py collectstatic --noinput", DOCKERFILE, re.M)
    users = re.findall(r"^USER (\S+)$", DOCKERFILE, re.M)
    assert users and users[-1] not in {"root", "0"}
    assert re.search(r"^HEALTHCHECK .*registry-healthcheck", DOCKERFILE, re.M)
    assert re.search(r'^CMD \["gunicorn", "privacy_registry\.wsgi:application"', DOCKERFILE, re.M)
    dockerignore = (BASE_DIR / ".dockerignore").read_text().split()
    assert {"secrets/", ".venv/", ".env", "db.sqlite3"} <= set(dockerignore)


def test_dockerfile_healthcheck_probe_is_valid_python():
    probe = re.search(r"^COPY --chmod=0755 <<'EOF' /usr/local/bin/registry-healthcheck\n(.*?)^EOF$", DOCKERFILE,
                      re.M | re.S)
    assert probe, "the probe is written into the image by a heredoc"
    compile(probe.group(1), "registry-healthcheck", "exec")
    assert "X-Forwarded-Proto" in probe.group(1) and "DJANGO_ALLOWED_HOSTS" in probe.group(1)


# --- check --deploy ------------------------------------------------------------------------------------------


def test_check_deploy_is_clean_under_the_compose_production_environment(tmp_path):
    done = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], _production_env(tmp_path), tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout


def test_check_deploy_warns_under_the_development_defaults(tmp_path):
    done = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], {}, tmp_path)
    assert done.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W009", "security.W012", "security.W016"):
        assert warning in done.stderr, warning


def test_production_environment_yields_the_hardened_settings(tmp_path):
    env = _production_env(tmp_path)
    got = _settings(
        tmp_path, env, "DEBUG", "SECRET_KEY", "DATABASES", "CELERY_BROKER_URL", "SECURE_PROXY_SSL_HEADER",
        "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "ADMIN_REQUIRE_2FA", "ALLOWED_HOSTS", "SUPPRESSION_HMAC_KEY",
    )
    assert got["DEBUG"] is False and got["ADMIN_REQUIRE_2FA"] is True
    assert got["SECRET_KEY"] == Path(env["DJANGO_SECRET_KEY_FILE"]).read_text().strip()
    assert got["SUPPRESSION_HMAC_KEY"] == Path(env["SUPPRESSION_HMAC_KEY_FILE"]).read_text().strip()
    db = got["DATABASES"]["default"]
    assert (db["ENGINE"], db["HOST"], db["NAME"], db["USER"]) == (
        "django.db.backends.postgresql", "postgres", "registry", "registry"
    )
    assert db["PASSWORD"] == Path(env["DATABASE_PASSWORD_FILE"]).read_text().strip()
    assert got["CELERY_BROKER_URL"] == "redis://redis:6379/0"
    assert got["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert got["SESSION_COOKIE_SECURE"] is True and got["CSRF_COOKIE_SECURE"] is True
    assert got["ALLOWED_HOSTS"] == [PUBLIC_HOST]


def test_compose_takes_the_public_address_and_the_mail_relay_from_the_operator_without_a_default():
    env = COMPOSE["services"]["web"]["environment"]
    # No loopback default: every e-mailed link is built on PUBLIC_BASE_URL.
    for key in ("PUBLIC_BASE_URL", "EMAIL_URL", "DJANGO_DEFAULT_FROM_EMAIL"):
        assert re.fullmatch(rf"\$\{{{key}:\?[^}}]+\}}", env[key]), key
    # The relay's password is a secret file, mounted in every service that may send mail.
    assert env["EMAIL_PASSWORD_FILE"] == "/run/secrets/email_password"
    assert COMPOSE["secrets"]["email_password"] == {"file": "./secrets/email_password"}
    for name in ("web", "worker", "beat"):
        assert "email_password" in COMPOSE["services"][name]["secrets"], name
    # The header tells the operator what to put in .env and secrets/.
    header = (BASE_DIR / "docker-compose.yml").read_text().split("\nname:", 1)[0]
    for needed in ("PUBLIC_BASE_URL=https://", "EMAIL_URL=smtp+tls://", "secrets/email_password",
                   "DJANGO_DEFAULT_FROM_EMAIL="):
        assert needed in header, needed


def test_production_environment_sends_mail_through_the_relay_with_the_password_from_its_file(tmp_path):
    env = _production_env(tmp_path)
    got = _settings(tmp_path, env, "EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER",
                    "EMAIL_HOST_PASSWORD", "EMAIL_USE_TLS", "EMAIL_USE_SSL", "EMAIL_TIMEOUT", "DEFAULT_FROM_EMAIL",
                    "SERVER_EMAIL", "PUBLIC_BASE_URL")
    assert got == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "smtp.example.org",
        "EMAIL_PORT": 587, "EMAIL_HOST_USER": "registry",
        "EMAIL_HOST_PASSWORD": Path(env["EMAIL_PASSWORD_FILE"]).read_text().strip(),
        "EMAIL_USE_TLS": True, "EMAIL_USE_SSL": False, "EMAIL_TIMEOUT": 30,
        "DEFAULT_FROM_EMAIL": "privacy@example.org", "SERVER_EMAIL": "privacy@example.org",
        "PUBLIC_BASE_URL": f"https://{PUBLIC_HOST}",
    }


EMAIL_URLS = [
    ("smtp://relay.example.org:587/?tls=true&timeout=5", {"EMAIL_HOST": "relay.example.org", "EMAIL_PORT": 587,
                                                          "EMAIL_USE_TLS": True, "EMAIL_TIMEOUT": 5}),
    ("smtp://relay.example.org/?tls=false", {"EMAIL_PORT": 25, "EMAIL_USE_TLS": False, "EMAIL_USE_SSL": False}),
    ("smtp+ssl://u%40example.org:p%40ss@relay.example.org", {"EMAIL_PORT": 465, "EMAIL_USE_SSL": True,
                                                              "EMAIL_HOST_USER": "u@example.org",
                                                              "EMAIL_HOST_PASSWORD": "p@ss"}),
    ("consolemail://", {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend", "EMAIL_HOST": ""}),
    ("filemail:///srv/outbox", {"EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                                "EMAIL_FILE_PATH": "/srv/outbox", "EMAIL_HOST": ""}),
    ("filemail://var/outbox", {"EMAIL_FILE_PATH": str(BASE_DIR / "var" / "outbox")}),
]


@pytest.mark.parametrize(("url", "expected"), EMAIL_URLS, ids=[url for url, _ in EMAIL_URLS])
def test_EMAIL_URL_sets_the_mail_settings(tmp_path, url, expected):
    got = _settings(tmp_path, {"EMAIL_URL": url}, *expected)
    assert got == expected


def test_EMAIL_URL_may_come_from_a_file_and_a_password_starting_with_a_dollar_is_kept(tmp_path):
    (tmp_path / "email_url").write_text("smtp+tls://registry@relay.example.org:587\n")
    (tmp_path / "email_password").write_text("$not-a-variable-name\n")
    env = {"EMAIL_URL_FILE": str(tmp_path / "email_url"), "EMAIL_PASSWORD_FILE": str(tmp_path / "email_password")}
    got = _settings(tmp_path, env, "EMAIL_HOST", "EMAIL_HOST_PASSWORD", "EMAIL_USE_TLS")
    assert got == {"EMAIL_HOST": "relay.example.org", "EMAIL_HOST_PASSWORD": "$not-a-variable-name",
                   "EMAIL_USE_TLS": True}


def test_without_EMAIL_URL_mail_is_printed_under_debug_and_goes_to_localhost_otherwise(tmp_path):
    debug = _settings(tmp_path, {"DJANGO_DEBUG": "true"}, "EMAIL_BACKEND")
    assert debug["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    production = _settings(tmp_path, {}, "EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT")
    assert production == {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "localhost",
                          "EMAIL_PORT": 25}  # which `check --deploy` refuses (tests/test_deploy_system_checks.py)


# --- defaults, secrets, broker ------------------------------------------------------------------------------


def test_defaults_are_debug_off_two_factor_on_and_sqlite(tmp_path):
    got = _settings(tmp_path, {}, "DEBUG", "ADMIN_REQUIRE_2FA", "DATABASES", "AXES_FAILURE_LIMIT")
    assert got["DEBUG"] is False
    assert got["ADMIN_REQUIRE_2FA"] is True
    assert got["AXES_FAILURE_LIMIT"] == 5
    assert got["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3"


def test_secret_key_is_read_from_the_file_named_by_DJANGO_SECRET_KEY_FILE(tmp_path):
    key = secrets.token_urlsafe(64)
    key_file = tmp_path / "django_secret_key"
    key_file.write_text(key + "\n")  # as `echo` or `print` writes it: the newline is not part of the key
    env = {"DJANGO_SECRET_KEY_FILE": str(key_file), "DJANGO_SECRET_KEY": "the-file-wins-over-this"}
    assert _settings(tmp_path, env, "SECRET_KEY")["SECRET_KEY"] == key


def test_database_password_may_come_from_its_own_file(tmp_path):
    password_file = tmp_path / "postgres_password"
    password_file.write_text("s3cret with spaces\n")
    env = {
        "DATABASE_URL": "postgres://registry@db.internal:5432/registry",
        "DATABASE_PASSWORD_FILE": str(password_file),
    }
    db = _settings(tmp_path, env, "DATABASES")["DATABASES"]["default"]
    assert (db["HOST"], db["USER"], db["PASSWORD"]) == ("db.internal", "registry", "s3cret with spaces")


def test_without_REDIS_URL_the_broker_is_the_filesystem_under_the_var_dir(tmp_path):
    got = _settings(tmp_path, {}, "CELERY_BROKER_URL", "CELERY_BROKER_TRANSPORT_OPTIONS")
    assert got["CELERY_BROKER_URL"] == "filesystem://"
    folder_in = Path(got["CELERY_BROKER_TRANSPORT_OPTIONS"]["data_folder_in"])
    assert folder_in.is_relative_to(tmp_path / "var") and folder_in.is_dir()


def test_with_REDIS_URL_the_broker_is_redis(tmp_path):
    got = _settings(tmp_path, {"REDIS_URL": "redis://127.0.0.1:6379/5"}, "CELERY_BROKER_URL")
    assert got["CELERY_BROKER_URL"] == "redis://127.0.0.1:6379/5"
    assert not (tmp_path / "var" / "celery-broker").exists()


def test_axes_takes_the_client_address_from_the_proxy_only_behind_it(tmp_path):
    assert _settings(tmp_path, {}, "AXES_CLIENT_IP_CALLABLE")["AXES_CLIENT_IP_CALLABLE"] is None
    behind = _settings(tmp_path, {"DJANGO_BEHIND_PROXY": "true"}, "AXES_CLIENT_IP_CALLABLE")
    assert behind["AXES_CLIENT_IP_CALLABLE"] is not None

    from privacy_registry.settings import _client_ip_behind_proxy

    # The client may send its own X-Forwarded-For; only the entry our proxy appended last is trusted.
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.9", REMOTE_ADDR="172.18.0.5")
    assert _client_ip_behind_proxy(request) == "203.0.113.9"
    assert _client_ip_behind_proxy(RequestFactory().get("/", REMOTE_ADDR="172.18.0.5")) == "172.18.0.5"


BAD_VALUES = [
    ({"DJANGO_DEBUG": "maybe"}, "DJANGO_DEBUG must be true or false, not 'maybe'"),
    ({"ADMIN_REQUIRE_2FA": "ture"}, "ADMIN_REQUIRE_2FA must be true or false, not 'ture'"),
    ({"AXES_FAILURE_LIMIT": "abc"}, "AXES_FAILURE_LIMIT must be an integer, not 'abc'"),
    ({"AXES_FAILURE_LIMIT": "0"}, "AXES_FAILURE_LIMIT must be at least 1, not 0"),
    ({"AXES_COOLOFF_HOURS": "1.5h"}, "AXES_COOLOFF_HOURS must be a number, not '1.5h'"),
    ({"DJANGO_SECURE_HSTS_SECONDS": "one-year"}, "DJANGO_SECURE_HSTS_SECONDS must be an integer"),
    ({"DJANGO_LOG_LEVEL": "LOUD"}, "DJANGO_LOG_LEVEL must be a logging level name, not 'LOUD'"),
    ({"DATABASE_URL": "nonsense"}, "DATABASE_URL must be a sqlite:// or postgres:// URL"),
    ({"DATABASE_URL": "mysql://u@h/db"}, "DATABASE_URL must be a sqlite:// or postgres:// URL"),
    ({"DATABASE_URL": "postgres://u:hunter2@h:notaport/db"}, "DATABASE_URL is malformed: Port could not be cast"),
    ({"REDIS_URL": "localhost:6379"}, "REDIS_URL must be a redis://"),
    ({"DJANGO_SECRET_KEY_FILE": "/nonexistent/key"}, "DJANGO_SECRET_KEY_FILE: cannot read '/nonexistent/key'"),
    ({"EMAIL_URL": "console://"}, "EMAIL_URL must start with one of smtp://"),
    ({"EMAIL_URL": "smtp://u:hunter2@relay.example.org:twentyfive"}, "EMAIL_URL is malformed"),
    ({"EMAIL_URL": "smtp://relay.example.org/?tsl=true"}, "EMAIL_URL: unknown option 'tsl'"),
    ({"EMAIL_URL": "smtp://relay.example.org/?tls=maybe"}, "EMAIL_URL: tls must be true or false, not 'maybe'"),
    ({"EMAIL_URL": "smtp+tls://u:hunter2@relay.example.org:465"}, "port 465 speaks TLS from the first byte"),
    ({"EMAIL_URL": "smtp://relay.example.org", "EMAIL_PASSWORD": "x"}, "EMAIL_URL names no user"),
    ({"DJANGO_EMAIL_HOST": "relay.example.org"}, "DJANGO_EMAIL_HOST is replaced by EMAIL_URL"),
    ({"DJANGO_DEFAULT_FROM_EMAIL": "privacy team"}, "DJANGO_DEFAULT_FROM_EMAIL must be an e-mail address"),
]


@pytest.mark.parametrize(
    ("env", "message"),
    [pytest.param(env, message, id=",".join(f"{k}={v}" for k, v in env.items())) for env, message in BAD_VALUES],
)
def test_a_bad_value_stops_start_up_with_ImproperlyConfigured_naming_it(tmp_path, env, message):
    done = _run(["manage.py", "check"], env, tmp_path)
    assert done.returncode != 0
    last_line = done.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django.core.exceptions.ImproperlyConfigured: "), done.stderr
    assert message in last_line
    assert "hunter2" not in done.stderr, "a database password must not be echoed"
