"""The Celery application. The beat schedule is code and lives here, in one place."""
from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "privacy_registry.settings")

app = Celery("privacy_registry")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
