# syntax=docker/dockerfile:1.7
# The production image. One image for every role: docker-compose.yml runs it as the one-shot migrate, the
# web server (gunicorn, the default command), the Celery worker and Celery beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_STATICFILES_STORAGE=whitenoise.storage.CompressedManifestStaticFilesStorage \
    DJANGO_VAR_DIR=/var/lib/privacy-registry

# A fixed uid/gid, so that secret files and volumes on the host can be made readable to it.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home --shell /usr/sbin/nologin app

WORKDIR /app

# Requirements first: the dependency layer is rebuilt only when they change, not on every code change.
COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY . .

# Static files are collected at build time: the manifest storage needs them to map names to hashed files,
# and the running app (not root) must not be able to change them. The settings need no secret or service
# for this; the broker folders that settings create without REDIS_URL go to a throwaway folder.
# The var folders are made here, owned by the app user, so that the named volumes mounted on them start
# out with that owner (Docker copies the image folder's owner into an empty volume).
RUN DJANGO_VAR_DIR=/tmp/build-var python manage.py collectstatic --noinput \
    && rm -rf /tmp/build-var \
    && mkdir -p "$DJANGO_VAR_DIR/media" /var/lib/privacy-registry-journal \
    && chown -R app:app "$DJANGO_VAR_DIR" /var/lib/privacy-registry-journal

# The probe sends the first allowed host name (others answer 400) and X-Forwarded-Proto: https (as the
# proxy does; otherwise SECURE_SSL_REDIRECT answers 301). /healthz answers 200 only when the database and
# the broker are both reachable.
COPY --chmod=0755 <<'EOF' /usr/local/bin/registry-healthcheck
#!/usr/local/bin/python
import os
import sys
import urllib.request

hosts = [h.strip().lstrip(".") for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",")]
host = next((h for h in hosts if h and h != "*"), "localhost")
request = urllib.request.Request(
    "http://127.0.0.1:8000/healthz", headers={"Host": host, "X-Forwarded-Proto": "https"}
)
try:
    with urllib.request.urlopen(request, timeout=4) as response:
        sys.exit(0 if response.status == 200 else 1)
except Exception as exc:
    sys.exit(f"healthz: {exc}")
EOF

USER app
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["registry-healthcheck"]

# gunicorn.conf.py: bind, and an access log without query strings. Workers: gunicorn reads WEB_CONCURRENCY;
# further options can be given in GUNICORN_CMD_ARGS.
CMD ["gunicorn", "privacy_registry.wsgi:application", "--config", "gunicorn.conf.py"]
